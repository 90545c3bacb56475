import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import type { AttemptRecord } from '../../platform/outbox/dispatcher';
import type { DueWork } from '../../platform/scheduler/scheduler';
import {
  isRoutineDelivery,
  type DeliveryFacts,
  type LifecycleCommand,
} from '../domain/lifecycle-decider';
import type { ReregistrationCredential } from '../domain/lifecycle';
import type { Refusal } from '../domain/refusal';
import { peerTokenSecret } from '../domain/secret-names';
import { newOpaqueToken } from '../../platform/auth/secrets';
import type { SecretStore } from '../../platform/secrets/secret-store';
import { pendingHandshake } from '../store/activity';
import type { ConnectionHandler, ConnectionRow } from './connection-handler';
import { LIFECYCLE_WORK, resolveProblem } from './effects';
import type { Logger } from '../../platform/logging';

export const HEARTBEAT_WORK = LIFECYCLE_WORK.heartbeat;
export const OFFLINE_CHECK_WORK = LIFECYCLE_WORK['liveness-check'];
export const REGISTRATION_TIMEOUT_WORK = LIFECYCLE_WORK['registration-timeout'];
export const HANDSHAKE_ACKNOWLEDGEMENT_WORK = LIFECYCLE_WORK['handshake-acknowledgement'];

/** What the dispatcher reports, in the lifecycle's terms. */
export function deliveryFacts(record: AttemptRecord): DeliveryFacts {
  const { message, outcome } = record;
  return {
    kind: message.kind,
    requestId: message.requestId,
    correlationId: message.correlationId,
    attempt: record.attempt,
    maxAttempts: message.maxAttempts,
    status: record.status,
    outcome: outcome.status,
    httpStatus: 'httpStatus' in outcome ? (outcome.httpStatus ?? null) : null,
    url: outcome.url ?? null,
    message: outcome.status === 'delivered' ? null : outcome.message,
    responseBody: 'body' in outcome ? (outcome.body ?? null) : null,
    timedOut: outcome.status === 'failed' && outcome.reason === 'timeout',
    nextAttemptAt: record.nextAttemptAt,
    at: record.at,
  };
}

const conflict = (refusal: Refusal) => appErrors.conflict(refusal.message);

/**
 * The OSCP lifecycle's commands from operators, due work and the dispatcher. Each runs the
 * lifecycle decider through the connection handler in one transaction holding the connection's
 * row lock; the decisions themselves live in domain/lifecycle-decider.ts.
 */
