import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { Phase } from '../domain/phases';

/** What a charger integration needs to know about one charger. */
export interface IntegratedCharger {
  id: string;
  name: string;
  circuitId: string;
  microgridId: string;
  phases: Phase[];
  minCurrentA: number;
  maxCurrentA: number;
  nominalVoltageV: number;
  notFollowingReason: string | null;
}

export async function findIntegratedCharger(
  db: Executor,
  chargerId: string,
): Promise<IntegratedCharger | undefined> {
  const row = await db
    .selectFrom('chargers as c')
    .innerJoin('circuits as k', 'k.id', 'c.circuit_id')
    .select([
      'c.id',
      'c.name',
      'c.circuit_id',
      'k.microgrid_id',
      'c.phases',
      'c.min_current_a',
      'c.max_current_a',
      'c.not_following_reason',
      'k.nominal_voltage_v',
    ])
    .where('c.id', '=', chargerId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      name: row.name,
      circuitId: row.circuit_id,
      microgridId: row.microgrid_id,
      phases: row.phases as Phase[],
      minCurrentA: row.min_current_a,
      maxCurrentA: row.max_current_a,
      nominalVoltageV: row.nominal_voltage_v,
      notFollowingReason: row.not_following_reason,
    }
  );
}

/** Sets or clears the flag; true when it changed. */
export async function setNotFollowing(
  db: Executor,
  chargerId: string,
  reason: string | null,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('chargers')
    .set({ not_following_reason: reason, not_following_since: reason === null ? null : now })
    .where('id', '=', chargerId)
    .where(sql<boolean>`not_following_reason IS DISTINCT FROM ${reason}`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Records what controls the charger (e.g. 'OCPP'), or null. */
export async function setControlledBy(
  db: Executor,
  chargerId: string,
  controller: string | null,
): Promise<void> {
  await db
    .updateTable('chargers')
    .set({ controlled_by: controller })
    .where('id', '=', chargerId)
    .execute();
}

export interface SessionReading {
  chargerId: string;
  /** The session the reading belongs to, or null for a reading outside any session. */
  sessionId: string | null;
  measuredAt: Date;
  /** The session's energy register (Wh since it started). */
  energyWh: number;
  powerW: number;
  currentA: number;
}

/** Stores readings attributed to the given sessions and advances those sessions' energy. */
export async function insertSessionReadings(
  db: Executor,
  readings: readonly SessionReading[],
): Promise<void> {
  if (readings.length === 0) return;
  await db
    .insertInto('meter_readings')
    .values(
      readings.map((r) => ({
        charger_id: r.chargerId,
        session_id: r.sessionId,
        measured_at: r.measuredAt,
        energy_wh: r.energyWh,
        power_w: r.powerW,
        current_a: r.currentA,
      })),
    )
    .execute();
  const newest = new Map<string, number>();
  for (const r of readings) {
    if (r.sessionId) newest.set(r.sessionId, Math.max(newest.get(r.sessionId) ?? 0, r.energyWh));
  }
  for (const [sessionId, energyWh] of newest) {
    await db
      .updateTable('charging_sessions')
      .set({ energy_wh: sql<number>`GREATEST(energy_wh, ${energyWh})` })
      .where('id', '=', sessionId)
      .execute();
  }
}

export interface ChargerAllocation {
  chargerId: string;
  sessionId: string;
  currentA: number;
  /** PAUSED, NOT_FOLLOWING, CAPACITY, … (see the load balancer). */
  bindingKind: string;
  phases: Phase[];
}

export async function chargerAllocationsOnCircuit(
  db: Executor,
  circuitId: string,
): Promise<ChargerAllocation[]> {
  const rows = await db
    .selectFrom('allocations as a')
    .innerJoin('chargers as c', 'c.id', 'a.charger_id')
    .select(['a.charger_id', 'a.session_id', 'a.current_a', 'a.binding', 'c.phases'])
    .where('c.circuit_id', '=', circuitId)
    .execute();
  return rows.map((r) => ({
    chargerId: r.charger_id,
    sessionId: r.session_id,
    currentA: r.current_a,
    bindingKind: String(r.binding.kind ?? ''),
    phases: r.phases as Phase[],
  }));
}
