import type { Db, Executor } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import { DEFAULT_BREACH_SETTINGS, toleranceFor, type BreachSettings } from '../domain/breach';
import { describeSource, type CapacitySource } from '../domain/capacity';
import { ALL_PHASES, type Phase } from '../domain/phases';
import * as breaches from '../store/breach-store';
import * as depot from '../store/depot-store';
import type { BreachEpisodeView, CircuitBreaches } from '../contract';
import { requestBreachChecks } from './breach-detection';

/** A breach episode as an adapter reads it (e.g. to tell a grid operator). */
export interface BreachEpisodeFacts {
  id: string;
  circuit: { id: string; name: string; microgridId: string };
  /** The managed scopes the circuit belongs to now. */
  scopeIds: string[];
  phase: Phase;
  limitA: number;
  measuredA: number;
  since: Date;
  startedAt: Date;
  worsened: {
    at: Date;
    phase: Phase;
    measuredA: number;
    limitA: number;
    /** What set the limit when it worsened. */
    limitSource: CapacitySource;
  } | null;
  endedAt: Date | null;
  /** What set the limit when it started. */
  limitSource: CapacitySource;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function episodeView(e: breaches.EpisodeRow): BreachEpisodeView {
  return {
    id: e.id,
    phase: e.phase,
    limitA: e.limitA,
    measuredA: e.measuredA,
    since: e.since.toISOString(),
    startedAt: e.startedAt.toISOString(),
    peakA: e.peakA,
    peakPhase: e.peakPhase,
    worsened: e.worsened && {
      at: e.worsened.at.toISOString(),
      phase: e.worsened.phase,
      measuredA: e.worsened.measuredA,
      limitA: e.worsened.limitA,
    },
    endedAt: e.endedAt?.toISOString() ?? null,
    limitLabel: describeSource(e.limitSource),
  };
}

/** Breach settings and what detection sees on a circuit; episodes for the console and adapters. */
export class BreachService {
  constructor(private readonly db: Db) {}

  async circuitBreaches(circuitId: string, now: Date): Promise<CircuitBreaches> {
    const circuit = await depot.findCircuit(this.db, circuitId);
    if (!circuit) throw appErrors.notFound('Circuit', circuitId);
    const [watch, loads, episodes] = await Promise.all([
      breaches.findWatch(this.db, circuitId),
      breaches.phaseLoads(this.db, circuitId),
      breaches.episodesSince(this.db, circuitId, new Date(now.getTime() - 24 * 3600_000), 50),
    ]);
    const settings = watch?.settings ?? DEFAULT_BREACH_SETTINGS;
    const limitA = circuit.effectiveCapacityA;
    const tolerance = toleranceFor(limitA, settings);
    const phases = circuit.phaseCount === 1 ? (['L1'] as const) : ALL_PHASES;
    const open = episodes.find((e) => e.id === watch?.openEpisodeId && e.endedAt === null);
    const holdFrom = open ? watch?.withinSince : watch?.overSince;
    return {
      settings,
      status: open ? 'OPEN' : watch?.overSince ? 'SUSPECTED' : 'NORMAL',
      limitA,
      toleranceA: round1(tolerance),
      envelopeInForce: circuit.capacitySource.kind === 'ENVELOPE',
      phases: phases.map((phase) => {
        const measuredA = loads[phase] ?? 0;
        return { phase, measuredA, overLimit: measuredA - limitA > tolerance };
      }),
      overSince: watch?.overSince?.toISOString() ?? null,
      withinSince: (open && watch?.withinSince?.toISOString()) || null,
      holdEndsAt: holdFrom
        ? new Date(holdFrom.getTime() + settings.holdSeconds * 1000).toISOString()
        : null,
      open: open ? episodeView(open) : null,
      episodes: episodes.map(episodeView),
    };
  }

  /** New settings apply from the next evaluation, which is booked at once. */
  async updateSettings(circuitId: string, settings: BreachSettings, now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await depot.findCircuit(trx, circuitId)))
        throw appErrors.notFound('Circuit', circuitId);
      await breaches.saveSettings(trx, circuitId, settings, now);
      await requestBreachChecks(trx, [circuitId], now);
    });
  }

  /** One episode with its circuit, in the caller's transaction if it has one. */
  async episode(id: string, db: Executor = this.db): Promise<BreachEpisodeFacts | undefined> {
    const e = await breaches.findEpisode(db, id);
    if (!e) return undefined;
    const circuit = await depot.findCircuit(db, e.circuitId);
    const scopes = await depot.scopesOfCircuit(db, e.circuitId);
    return {
      id: e.id,
      circuit: {
        id: e.circuitId,
        name: circuit?.name ?? 'a deleted circuit',
        microgridId: circuit?.microgridId ?? '',
      },
      scopeIds: scopes.map((s) => s.id),
      phase: e.phase,
      limitA: e.limitA,
      measuredA: e.measuredA,
      since: e.since,
      startedAt: e.startedAt,
      worsened: e.worsened,
      endedAt: e.endedAt,
      limitSource: e.limitSource,
    };
  }
}
