import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import { registerIncrements, type SessionEnergyReading } from '../domain/energy-register';

/**
 * Adds what the readings advance their sessions to the registers of the scopes their chargers'
 * circuits belong to. Runs before the sessions' energy is raised, in the same transaction: the
 * sessions' rows are locked first, so two transactions never count the same energy.
 */
export async function countIntoRegisters(
  db: Executor,
  readings: readonly SessionEnergyReading[],
): Promise<void> {
  const sessionIds = [
    ...new Set(readings.flatMap((r) => (r.sessionId === null ? [] : [r.sessionId]))),
  ].sort();
  if (sessionIds.length === 0) return;
  const sessions = await db
    .selectFrom('charging_sessions')
    .select(['id', 'energy_wh'])
    .where('id', 'in', sessionIds)
    .orderBy('id')
    .forUpdate()
    .execute();
  const increments = registerIncrements(
    readings,
    new Map(sessions.map((s) => [s.id, s.energy_wh])),
  );
  if (increments.length === 0) return;
  const scopes = await db
    .selectFrom('chargers as c')
    .innerJoin('scope_circuits as sc', 'sc.circuit_id', 'c.circuit_id')
    .select(['c.id as charger_id', 'sc.scope_id'])
    .where('c.id', 'in', [...new Set(increments.map((i) => i.chargerId))])
    .execute();
  const perScopeSecond = new Map<string, { scopeId: string; secondEnd: Date; energyWh: number }>();
  for (const increment of increments) {
    for (const { scope_id: scopeId } of scopes.filter(
      (s) => s.charger_id === increment.chargerId,
    )) {
      const key = `${scopeId}@${increment.secondEnd.toISOString()}`;
      const row = perScopeSecond.get(key) ?? {
        scopeId,
        secondEnd: increment.secondEnd,
        energyWh: 0,
      };
      row.energyWh += increment.energyWh;
      perScopeSecond.set(key, row);
    }
  }
  if (perScopeSecond.size === 0) return;
  // One order for every writer, so two transactions adding to the same seconds never deadlock.
  const rows = [...perScopeSecond.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => ({ scope_id: r.scopeId, second_end: r.secondEnd, energy_wh: r.energyWh }));
  await db
    .insertInto('scope_energy_seconds')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['scope_id', 'second_end']).doUpdateSet({
        energy_wh: sql<number>`scope_energy_seconds.energy_wh + excluded.energy_wh`,
      }),
    )
    .execute();
}

/** A scope's register at `at`: its folded total plus every second counted up to `at`. */
export async function registerAt(db: Executor, scopeId: string, at: Date): Promise<number> {
  const result = await sql<{ wh: number | null }>`
    SELECT
      coalesce((SELECT folded_wh FROM scope_energy_registers WHERE scope_id = ${scopeId}), 0)
      + coalesce((SELECT sum(energy_wh) FROM scope_energy_seconds
                  WHERE scope_id = ${scopeId} AND second_end <= ${at}), 0) AS wh`.execute(db);
  return Number(result.rows[0]?.wh ?? 0);
}

/**
 * The most the scope's chargers drew together in (from, to]: at each instant a reading was taken,
 * every charger counts with its newest reading in the window so far (none before its first), and
 * the largest sum wins. Each reading's change from its charger's previous one, summed in time
 * order, gives the total at every instant in one pass.
 */
export async function maxLoadInWindow(
  db: Executor,
  scopeId: string,
  from: Date,
  to: Date,
): Promise<{ maxLoadW: number; at: Date | null; readings: number }> {
  const result = await sql<{ readings: number; at: Date | null; total: number | null }>`
    WITH span AS (
      SELECT r.id, r.charger_id, r.measured_at, r.power_w
      FROM meter_readings r
      JOIN chargers c ON c.id = r.charger_id
      JOIN scope_circuits sc ON sc.circuit_id = c.circuit_id
      WHERE sc.scope_id = ${scopeId} AND r.measured_at > ${from} AND r.measured_at <= ${to}
    ), steps AS (
      SELECT measured_at,
        power_w - coalesce(lag(power_w) OVER (PARTITION BY charger_id ORDER BY measured_at, id), 0) AS step
      FROM span
    ), instants AS (
      SELECT measured_at, sum(step) AS step FROM steps GROUP BY measured_at
    ), totals AS (
      SELECT measured_at, sum(step) OVER (ORDER BY measured_at) AS total FROM instants
    ), peak AS (
      SELECT measured_at, total FROM totals ORDER BY total DESC, measured_at LIMIT 1
    )
    SELECT (SELECT count(*)::int FROM span) AS readings,
      (SELECT measured_at FROM peak) AS at,
      (SELECT total::float8 FROM peak) AS total`.execute(db);
  const row = result.rows[0];
  const total = Number(row?.total ?? 0);
  return {
    maxLoadW: Math.max(0, total),
    at: row?.at ? new Date(row.at) : null,
    readings: Number(row?.readings ?? 0),
  };
}

/**
 * Folds up to `limit` seconds counted before `before` into their scopes' totals and deletes them;
 * the registers read the same before and after. Returns how many seconds went.
 */
export async function foldRegisters(db: Executor, before: Date, limit: number): Promise<number> {
  const result = await sql<{ folded: number }>`
    WITH doomed AS (
      SELECT scope_id, second_end, energy_wh FROM scope_energy_seconds
      WHERE second_end < ${before} LIMIT ${limit} FOR UPDATE
    ), sums AS (
      SELECT scope_id, sum(energy_wh) AS wh FROM doomed GROUP BY scope_id
    ), totals AS (
      INSERT INTO scope_energy_registers (scope_id, folded_wh, folded_until)
      SELECT scope_id, wh, ${before} FROM sums
      ON CONFLICT (scope_id) DO UPDATE SET
        folded_wh = scope_energy_registers.folded_wh + excluded.folded_wh,
        folded_until = GREATEST(scope_energy_registers.folded_until, excluded.folded_until)
    ), gone AS (
      DELETE FROM scope_energy_seconds s USING doomed d
      WHERE s.scope_id = d.scope_id AND s.second_end = d.second_end
      RETURNING 1
    )
    SELECT count(*)::int AS folded FROM gone`.execute(db);
  return Number(result.rows[0]?.folded ?? 0);
}
