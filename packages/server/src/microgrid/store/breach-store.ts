import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { BreachSettings, BreachWatch } from '../domain/breach';
import type { CapacitySource } from '../domain/capacity';
import type { Phase } from '../domain/phases';

/** What a breach check reads of its circuit. */
export interface CheckedCircuit {
  id: string;
  name: string;
  microgridId: string;
  phaseCount: 1 | 3;
  effectiveCapacityA: number;
  capacitySource: CapacitySource;
}

/**
 * The circuit, held against deletion until the transaction ends (`FOR KEY SHARE`: capacity
 * refreshes, which lock it for update, do not wait). Taken before the watch row, circuit first as
 * everywhere (ADR 0015), so a check never deadlocks with the circuit's deletion.
 */
export async function holdCircuit(
  db: Executor,
  circuitId: string,
): Promise<CheckedCircuit | undefined> {
  const row = await db
    .selectFrom('circuits')
    .select([
      'id',
      'name',
      'microgrid_id',
      'phase_count',
      'effective_capacity_a',
      'capacity_source',
    ])
    .where('id', '=', circuitId)
    .forKeyShare()
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      name: row.name,
      microgridId: row.microgrid_id,
      phaseCount: row.phase_count === 1 ? 1 : 3,
      effectiveCapacityA: row.effective_capacity_a,
      capacitySource: row.capacity_source as unknown as CapacitySource,
    }
  );
}

export interface WatchRow {
  circuitId: string;
  settings: BreachSettings;
  watch: BreachWatch;
}

/** The circuit's watch row, created with the default settings if it has none. */
export async function ensureWatch(db: Executor, circuitId: string, now: Date): Promise<void> {
  await db
    .insertInto('circuit_breach_watch')
    .values({ circuit_id: circuitId, updated_at: now })
    .onConflict((oc) => oc.column('circuit_id').doNothing())
    .execute();
}

/**
 * The watch of a circuit (created with the defaults if it has none) with its open episode, locked
 * for the evaluation that will replace it: evaluations of one circuit serialise on this row.
 */
export async function lockWatch(
  db: Executor,
  circuitId: string,
  now: Date,
): Promise<WatchRow | undefined> {
  await ensureWatch(db, circuitId, now);
  const row = await db
    .selectFrom('circuit_breach_watch as w')
    .leftJoin('breach_episodes as e', 'e.id', 'w.open_episode_id')
    .select([
      'w.circuit_id',
      'w.tolerance_percent',
      'w.tolerance_a',
      'w.hold_seconds',
      'w.worsening_percent',
      'w.over_since',
      'w.within_since',
      'e.id as episode_id',
      'e.since',
      'e.reported_excess_a',
      'e.peak_a',
      'e.peak_phase',
    ])
    .where('w.circuit_id', '=', circuitId)
    .forUpdate('w')
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    circuitId,
    settings: settingsOf(row),
    watch: {
      overSince: row.over_since,
      withinSince: row.within_since,
      open:
        row.episode_id && row.since
          ? {
              id: row.episode_id,
              since: row.since,
              reportedExcessA: row.reported_excess_a ?? 0,
              peakA: row.peak_a ?? 0,
              peakPhase: (row.peak_phase ?? 'L1') as Phase,
            }
          : null,
    },
  };
}

function settingsOf(row: {
  tolerance_percent: number;
  tolerance_a: number;
  hold_seconds: number;
  worsening_percent: number;
}): BreachSettings {
  return {
    tolerancePercent: row.tolerance_percent,
    toleranceA: row.tolerance_a,
    holdSeconds: row.hold_seconds,
    worseningPercent: row.worsening_percent,
  };
}

export async function saveWatch(
  db: Executor,
  circuitId: string,
  watch: BreachWatch,
  now: Date,
): Promise<void> {
  await db
    .updateTable('circuit_breach_watch')
    .set({
      over_since: watch.overSince,
      within_since: watch.withinSince,
      open_episode_id: watch.open?.id ?? null,
      updated_at: now,
    })
    .where('circuit_id', '=', circuitId)
    .execute();
}

/** A circuit's settings and where detection stands (defaults when it was never watched). */
export async function findWatch(db: Executor, circuitId: string) {
  const row = await db
    .selectFrom('circuit_breach_watch')
    .selectAll()
    .where('circuit_id', '=', circuitId)
    .executeTakeFirst();
  return row
    ? {
        settings: settingsOf(row),
        overSince: row.over_since,
        withinSince: row.within_since,
        openEpisodeId: row.open_episode_id,
      }
    : undefined;
}

export async function saveSettings(
  db: Executor,
  circuitId: string,
  settings: BreachSettings,
  now: Date,
): Promise<void> {
  const values = {
    tolerance_percent: settings.tolerancePercent,
    tolerance_a: settings.toleranceA,
    hold_seconds: settings.holdSeconds,
    worsening_percent: settings.worseningPercent,
    updated_at: now,
  };
  await db
    .insertInto('circuit_breach_watch')
    .values({ circuit_id: circuitId, ...values })
    .onConflict((oc) => oc.column('circuit_id').doUpdateSet(values))
    .execute();
}

/**
 * What a circuit's chargers draw now, per phase: each charging session's newest reading, added
 * to every phase its charger draws on (a reading of an earlier session is not load).
 */
