import type { Executor } from '../../platform/db/database';

/** A managed scope with its microgrid's name and the circuits it maps to. */
export interface ScopeTargetRow {
  microgridId: string;
  microgridName: string;
  scopeId: string;
  scopeName: string;
  circuits: { id: string; name: string }[];
}

/**
 * The named scopes with their microgrid and circuits, in one statement whatever their number: a
 * list of OSCP connections needs the binding of each, and a look-up per row (or a listing of the
 * whole depot per row) grows with the network.
 */
export async function scopeTargets(
  db: Executor,
  scopeIds: readonly string[],
): Promise<ScopeTargetRow[]> {
  if (scopeIds.length === 0) return [];
  const rows = await db
    .selectFrom('managed_scopes as s')
    .innerJoin('microgrids as m', 'm.id', 's.microgrid_id')
    .leftJoin('scope_circuits as sc', 'sc.scope_id', 's.id')
    .leftJoin('circuits as c', 'c.id', 'sc.circuit_id')
    .select([
      's.id as scope_id',
      's.name as scope_name',
      's.microgrid_id',
      'm.name as microgrid_name',
      'sc.circuit_id',
      'c.name as circuit_name',
    ])
    .where('s.id', 'in', [...new Set(scopeIds)])
    .orderBy('s.id')
    .orderBy('sc.circuit_id')
    .execute();
  const targets = new Map<string, ScopeTargetRow>();
  for (const r of rows) {
    const target = targets.get(r.scope_id) ?? {
      microgridId: r.microgrid_id,
      microgridName: r.microgrid_name,
      scopeId: r.scope_id,
      scopeName: r.scope_name,
      circuits: [],
    };
    if (r.circuit_id)
      target.circuits.push({ id: r.circuit_id, name: r.circuit_name ?? r.circuit_id });
    targets.set(r.scope_id, target);
  }
  return [...targets.values()];
}
