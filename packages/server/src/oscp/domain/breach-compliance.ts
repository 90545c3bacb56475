import { toWireTime, type CapacityForecastType, type ForecastedBlock } from '@openvelope/oscp';
import type { ConnectionAuditEvent } from './audit-events';
import type { ForecastBlock } from './control';
import type { OutboundSpec } from './effects';
import { blockCovering } from './forecast-translation';

/**
 * Compliance errors from breaches (COR-24) as a decider. The microgrid detects breach episodes;
 * when one happens under a limit OSCP set from an accepted forecast, the Capacity Provider gets
 * one GroupCapacityComplianceError for it, correlated to that forecast's X-Request-ID, and at most
 * one more if it worsens; nothing while it continues, nothing after it ended. What was sent for an
 * episode is a durable record (one per connection and episode), so a restart sends nothing again
 * (ADR 0050).
 */

/** A breach episode as OSCP reads it from the microgrid. */
export interface BreachEpisode {
  id: string;
  circuit: { id: string; name: string };
  scopeIds: readonly string[];
  phase: string;
  limitA: number;
  measuredA: number;
  since: Date;
  startedAt: Date;
  worsened: {
    at: Date;
    phase: string;
    measuredA: number;
    limitA: number;
    /** The OSCP limit in force when it worsened, if OSCP's. */
    limit: OscpLimit | null;
  } | null;
  endedAt: Date | null;
  /** The OSCP envelope that set the limit when it started, and the operating mode behind it. */
  limit: OscpLimit | null;
}

/** A limit OSCP set on the scope: the connection whose envelope it is, and the mode behind it. */
export interface OscpLimit {
  connectionId: string;
  mode: string;
}

/** What the episode's report shows next to its publications. */
export interface BreachReportContext {
  circuitName: string;
  phase: string;
  limitA: number;
  measuredA: number;
  since: string;
  worsened: {
    at: string;
    phase: string;
    measuredA: number;
    limitA: number;
    /** The forecast in force when it worsened, which the second message is correlated to. */
    forecastRequestId: string;
  } | null;
}

/** What was told a Capacity Provider about one episode. */
export interface BreachReport {
  connectionId: string;
  episodeId: string;
  circuitId: string;
  forecastRequestId: string;
  context: BreachReportContext;
  startedRequestId: string;
  startedAt: Date;
  worsenedRequestId: string | null;
  worsenedAt: Date | null;
  endedAt: Date | null;
}

export interface BreachConnection {
  id: string;
  groupId: string;
  scopeId: string;
  enabled: boolean;
  readyForBusiness: boolean;
}

export interface BreachReportInput {
  connection: BreachConnection;
  episode: BreachEpisode;
  report: BreachReport | undefined;
  /** Stored CONSUMPTION and FALLBACK_CONSUMPTION blocks that end after the breach started. */
  blocks: readonly ForecastBlock[];
}

export interface BreachReportDecision {
  /** The record to save, when it changes. */
  report: BreachReport | undefined;
  events: ConnectionAuditEvent[];
  sends: OutboundSpec[];
  /** Why nothing was told, for the log. */
  silentBecause?: string;
}

/** Which accepted forecast a limit of OSCP's came from, by the mode that set it. */
function forecastTypeOf(mode: string): CapacityForecastType | undefined {
  if (mode === 'NORMAL') return 'CONSUMPTION';
  if (mode === 'FALLBACK_GAP' || mode === 'FALLBACK_OFFLINE') return 'FALLBACK_CONSUMPTION';
  return undefined;
}

const amps = (a: number) => `${a.toFixed(1)} A`;

/** The accepted forecast whose block set this connection's limit at `at`, or why there is none. */
function forecastBehind(
  blocks: readonly ForecastBlock[],
  connectionId: string,
  limit: OscpLimit | null,
  at: Date,
): { block: ForecastBlock } | { silentBecause: string } {
  if (!limit || limit.connectionId !== connectionId)
    return { silentBecause: 'the limit was not set by this connection' };
  const type = forecastTypeOf(limit.mode);
  if (!type)
    return { silentBecause: `the limit came from ${limit.mode}, not from an accepted forecast` };
  const block = blockCovering(
    blocks.filter((b) => b.type === type),
    at,
  );
  return block
    ? { block }
    : { silentBecause: `no accepted ${type} forecast covers ${at.toISOString()}` };
}

function wireBlock(block: ForecastBlock): ForecastedBlock {
  const wire = block.wire as Partial<Pick<ForecastedBlock, 'capacity' | 'unit' | 'phase'>>;
  return {
    capacity: wire.capacity ?? block.limit.value,
    unit: wire.unit ?? 'A',
    phase: wire.phase ?? 'ALL',
    start_time: toWireTime(block.start),
    end_time: toWireTime(block.end),
  };
}

const nothing = (silentBecause: string): BreachReportDecision => ({
  report: undefined,
  events: [],
  sends: [],
  silentBecause,
});

