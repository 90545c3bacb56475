import { randomUUID } from 'node:crypto';
import type { BreachObserver } from '../../microgrid/app/breach-detection';
import type { BreachEpisodeFacts } from '../../microgrid/app/breaches';
import type { Executor, Trx } from '../../platform/db/database';
import type { Logger } from '../../platform/logging';
import type { DueWork } from '../../platform/scheduler/scheduler';
import { scheduleWork } from '../../platform/scheduler/scheduler';
import type { BreachEpisode } from '../domain/breach-compliance';
import type { ConnectionHandler } from './connection-handler';

/**
 * Due work (key: the breach episode id) booked when the microgrid tells OSCP a breach under one
 * of its limits started, worsened or ended. Handled in a transaction of its own, under the
 * connection's lock: the microgrid's transaction never waits for OSCP.
 */
export const BREACH_REPORT_WORK = 'oscp-breach-report';

/** The microgrid's breach episodes, as OSCP reads them (wired in app.ts). */
export type BreachEpisodeSource = (
  episodeId: string,
  db: Executor,
) => Promise<BreachEpisodeFacts | undefined>;

/** Which OSCP connection set a limit, and in which mode (from the envelope's origin). */
function oscpLimit(
  source: BreachEpisodeFacts['limitSource'],
): { connectionId: string; mode: string } | null {
  if (source.kind !== 'ENVELOPE' || source.origin.kind !== 'ADAPTER') return null;
  const { adapter, reference } = source.origin;
  if (adapter !== 'oscp' || !reference.connectionId) return null;
  return { connectionId: reference.connectionId, mode: reference.mode ?? '' };
}

/** OSCP's observer of the microgrid's breaches: books its own due work for those under its limits. */
export const oscpBreachObserver: BreachObserver = {
  async breachChanged(trx, observed, now) {
    if (!oscpLimit(observed.limitSource)) return;
    await scheduleWork(
      trx,
      { kind: BREACH_REPORT_WORK, key: observed.change.episodeId, dueAt: now },
      now,
    );
  },
};

function episodeOf(facts: BreachEpisodeFacts): BreachEpisode {
  return {
    id: facts.id,
    circuit: { id: facts.circuit.id, name: facts.circuit.name },
    scopeIds: facts.scopeIds,
    phase: facts.phase,
    limitA: facts.limitA,
    measuredA: facts.measuredA,
    since: facts.since,
    startedAt: facts.startedAt,
    worsened: facts.worsened && {
      at: facts.worsened.at,
      phase: facts.worsened.phase,
      measuredA: facts.worsened.measuredA,
      limitA: facts.worsened.limitA,
      limit: oscpLimit(facts.worsened.limitSource),
    },
    endedAt: facts.endedAt,
    limit: oscpLimit(facts.limitSource),
  };
}

/** Tells the Capacity Provider about a breach episode, at most what the decider allows. */
export class BreachCompliance {
  constructor(
    private readonly episodes: BreachEpisodeSource,
    private readonly handler: ConnectionHandler,
    private readonly log: Logger,
  ) {}

  async handle(trx: Trx, work: DueWork, now: Date): Promise<void> {
    const facts = await this.episodes(work.key, trx);
    const limit = facts && oscpLimit(facts.limitSource);
    if (!facts || !limit) return;
    const connection = await this.handler.load(trx, limit.connectionId);
    if (!connection) return;
    const decision = await this.handler.breachReport(
      trx,
      connection,
      episodeOf(facts),
      randomUUID(),
      now,
    );
    if (decision.silentBecause && decision.events.length === 0) {
      this.log.debug(
        { 'oscp.connection_id': connection.id, episodeId: facts.id },
        `breach not reported: ${decision.silentBecause}`,
      );
    }
  }
}