export async function phaseLoads(
  db: Executor,
  circuitId: string,
): Promise<Partial<Record<Phase, number>>> {
  const { rows } = await sql<{ phase: Phase; current_a: number }>`
    SELECT phase, sum(r.current_a)::float8 AS current_a
    FROM chargers c
    JOIN charging_sessions s ON s.charger_id = c.id AND s.ended_at IS NULL
    JOIN LATERAL (
      SELECT current_a FROM meter_readings m
      WHERE m.charger_id = c.id AND m.session_id = s.id
      ORDER BY m.measured_at DESC LIMIT 1
    ) r ON true,
    unnest(c.phases) AS phase
    WHERE c.circuit_id = ${circuitId}
    GROUP BY phase`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.phase, Math.round(Number(r.current_a) * 10) / 10]));
}

/** Circuits the chargers are on (readings of unknown chargers name none). */
export async function circuitsOfChargers(
  db: Executor,
  chargerIds: readonly string[],
): Promise<string[]> {
  if (chargerIds.length === 0) return [];
  const rows = await db
    .selectFrom('chargers')
    .select('circuit_id')
    .distinct()
    .where('id', 'in', chargerIds)
    .execute();
  return rows.map((r) => r.circuit_id);
}

export interface EpisodeRow {
  id: string;
  circuitId: string;
  phase: Phase;
  limitA: number;
  measuredA: number;
  since: Date;
  startedAt: Date;
  limitSource: CapacitySource;
  peakA: number;
  peakPhase: Phase;
  worsened: {
    at: Date;
    phase: Phase;
    measuredA: number;
    limitA: number;
    /** What set the limit when it worsened. */
    limitSource: CapacitySource;
  } | null;
  endedAt: Date | null;
  endConfirmedAt: Date | null;
}

export async function insertEpisode(
  db: Executor,
  e: {
    id: string;
    circuitId: string;
    phase: Phase;
    limitA: number;
    measuredA: number;
    since: Date;
    startedAt: Date;
    limitSource: CapacitySource;
  },
): Promise<void> {
  await db
    .insertInto('breach_episodes')
    .values({
      id: e.id,
      circuit_id: e.circuitId,
      phase: e.phase,
      limit_a: e.limitA,
      measured_a: e.measuredA,
      since: e.since,
      started_at: e.startedAt,
      limit_source: JSON.stringify(e.limitSource) as never,
      reported_excess_a: e.measuredA - e.limitA,
      peak_a: e.measuredA,
      peak_phase: e.phase,
    })
    .execute();
}

/** The open episode's running figures: its peak and the excess last announced. */
export async function updateEpisodeFigures(
  db: Executor,
  id: string,
  figures: { reportedExcessA: number; peakA: number; peakPhase: Phase },
): Promise<void> {
  await db
    .updateTable('breach_episodes')
    .set({
      reported_excess_a: figures.reportedExcessA,
      peak_a: figures.peakA,
      peak_phase: figures.peakPhase,
    })
    .where('id', '=', id)
    .execute();
}

export async function markWorsened(
  db: Executor,
  id: string,
  w: { at: Date; phase: Phase; measuredA: number; limitA: number; limitSource: CapacitySource },
): Promise<void> {
  await db
    .updateTable('breach_episodes')
    .set({
      worsened_at: w.at,
      worsened_phase: w.phase,
      worsened_measured_a: w.measuredA,
      worsened_limit_a: w.limitA,
      worsened_limit_source: JSON.stringify(w.limitSource) as never,
    })
    .where('id', '=', id)
    .execute();
}

export async function markEnded(
  db: Executor,
  id: string,
  endedAt: Date,
  confirmedAt: Date,
): Promise<void> {
  await db
    .updateTable('breach_episodes')
    .set({ ended_at: endedAt, end_confirmed_at: confirmedAt })
    .where('id', '=', id)
    .execute();
}

type EpisodeDbRow = {
  id: string;
  circuit_id: string;
  phase: string;
  limit_a: number;
  measured_a: number;
  since: Date;
  started_at: Date;
  limit_source: Record<string, unknown>;
  peak_a: number;
  peak_phase: string;
  worsened_at: Date | null;
  worsened_phase: string | null;
  worsened_measured_a: number | null;
  worsened_limit_a: number | null;
  worsened_limit_source: Record<string, unknown> | null;
  ended_at: Date | null;
  end_confirmed_at: Date | null;
};

function toEpisode(r: EpisodeDbRow): EpisodeRow {
  return {
    id: r.id,
    circuitId: r.circuit_id,
    phase: r.phase as Phase,
    limitA: r.limit_a,
    measuredA: r.measured_a,
    since: r.since,
    startedAt: r.started_at,
    limitSource: r.limit_source as unknown as CapacitySource,
    peakA: r.peak_a,
    peakPhase: r.peak_phase as Phase,
    worsened:
      r.worsened_at && r.worsened_measured_a !== null
        ? {
            at: r.worsened_at,
            phase: (r.worsened_phase ?? r.phase) as Phase,
            measuredA: r.worsened_measured_a,
            limitA: r.worsened_limit_a ?? r.limit_a,
            limitSource: (r.worsened_limit_source ?? r.limit_source) as unknown as CapacitySource,
          }
        : null,
    endedAt: r.ended_at,
    endConfirmedAt: r.end_confirmed_at,
  };
}

export async function findEpisode(db: Executor, id: string): Promise<EpisodeRow | undefined> {
  const row = await db
    .selectFrom('breach_episodes')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toEpisode(row);
}

/** A circuit's episodes that were open at some time after `from`, newest first. */
export async function episodesSince(
  db: Executor,
  circuitId: string,
  from: Date,
  limit: number,
): Promise<EpisodeRow[]> {
  const rows = await db
    .selectFrom('breach_episodes')
    .selectAll()
    .where('circuit_id', '=', circuitId)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', from)]))
    .orderBy('since', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toEpisode);
}
