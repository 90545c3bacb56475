import {
  adjustGroupCapacityForecastSchema,
  groupCapacityComplianceErrorSchema,
  toWireTime,
  type CapacityForecastType,
  type ForecastedBlock,
} from '@openvelope/oscp';
import type { Clock } from '../../platform/clock';
import type { Db, Executor, Trx } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import { enqueueOutbound } from '../../platform/outbox/outbox';
import {
  blocksOutside,
  forecastInForce,
  forecastsAhead,
  type ForecastAhead,
  type StoredForecastBlock,
} from '../domain/accepted-forecasts';
import { readyForBusiness } from '../domain/lifecycle';
import type { ConnectionAuditEvent } from '../domain/audit-events';
import type { OperatorMessageOffers } from '../operator-message-contract';
import * as forecasts from '../store/forecast-store';
import * as outcomes from '../store/forecast-outcomes';
import * as projection from '../store/connection-projection';
import { appendAudit } from './effects';
import { connectionAuditStream } from './stream-names';

/** A period the operator names, in the console's terms. */
export interface RequestedBlock {
  start: string;
  end: string;
  capacity: number;
  unit: 'A' | 'W' | 'KW';
  phase: ForecastedBlock['phase'];
}

/** What the operator sent, as the publications table will list it. */
export interface SentToPeer {
  requestId: string;
  correlationId: string | null;
}

const NOT_READY = 'Messages go to the Capacity Provider once the connection is handshaken';
const NO_FORECAST_AHEAD =
  'No accepted forecast is in force on this connection: an adjustment request asks the Capacity Provider to change one.';
const NO_ACCEPTED_FORECAST =
  'No forecast has been accepted on this connection: there is nothing to report against.';

function wireBlocks(blocks: readonly RequestedBlock[]): ForecastedBlock[] {
  return blocks.map((b) => ({
    capacity: b.capacity,
    phase: b.phase,
    unit: b.unit,
    start_time: toWireTime(new Date(b.start)),
    end_time: toWireTime(new Date(b.end)),
  }));
}

/** The first problem zod finds in a message we are about to send, as the operator should read it. */
function invalid(error: { issues: readonly { path: PropertyKey[]; message: string }[] }) {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.');
  return appErrors.invalid(`${field}: ${issue.message}`, [{ field, message: issue.message }]);
}

async function storedBlocks(
  db: Executor,
  connectionId: string,
  now: Date,
): Promise<StoredForecastBlock[]> {
  const rows = await forecasts.blocksOf(
    db,
    connectionId,
    ['CONSUMPTION', 'GENERATION', 'FALLBACK_CONSUMPTION', 'FALLBACK_GENERATION', 'OPTIMUM'],
    now,
  );
  return rows.map((r) => ({
    type: r.type as CapacityForecastType,
    start: r.start,
    end: r.end,
    requestId: r.requestId,
    receivedAt: r.receivedAt,
  }));
}

/**
 * What an operator tells the Capacity Provider by hand: a request to adjust an accepted forecast
 * in force (COR-23: correlated to it, its blocks within its future span) and a report that the
 * depot cannot comply with an accepted forecast. Each is an outbound message like any other
 * (retried, listed with the publications) and an audit record naming who sent it. Only on a
 * connection that is ready for business.
 */
