/**
 * What the OSCP context needs to know about depot targets, answered from the microgrid's canonical
 * read contract (GET /api/microgrids). A port, so OSCP never reaches into microgrid tables.
 */
export interface ScopeBinding {
  microgridId: string;
  microgridName: string;
  scopeId: string;
  scopeName: string;
  /** The one circuit the scope maps to; null when it maps to none or to several. */
  circuit: { id: string; name: string } | null;
  /** How many circuits the scope maps to: OSCP can only control a scope on exactly one. */
  circuitCount: number;
}

export interface ScopeDirectory {
  find(microgridId: string, scopeId: string): Promise<ScopeBinding | undefined>;
}
