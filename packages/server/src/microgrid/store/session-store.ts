import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { Phase } from '../domain/phases';

export interface ActiveSessionRow {
  sessionId: string;
  chargerId: string;
  phases: Phase[];
  minCurrentA: number;
  maxCurrentA: number;
  vehicleMaxCurrentA: number | null;
  priority: number;
  startedAt: Date;
  vehicleLabel: string | null;
  energyWh: number;
  notFollowingReason: string | null;
  controlledBy: string | null;
}

/** A charger's stored allocation, as the load balancer last decided it. */
export interface StoredAllocation {
  charger_id: string;
  session_id: string;
  current_a: number;
  binding: Record<string, unknown>;
  computed_at: Date;
}

/**
 * The circuit's active sessions (by charger name) and its stored allocations, read together: every
 * refresh of a circuit needs both, so they cost one statement. A charger has at most one active
 * session (a unique index), so the join never repeats an allocation.
 */
export async function sessionsAndAllocationsOnCircuit(
  db: Executor,
  circuitId: string,
): Promise<{ active: ActiveSessionRow[]; allocations: StoredAllocation[] }> {
  const rows = await db
    .selectFrom('chargers as c')
    .leftJoin('charging_sessions as s', (join) =>
      join.onRef('s.charger_id', '=', 'c.id').on('s.ended_at', 'is', null),
    )
    .leftJoin('allocations as a', 'a.charger_id', 'c.id')
    .select([
      's.id as session_id',
      'c.id as charger_id',
      'c.phases',
      'c.min_current_a',
      'c.max_current_a',
      's.vehicle_max_current_a',
      'c.priority',
      's.started_at',
      's.vehicle_label',
      's.energy_wh',
      'c.not_following_reason',
      'c.controlled_by',
      'a.session_id as allocated_session_id',
      'a.current_a as allocated_current_a',
      'a.binding as allocation_binding',
      'a.computed_at as allocation_computed_at',
    ])
    .where('c.circuit_id', '=', circuitId)
    .where((eb) => eb.or([eb('s.id', 'is not', null), eb('a.charger_id', 'is not', null)]))
    .orderBy('c.name')
    .execute();
  const active: ActiveSessionRow[] = [];
  const allocations: StoredAllocation[] = [];
  for (const r of rows) {
    if (r.session_id !== null)
      active.push({
        sessionId: r.session_id,
        chargerId: r.charger_id,
        phases: r.phases as Phase[],
        minCurrentA: r.min_current_a,
        maxCurrentA: r.max_current_a,
        vehicleMaxCurrentA: r.vehicle_max_current_a,
        priority: r.priority,
        startedAt: r.started_at!,
        vehicleLabel: r.vehicle_label,
        energyWh: r.energy_wh!,
        notFollowingReason: r.not_following_reason,
        controlledBy: r.controlled_by,
      });
    if (r.allocated_session_id !== null)
      allocations.push({
        charger_id: r.charger_id,
        session_id: r.allocated_session_id,
        current_a: r.allocated_current_a!,
        binding: r.allocation_binding!,
        computed_at: r.allocation_computed_at!,
      });
  }
  return { active, allocations };
}

export async function findActiveSession(db: Executor, chargerId: string) {
  return db
    .selectFrom('charging_sessions')
    .selectAll()
    .where('charger_id', '=', chargerId)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
}

