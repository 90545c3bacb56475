import {
  adjustGroupCapacityForecastSchema,
  groupCapacityComplianceErrorSchema,
  toWireTime,
  type CapacityForecastType,
  type ForecastedBlock,
} from '@openvelope/oscp';
import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import { enqueueOutbound } from '../../platform/outbox/outbox';
import { readyForBusiness } from '../domain/lifecycle';
import type { ConnectionAuditEvent } from '../domain/audit-events';
import * as forecasts from '../store/forecast-store';
import * as projection from '../store/connection-projection';
import { appendAudit } from './effects';

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

/**
 * What an operator tells the Capacity Provider by hand: a request to adjust its forecast (more or
 * less capacity for some periods) and a report that the depot cannot comply with a forecast. Each
 * is an outbound message like any other (retried, listed with the publications) and an audit record
 * naming who sent it. Only on a connection that is ready for business.
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
        `Messages go to the Capacity Provider once the connection is handshaken; it is ${snap.enabled ? snap.lifecycle.phase : 'disabled'}.`,
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

  async requestAdjustment(
    connectionId: string,
    by: string,
    input: { type: CapacityForecastType; blocks: readonly RequestedBlock[] },
  ): Promise<SentToPeer> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const snap = await this.#ready(trx, connectionId);
      const body = adjustGroupCapacityForecastSchema.safeParse({
        group_id: snap.groupId,
        type: input.type,
        forecasted_blocks: wireBlocks(input.blocks),
      });
      if (!body.success) throw invalid(body.error);
      return this.#send(
        trx,
        connectionId,
        { kind: 'AdjustGroupCapacityForecast', body: body.data, correlationId: null },
        (requestId) => ({
          type: 'OscpAdjustmentRequested',
          data: {
            connectionId,
            requestId,
            type: input.type,
            blocks: body.data.forecasted_blocks,
            by,
            at: now.toISOString(),
          },
        }),
        now,
      );
    });
  }

  /** About the forecast with `forecastRequestId`, or the last one received when none is named. */
  async reportComplianceError(
    connectionId: string,
    by: string,
    input: { message: string; forecastRequestId?: string | undefined },
  ): Promise<SentToPeer> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      await this.#ready(trx, connectionId);
      const last = (await forecasts.findControl(trx, connectionId))?.lastForecast;
      const correlationId = input.forecastRequestId ?? last?.requestId ?? null;
      if (!correlationId)
        throw appErrors.conflict(
          'No forecast has been received on this connection: there is nothing to report against.',
        );
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
}
