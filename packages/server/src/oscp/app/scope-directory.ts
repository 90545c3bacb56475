/**
 * What the OSCP context needs to know about depot targets, answered from the microgrid's canonical
 * read contract (GET /api/microgrids). A port, so OSCP never reaches into microgrid tables.
 */
export interface ScopeBinding {
  microgridId: string;
  microgridName: string;
  scopeId: string;
  scopeName: string;
  circuit: { id: string; name: string } | null;
}

export interface ScopeDirectory {
  find(microgridId: string, scopeId: string): Promise<ScopeBinding | undefined>;
}