export async function findSession(db: Executor, id: string) {
  return db.selectFrom('charging_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertSession(
  db: Executor,
  s: {
    chargerId: string;
    vehicleLabel: string | null;
    vehicleMaxCurrentA: number | null;
    startedAt: Date;
  },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('charging_sessions')
    .values({
      id,
      charger_id: s.chargerId,
      vehicle_label: s.vehicleLabel,
      vehicle_max_current_a: s.vehicleMaxCurrentA,
      started_at: s.startedAt,
      energy_wh: 0,
    })
    .execute();
  return id;
}

/** Ends a session that is still running; false when it had already ended. */
export async function endSession(db: Executor, id: string, endedAt: Date): Promise<boolean> {
  const result = await db
    .updateTable('charging_sessions')
    .set({ ended_at: endedAt })
    .where('id', '=', id)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface AllocationRow {
  chargerId: string;
  sessionId: string;
  currentA: number;
  binding: Record<string, unknown>;
}

/**
 * The circuit's allocations become exactly `allocations`, in one statement: chargers that lost
 * theirs are deleted, the rest upserted (disjoint rows, so the two parts never meet).
 */
export async function replaceAllocations(
  db: Executor,
  circuitId: string,
  allocations: readonly AllocationRow[],
  computedAt: Date,
): Promise<void> {
  const kept = allocations.map((a) => a.chargerId);
  const stale = db
    .deleteFrom('allocations')
    .where('charger_id', 'in', (eb) =>
      eb.selectFrom('chargers').select('id').where('circuit_id', '=', circuitId),
    )
    .$if(kept.length > 0, (q) => q.where('charger_id', 'not in', kept));
  if (allocations.length === 0) {
    await stale.execute();
    return;
  }
  await db
    .with('stale', () => stale)
    .insertInto('allocations')
    .values(
      allocations.map((a) => ({
        charger_id: a.chargerId,
        session_id: a.sessionId,
        current_a: a.currentA,
        binding: JSON.stringify(a.binding) as never,
        computed_at: computedAt,
      })),
    )
    .onConflict((oc) =>
      oc.column('charger_id').doUpdateSet((eb) => ({
        session_id: eb.ref('excluded.session_id'),
        current_a: eb.ref('excluded.current_a'),
        binding: eb.ref('excluded.binding'),
        computed_at: eb.ref('excluded.computed_at'),
      })),
    )
    .execute();
}

export async function allocationsOnCircuit(
  db: Executor,
  circuitId: string,
): Promise<StoredAllocation[]> {
  return db
    .selectFrom('allocations as a')
    .innerJoin('chargers as c', 'c.id', 'a.charger_id')
    .select(['a.charger_id', 'a.session_id', 'a.current_a', 'a.binding', 'a.computed_at'])
    .where('c.circuit_id', '=', circuitId)
    .execute();
}

export interface MeterReading {
  chargerId: string;
  measuredAt: Date;
  energyWh: number;
  powerW: number;
  currentA: number;
}

/** The open session of each of the chargers that has one. */
export async function activeSessionIds(
  db: Executor,
  chargerIds: readonly string[],
): Promise<Map<string, string>> {
  if (chargerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('charging_sessions')
    .select(['id', 'charger_id'])
    .where('ended_at', 'is', null)
    .where('charger_id', 'in', chargerIds)
    .execute();
  return new Map(rows.map((s) => [s.charger_id, s.id]));
}

/** The newest reading of each charger of a circuit. */
export async function latestReadings(db: Executor, circuitId: string) {
  return db
    .selectFrom('meter_readings as r')
    .innerJoin('chargers as c', 'c.id', 'r.charger_id')
    .select([
      'r.charger_id',
      'r.session_id',
      'r.measured_at',
      'r.current_a',
      'r.power_w',
      'c.phases',
    ])
    .distinctOn('r.charger_id')
    .where('c.circuit_id', '=', circuitId)
    .orderBy('r.charger_id')
    .orderBy('r.measured_at', 'desc')
    .execute();
}

/**
 * Measured circuit load over time: per 5-minute bucket, each charger's average current summed per
 * phase; the most loaded phase is the circuit's load (what its breaker sees).
 */
export async function loadHistory(db: Executor, circuitId: string, from: Date, to: Date) {
  const result = await sql<{ bucket: Date; current_a: number }>`
    WITH per_charger AS (
      SELECT date_bin('5 minutes', r.measured_at, TIMESTAMPTZ '2000-01-01T00:00:00Z') AS bucket,
             c.phases, avg(r.current_a) AS a
      FROM meter_readings r JOIN chargers c ON c.id = r.charger_id
      WHERE c.circuit_id = ${circuitId} AND r.measured_at >= ${from} AND r.measured_at <= ${to}
      GROUP BY 1, c.id, c.phases
    ), per_phase AS (
      SELECT bucket, phase, sum(a) AS a FROM per_charger, unnest(phases) AS phase GROUP BY bucket, phase
    )
    SELECT bucket, max(a)::float8 AS current_a FROM per_phase GROUP BY bucket ORDER BY bucket
  `.execute(db);
  return result.rows;
}

/** Deletes up to `limit` meter readings taken before `before`; returns how many went. */
export async function pruneMeterReadings(
  db: Executor,
  before: Date,
  limit: number,
): Promise<number> {
  const result = await sql`
    DELETE FROM meter_readings WHERE id IN (
      SELECT id FROM meter_readings WHERE measured_at < ${before} LIMIT ${limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