export class OperatorMessageService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxAttempts: number,
  ) {}

  async #ready(trx: Trx, connectionId: string) {
    const snap = await projection.findConnection(trx, connectionId, true);
    if (!snap) throw appErrors.notFound('OSCP connection', connectionId);
    if (!snap.enabled || !readyForBusiness(snap.lifecycle))
      throw appErrors.conflict(
        `${NOT_READY}; it is ${snap.enabled ? snap.lifecycle.phase : 'disabled'}.`,
      );
    return snap;
  }

  /**
   * The message in the outbox and its audit record (made from the message's request id), in the
   * caller's transaction, which holds the connection's lock.
   */
  async #send(
    trx: Trx,
    connectionId: string,
    message: { kind: string; body: Record<string, unknown>; correlationId: string | null },
    audit: (requestId: string) => ConnectionAuditEvent,
    now: Date,
  ): Promise<SentToPeer> {
    const queued = (await enqueueOutbound(
      trx,
      { connectionId, ...message, maxAttempts: this.maxAttempts },
      now,
    ))!;
    await appendAudit(trx, connectionId, [audit(queued.requestId)], now);
    return { requestId: queued.requestId, correlationId: message.correlationId };
  }

  /** The forecast an adjustment request is about: named, or the newest ahead (of the type). */
  async #forecastToAdjust(
    trx: Trx,
    connectionId: string,
    input: { forecastRequestId?: string | undefined; type?: CapacityForecastType | undefined },
    now: Date,
  ): Promise<ForecastAhead> {
    const ahead = forecastsAhead(await storedBlocks(trx, connectionId, now), now);
    if (input.forecastRequestId) {
      const named = ahead.find((f) => f.requestId === input.forecastRequestId);
      if (named) return named;
      const outcome = await outcomes.forecastOutcome(
        trx,
        connectionAuditStream(connectionId),
        input.forecastRequestId,
      );
      throw appErrors.conflict(
        outcome?.outcome === 'REJECTED'
          ? `Forecast ${input.forecastRequestId} was rejected (${outcome.reason ?? 'no reason recorded'}): only an accepted forecast can be adjusted.`
          : outcome
            ? `Forecast ${input.forecastRequestId} has no blocks ahead any more (it passed or a later forecast replaced it).`
            : `Forecast ${input.forecastRequestId} was not accepted on this connection.`,
      );
    }
    const candidates = input.type ? ahead.filter((f) => f.type === input.type) : ahead;
    if (candidates[0]) return candidates[0];
    throw appErrors.conflict(
      input.type && ahead.length > 0
        ? `No accepted ${input.type} forecast is in force on this connection.`
        : NO_FORECAST_AHEAD,
    );
  }

  async requestAdjustment(
    connectionId: string,
    by: string,
    input: {
      forecastRequestId?: string | undefined;
      type?: CapacityForecastType | undefined;
      blocks: readonly RequestedBlock[];
    },
  ): Promise<SentToPeer> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const snap = await this.#ready(trx, connectionId);
      const forecast = await this.#forecastToAdjust(trx, connectionId, input, now);
      const type = input.type ?? forecast.type;
      if (type !== forecast.type)
        throw appErrors.invalid(`type: must be the forecast's type (${forecast.type})`, [
          { field: 'type', message: `must be the forecast's type (${forecast.type})` },
        ]);
      const body = adjustGroupCapacityForecastSchema.safeParse({
        group_id: snap.groupId,
        type,
        forecasted_blocks: wireBlocks(input.blocks),
      });
      if (!body.success) throw invalid(body.error);
      const outside = blocksOutside(
        input.blocks.map((b) => ({ start: new Date(b.start), end: new Date(b.end) })),
        forecast,
      );
      if (outside.length > 0) {
        const fields = outside.map((p) => ({
          field: `blocks.${p.index}.${p.field}`,
          message: p.message,
        }));
        throw appErrors.invalid(`blocks.${outside[0]!.index}: ${outside[0]!.message}`, fields);
      }
      return this.#send(
        trx,
        connectionId,
        {
          kind: 'AdjustGroupCapacityForecast',
          body: body.data,
          correlationId: forecast.requestId,
        },
        (requestId) => ({
          type: 'OscpAdjustmentRequested',
          data: {
            connectionId,
            requestId,
            type,
            blocks: body.data.forecasted_blocks,
            forecastRequestId: forecast.requestId,
            by,
            at: now.toISOString(),
          },
        }),
        now,
      );
    });
  }

  /** What a report names when it names nothing: the forecast in force, else the latest accepted. */
  async #defaultComplianceForecast(db: Executor, connectionId: string, now: Date) {
    const inForce = forecastInForce(await storedBlocks(db, connectionId, now), now);
    if (inForce) {
      const outcome = await outcomes.forecastOutcome(
        db,
        connectionAuditStream(connectionId),
        inForce.requestId,
      );
      return {
        requestId: inForce.requestId,
        type: inForce.type,
        at: outcome?.at ?? inForce.receivedAt.toISOString(),
      };
    }
    return outcomes.latestAcceptedForecast(db, connectionAuditStream(connectionId));
  }

  /** About the accepted forecast with `forecastRequestId`, or the one in force when none is named. */
  async reportComplianceError(
    connectionId: string,
    by: string,
    input: { message: string; forecastRequestId?: string | undefined },
  ): Promise<SentToPeer> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      await this.#ready(trx, connectionId);
      let correlationId: string;
      if (input.forecastRequestId) {
        const outcome = await outcomes.forecastOutcome(
          trx,
          connectionAuditStream(connectionId),
          input.forecastRequestId,
        );
        if (outcome?.outcome !== 'ACCEPTED')
          throw appErrors.conflict(
            outcome
              ? `Forecast ${input.forecastRequestId} was rejected (${outcome.reason ?? 'no reason recorded'}): a compliance error refers to an accepted forecast.`
              : `Forecast ${input.forecastRequestId} was not accepted on this connection: a compliance error refers to an accepted forecast.`,
          );
        correlationId = outcome.requestId;
      } else {
        const forecast = await this.#defaultComplianceForecast(trx, connectionId, now);
        if (!forecast) throw appErrors.conflict(NO_ACCEPTED_FORECAST);
        correlationId = forecast.requestId;
      }
      const body = groupCapacityComplianceErrorSchema.safeParse({ message: input.message });
      if (!body.success) throw invalid(body.error);
      return this.#send(
        trx,
        connectionId,
        { kind: 'GroupCapacityComplianceError', body: body.data, correlationId },
        (requestId) => ({
          type: 'OscpComplianceErrorReported',
          data: {
            connectionId,
            requestId,
            forecastRequestId: correlationId,
            message: input.message,
            by,
            at: now.toISOString(),
          },
        }),
        now,
      );
    });
  }

  /** What may be sent now and, when not, why: the console disables its buttons with the reason. */
  async offers(connectionId: string): Promise<OperatorMessageOffers> {
    const now = this.clock.now();
    const snap = await projection.findConnection(this.db, connectionId);
    if (!snap) throw appErrors.notFound('OSCP connection', connectionId);
    const notReady =
      !snap.enabled || !readyForBusiness(snap.lifecycle)
        ? `${NOT_READY}; it is ${snap.enabled ? snap.lifecycle.phase : 'disabled'}.`
        : null;
    const ahead = forecastsAhead(await storedBlocks(this.db, connectionId, now), now);
    const forecast = await this.#defaultComplianceForecast(this.db, connectionId, now);
    return {
      adjustment: {
        offered: !notReady && ahead.length > 0,
        reason: notReady ?? (ahead.length === 0 ? NO_FORECAST_AHEAD : null),
        forecasts: ahead.map((f) => ({
          requestId: f.requestId,
          type: f.type,
          futureStart: f.futureStart.toISOString(),
          end: f.end.toISOString(),
          receivedAt: f.receivedAt.toISOString(),
        })),
      },
      complianceError: {
        offered: !notReady && forecast !== undefined,
        reason: notReady ?? (forecast ? null : NO_ACCEPTED_FORECAST),
        forecast: forecast
          ? { requestId: forecast.requestId, type: forecast.type, at: forecast.at }
          : null,
      },
    };
  }
}