export class LifecycleService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly handler: ConnectionHandler,
    private readonly secrets: SecretStore,
    private readonly log: Logger,
  ) {}

  async #command(
    connectionId: string,
    command: (connection: ConnectionRow, trx: Trx) => Promise<LifecycleCommand>,
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const connection = await this.handler.load(trx, connectionId);
      if (!connection) throw appErrors.notFound('OSCP connection', connectionId);
      const { decision } = await this.handler.lifecycle(
        trx,
        connection,
        await command(connection, trx),
        now,
      );
      if (decision.refusal) throw conflict(decision.refusal);
    });
  }

  // Starting and stopping, inside the transaction of the configuration change.

  /** Enabling: register (token exchange), or straight to our handshake where we start it (OAuth). */
  async start(trx: Trx, connection: ConnectionRow, now: Date): Promise<void> {
    await this.handler.lifecycle(
      trx,
      connection,
      { type: 'Start', registerRequestId: randomUUID(), handshakeRequestId: randomUUID() },
      now,
    );
  }

  /** Disabling: heartbeats and checks stop, issued tokens stop working, nothing more is sent. */
  async stop(trx: Trx, connectionId: string, now: Date): Promise<void> {
    const connection = await this.handler.load(trx, connectionId);
    if (connection) await this.handler.lifecycle(trx, connection, { type: 'Stop' }, now);
  }

  // Operators

  /** Starts the token exchange again after it failed (the console's Retry registration). */
  retryRegistration(connectionId: string, by: string): Promise<void> {
    return this.#command(connectionId, async () => ({
      type: 'RetryRegistration',
      by,
      requestId: randomUUID(),
    }));
  }

  /**
   * Registration afresh in any enabled phase, for a peer that forgot us, holding the operating mode
   * until the new handshake completes (ADR 0025). With AWAIT_PEER, returns the new one-time token
   * the peer registers with (shown once).
   */
  async reregister(
    connectionId: string,
    by: string,
    credential: ReregistrationCredential,
  ): Promise<{ initialToken: string | null }> {
    const initialTokenForPeer = newOpaqueToken('ovi_');
    await this.#command(connectionId, async (_connection, trx) => ({
      type: 'Reregister',
      by,
      credential,
      requestId: randomUUID(),
      holdsPeerToken: (await this.secrets.which(trx, [peerTokenSecret(connectionId)])).size > 0,
      initialTokenForPeer,
    }));
    return { initialToken: credential === 'AWAIT_PEER' ? initialTokenForPeer : null };
  }

  /** Sends our Handshake again (the console's Retry handshake), when `handshakeRetryRefusal` allows. */
  retryHandshake(connectionId: string, by: string): Promise<void> {
    return this.#command(connectionId, async (_connection, trx) => ({
      type: 'RetryHandshake',
      by,
      pending: await pendingHandshake(trx, connectionId),
      requestId: randomUUID(),
    }));
  }

  // Due work

  /** Our heartbeat at the cadence the peer asked for, read without the lock (it appends nothing). */
  async sendHeartbeat(trx: Trx, work: DueWork, now: Date): Promise<void> {
    await this.handler.lifecycleUnlocked(
      trx,
      work.key,
      { type: 'SendHeartbeat', dueAt: work.dueAt },
      now,
    );
  }

  async #due(trx: Trx, work: DueWork, command: LifecycleCommand, now: Date): Promise<void> {
    const connection = await this.handler.load(trx, work.key);
    if (connection) await this.handler.lifecycle(trx, connection, command, now);
  }

  /** At the peer's offline_mode_at (or its first-heartbeat deadline): OFFLINE unless a beat moved it. */
  checkOffline(trx: Trx, work: DueWork, now: Date): Promise<void> {
    return this.#due(trx, work, { type: 'CheckLiveness' }, now);
  }

  registrationTimedOut(trx: Trx, work: DueWork, now: Date): Promise<void> {
    return this.#due(trx, work, { type: 'RegistrationTimedOut' }, now);
  }

  /** The acknowledgement of our handshake should have come: say so and send it again. */
  acknowledgementDue(trx: Trx, work: DueWork, now: Date): Promise<void> {
    const awaited = work.payload.requestId;
    if (typeof awaited !== 'string') return Promise.resolve();
    return this.#due(
      trx,
      work,
      { type: 'AcknowledgementDue', awaitedRequestId: awaited, retryRequestId: randomUUID() },
      now,
    );
  }

  // Delivery outcomes

  /** Called by the dispatcher in the transaction recording an attempt. */
  async onDeliveryAttempt(trx: Trx, record: AttemptRecord): Promise<void> {
    const delivery = deliveryFacts(record);
    // A delivered heartbeat or measurement is routine: its outbox row is its record; no lock,
    // no event, at most a delivery problem cleared.
    if (isRoutineDelivery(delivery)) {
      await resolveProblem(
        trx,
        record.message.connectionId,
        { kind: 'DELIVERY', subject: delivery.kind, at: delivery.at.toISOString() },
        this.log,
      );
      return;
    }
    const connection = await this.handler.load(trx, record.message.connectionId);
    if (connection)
      await this.handler.lifecycle(
        trx,
        connection,
        { type: 'RecordDelivery', delivery },
        record.at,
      );
  }
}