/** `requestId` names the message a decision sends (unused when it sends none). */
export function decideBreachReport(
  input: BreachReportInput,
  requestId: string,
  now: Date,
): BreachReportDecision {
  const { connection: c, episode: e, report } = input;
  const at = now.toISOString();
  const where = `circuit "${e.circuit.name}" (group ${c.groupId})`;

  if (report) {
    if (e.endedAt) {
      if (report.endedAt) return nothing('its end is on record');
      return {
        report: { ...report, endedAt: e.endedAt },
        events: [
          {
            type: 'OscpReportedBreachEnded',
            data: {
              connectionId: c.id,
              episodeId: e.id,
              circuitId: e.circuit.id,
              circuitName: e.circuit.name,
              endedAt: e.endedAt.toISOString(),
              at,
            },
          },
        ],
        sends: [],
      };
    }
    const worsened = e.worsened;
    if (report.worsenedRequestId || !worsened || worsened.at <= report.startedAt)
      return nothing('already told');
    if (!c.enabled || !c.readyForBusiness) return nothing('the connection is not ready');
    // A worsening is told only against a forecast: a limit of the gap policy (say) is none.
    const forecast = forecastBehind(input.blocks, c.id, worsened.limit, worsened.at);
    if ('silentBecause' in forecast) return nothing(forecast.silentBecause);
    const message = `The capacity limit breach on ${where} has worsened: ${worsened.phase} draws ${amps(worsened.measuredA)} against a limit of ${amps(worsened.limitA)} per phase; over the limit since ${toWireTime(e.since)}.`;
    return {
      report: {
        ...report,
        worsenedRequestId: requestId,
        worsenedAt: now,
        context: {
          ...report.context,
          worsened: {
            at: worsened.at.toISOString(),
            phase: worsened.phase,
            measuredA: worsened.measuredA,
            limitA: worsened.limitA,
            forecastRequestId: forecast.block.requestId,
          },
        },
      },
      events: [
        reported(c.id, e, requestId, forecast.block.requestId, 'WORSENED', worsened, message, at),
      ],
      sends: [
        send(c.id, e.id, 'worsened', requestId, forecast.block.requestId, message, [
          wireBlock(forecast.block),
        ]),
      ],
    };
  }

  if (e.endedAt) return nothing('the breach ended before it was told');
  if (!e.scopeIds.includes(c.scopeId))
    return nothing('the connection is no longer bound to the circuit');
  if (!c.enabled || !c.readyForBusiness) return nothing('the connection is not ready');
  const forecast = forecastBehind(input.blocks, c.id, e.limit, e.startedAt);
  if ('silentBecause' in forecast) return nothing(forecast.silentBecause);
  const block = forecast.block;

  const message = `Capacity limit breached on ${where}: ${e.phase} drew ${amps(e.measuredA)} against a limit of ${amps(e.limitA)} per phase, over the limit since ${toWireTime(e.since)}.`;
  const figures = { phase: e.phase, measuredA: e.measuredA, limitA: e.limitA };
  return {
    report: {
      connectionId: c.id,
      episodeId: e.id,
      circuitId: e.circuit.id,
      forecastRequestId: block.requestId,
      context: {
        circuitName: e.circuit.name,
        ...figures,
        since: e.since.toISOString(),
        worsened: null,
      },
      startedRequestId: requestId,
      startedAt: now,
      worsenedRequestId: null,
      worsenedAt: null,
      endedAt: null,
    },
    events: [reported(c.id, e, requestId, block.requestId, 'STARTED', figures, message, at)],
    sends: [send(c.id, e.id, 'started', requestId, block.requestId, message, [wireBlock(block)])],
  };
}

function reported(
  connectionId: string,
  e: BreachEpisode,
  requestId: string,
  forecastRequestId: string,
  reason: 'STARTED' | 'WORSENED',
  figures: { phase: string; measuredA: number; limitA: number },
  message: string,
  at: string,
): ConnectionAuditEvent {
  return {
    type: 'OscpBreachReported',
    data: {
      connectionId,
      requestId,
      forecastRequestId,
      episodeId: e.id,
      reason,
      circuitId: e.circuit.id,
      circuitName: e.circuit.name,
      phase: figures.phase,
      limitA: figures.limitA,
      measuredA: figures.measuredA,
      since: e.since.toISOString(),
      message,
      at,
    },
  };
}

/** The outbox key of what a report sends at a step: written once per episode and step. */
export const breachReportKey = (connectionId: string, episodeId: string, step: string) =>
  `breach-report:${connectionId}:${episodeId}:${step}`;

function send(
  connectionId: string,
  episodeId: string,
  step: 'started' | 'worsened',
  requestId: string,
  forecastRequestId: string,
  message: string,
  blocks: ForecastedBlock[],
): OutboundSpec {
  return {
    kind: 'GroupCapacityComplianceError',
    body: { message, ...(blocks.length > 0 ? { forecasted_blocks: blocks } : {}) },
    requestId,
    correlationId: forecastRequestId,
    // The outbox writes a key once: a second decision for the same step sends nothing.
    dedupeKey: breachReportKey(connectionId, episodeId, step),
  };
}
