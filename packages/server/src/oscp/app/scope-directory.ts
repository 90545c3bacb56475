/**
 * What the OSCP context needs to know about depot targets, answered from the microgrid's read
 * contract (DepotQueries). A port, so OSCP never reaches into microgrid tables.
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
  /**
   * Many scopes' bindings at once, by scope id, in a fixed number of statements: a list of
   * connections must not look its bindings up one row at a time.
   */
  findMany(scopeIds: readonly string[]): Promise<Map<string, ScopeBinding>>;
}
