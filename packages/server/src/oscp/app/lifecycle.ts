import { randomUUID } from 'node:crypto';
import type { Handshake, HandshakeAcknowledge, Heartbeat, Register } from '@openvelope/oscp';
import { newOpaqueToken } from '../../platform/auth/secrets';
import type { Clock } from '../../platform/clock';
import type { Db, Trx } from '../../platform/db/database';
import { appendToStream, type NewEvent } from '../../platform/events/event-store';
import { problems } from '../../platform/http/problem';
import type { AttemptRecord } from '../../platform/outbox/dispatcher';
import { cancelUnsent, enqueueOutbound } from '../../platform/outbox/outbox';
import { cancelWork, scheduleWork, type DueWork } from '../../platform/scheduler/scheduler';
import type { SecretStore } from '../../platform/secrets/secret-store';
import { toWireTime } from '@openvelope/oscp';
import {
  evolveLifecycle,
  handshakeProblem,
  handshakeRequiredAfterOffline,
  offlineModeAt,
  ourRequiredBehaviour,
  readyForBusiness,
  selectVersion,
  type Lifecycle,
  type LifecycleEvent,
  type RequiredBehaviour,
} from '../domain/lifecycle';
import * as credentials from '../store/peer-credentials';
import * as projection from '../store/connection-projection';
import { pendingHandshake } from '../store/activity';
import { startMeasurements, stopMeasurements } from './measurements';
import { connectionStream } from './stream-names';
import { peerTokenSecret, tokenForPeerSecret } from './secret-names';
import { secretPlaceholder } from './transport';

export const HEARTBEAT_WORK = 'oscp-heartbeat';
export const OFFLINE_CHECK_WORK = 'oscp-offline-check';
export const REGISTRATION_TIMEOUT_WORK = 'oscp-registration-timeout';

export interface LifecycleOptions {
  /** Our OSCP API root as peers reach it, e.g. http://localhost:8080/oscp/fp/2.0 (known once listening). */
  publicBaseUrl: () => string;
  /** How long we wait for the peer's Register after ours was delivered. */
  registrationReplyTimeoutMs: number;
  maxDeliveryAttempts: number;
  /** Lifetime of access tokens from our OAuth token endpoint. */
  accessTokenTtlSeconds: number;
}

/** A refused inbound call: the status and message the peer gets, and the reason we audit. */
export class InboundRefusal extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 501,
    message: string,
  ) {
    super(message);
  }
}

export interface PeerPrincipal {
  kind: 'peer';
  connectionId: string;
  credential: credentials.PeerCredentialKind;
}

type Snapshot = projection.ConnectionRow;

/** Messages sent on a schedule: thousands a day per connection, so a delivery is not an event. */
const PERIODIC_KINDS = new Set(['Heartbeat', 'UpdateGroupMeasurements', 'UpdateAssetMeasurements']);

/** The X-Request-ID of the connection's latest Register of ours (its newest OscpRegistrationStarted). */
async function latestRegistrationRequestId(trx: Trx, connectionId: string) {
  const row = await trx
    .selectFrom('events')
    .select('data')
    .where('stream_id', '=', connectionStream(connectionId))
    .where('type', '=', 'OscpRegistrationStarted')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return (row?.data as { requestId?: string } | undefined)?.requestId;
}

/** What can keep our handshake from being sent again: a message of it still on its way. */
export interface PendingHandshake {
  requestId: string;
  status: string;
}

/**
 * Why our Handshake cannot be sent again now, or undefined when it can: only where we start the
 * handshake (Vector), on an enabled connection waiting for one, with none of ours still on its way.
 * A handshake that failed to deliver otherwise leaves the connection REGISTERED for good.
 */
export function handshakeRetryRefusal(
  snap: Snapshot,
  pending: PendingHandshake | undefined,
): string | undefined {
  if (!snap.enabled) return 'Enable the connection before retrying its handshake.';
  if (snap.profile.handshakeInitiator !== 'FLEXIBILITY_PROVIDER')
    return 'The Capacity Provider starts the handshake on this connection; ask it to send one.';
  const { phase, handshake } = snap.lifecycle;
  const waiting = phase === 'REGISTERED' || (phase === 'OFFLINE' && handshake.required);
  if (!waiting)
    return `A handshake can be retried while the connection waits for one; it is ${phase}.`;
  if (pending)
    return `Our handshake ${pending.requestId} is still ${pending.status}; wait for its outcome.`;
  return undefined;
}

function behaviourFromWire(
  rb: { heartbeat_interval?: number; measurement_configuration?: string[] } | undefined,
): RequiredBehaviour {
  return {
    heartbeatIntervalSeconds: rb?.heartbeat_interval ?? null,
    measurementConfiguration: (rb?.measurement_configuration ??
      []) as RequiredBehaviour['measurementConfiguration'],
  };
}

function behaviourToWire(rb: RequiredBehaviour): {
  heartbeat_interval?: number;
  measurement_configuration: string[];
} {
  return {
    ...(rb.heartbeatIntervalSeconds !== null
      ? { heartbeat_interval: rb.heartbeatIntervalSeconds }
      : {}),
    measurement_configuration: rb.measurementConfiguration,
  };
}

/**
 * Registration, handshake and heartbeat of OSCP connections. Every handler runs in one transaction
 * holding the connection's read-model row lock, so decisions about one connection are serialised
 * across requests, due work and instances; events, outbound messages and due work commit together.
 */
export class LifecycleService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly secrets: SecretStore,
    private readonly options: LifecycleOptions,
  ) {}

  /** Loads and locks the connection, lets `fn` decide, then appends and projects its events. */
  async #within<T>(
    trx: Trx,
    connectionId: string,
    fn: (snap: Snapshot, emit: (...events: NewEvent[]) => void) => Promise<T>,
  ): Promise<T> {
    const snap = await projection.findConnection(trx, connectionId, true);
    if (!snap) throw new InboundRefusal(403, 'This credential belongs to no connection.');
    const emitted: NewEvent[] = [];
    const result = await fn(snap, (...events) => emitted.push(...events));
    if (emitted.length > 0) await this.commitEvents(trx, snap, emitted);
    return result;
  }

  /** Appends lifecycle events and advances the read model's lifecycle snapshot and state. */
  async commitEvents(trx: Trx, snap: Snapshot, events: readonly NewEvent[]): Promise<Lifecycle> {
    const now = this.clock.now();
    await appendToStream(trx, connectionStream(snap.id), snap.version, events, now);
    const before = snap.lifecycle.phase;
    const lifecycle = events.reduce((l, e) => evolveLifecycle(l, e), snap.lifecycle);
    await projection.saveLifecycle(
      trx,
      snap.id,
      { lifecycle, version: snap.version + events.length },
      now,
    );
    snap.lifecycle = lifecycle;
    snap.version += events.length;
    if (lifecycle.phase !== before && this.onPhaseChange) await this.onPhaseChange(trx, snap, now);
    return lifecycle;
  }

  /** Told about every phase change, in its transaction (OSCP control re-decides its mode). */
  onPhaseChange: ((trx: Trx, snap: Snapshot, now: Date) => Promise<void>) | undefined;

  // Starting and stopping

  /**
   * What enabling starts. Token exchange: a fresh token for the peer and our Register, persisted
   * before any delivery. OAuth (Vector): registered out of band, and a handshake from us when the
   * profile says the Flexibility Provider starts it.
   */
  async start(trx: Trx, snap: Snapshot, now: Date): Promise<LifecycleEvent[]> {
    const at = now.toISOString();
    if (snap.profile.authMode === 'OSCP_TOKEN')
      return [await this.#beginRegistration(trx, snap, now)];
    const events: LifecycleEvent[] = [
      { type: 'OscpRegisteredOutOfBand', data: { connectionId: snap.id, at } },
    ];
    if (snap.profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER')
      events.push(await this.#sendHandshake(trx, snap, now));
    return events;
  }

  async #beginRegistration(
    trx: Trx,
    snap: Snapshot,
    now: Date,
    answering: { correlationId: string; initiatedBy: 'CAPACITY_PROVIDER' } | null = null,
  ): Promise<LifecycleEvent> {
    const requestId = randomUUID();
    // A fresh exchange starts from the initial token; a token the peer gave us earlier is dropped.
    await this.secrets.remove(trx, peerTokenSecret(snap.id));
    const tokenForPeer = newOpaqueToken('ovp_');
    await credentials.revokeCredentials(trx, snap.id, ['TOKEN'], now);
    await credentials.issueCredential(
      trx,
      { connectionId: snap.id, kind: 'TOKEN', secret: tokenForPeer },
      now,
    );
    await this.secrets.put(trx, tokenForPeerSecret(snap.id), tokenForPeer, 'oscp-lifecycle', now);
    await enqueueOutbound(
      trx,
      {
        connectionId: snap.id,
        kind: 'Register',
        requestId,
        correlationId: answering?.correlationId ?? null,
        body: {
          token: secretPlaceholder(tokenForPeerSecret(snap.id)),
          version_url: [{ version: '2.0', base_url: this.options.publicBaseUrl() }],
        },
        maxAttempts: this.options.maxDeliveryAttempts,
      },
      now,
    );
    return {
      type: 'OscpRegistrationStarted',
      data: {
        connectionId: snap.id,
        requestId,
        initiatedBy: answering?.initiatedBy ?? 'FLEXIBILITY_PROVIDER',
        at: now.toISOString(),
      },
    };
  }

  async #sendHandshake(
    trx: Trx,
    snap: Snapshot,
    now: Date,
    correlationId?: string,
  ): Promise<LifecycleEvent> {
    const requestId = randomUUID();
    const requiredBehaviour = ourRequiredBehaviour(snap.profile);
    await enqueueOutbound(
      trx,
      {
        connectionId: snap.id,
        kind: 'Handshake',
        requestId,
        correlationId: correlationId ?? null,
        body: { required_behaviour: behaviourToWire(requiredBehaviour) },
        maxAttempts: this.options.maxDeliveryAttempts,
      },
      now,
    );
    return {
      type: 'OscpHandshakeSent',
      data: { connectionId: snap.id, requestId, requiredBehaviour, at: now.toISOString() },
    };
  }

  /**
   * Disabling stops heartbeats and liveness checks; issued tokens stop working; messages still
   * waiting to be sent are not sent (the peer must hear nothing more from us).
   */
  async stop(trx: Trx, connectionId: string, now: Date): Promise<void> {
    await cancelUnsent(trx, connectionId, 'not sent: the connection was disabled', now);
    await cancelWork(trx, HEARTBEAT_WORK, connectionId);
    await stopMeasurements(trx, connectionId);
    await cancelWork(trx, OFFLINE_CHECK_WORK, connectionId);
    await cancelWork(trx, REGISTRATION_TIMEOUT_WORK, connectionId);
    await credentials.revokeCredentials(
      trx,
      connectionId,
      ['INITIAL_TOKEN', 'TOKEN', 'ACCESS_TOKEN'],
      now,
    );
  }

  /**
   * Starts the token exchange again. From REGISTRATION_FAILED (the console's Retry), or from any
   * phase when `anyPhase` (a peer that forgot us, such as the demo Capacity Provider after a restart).
   */
  async retryRegistration(connectionId: string, by: string, anyPhase = false): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const snap = await projection.findConnection(trx, connectionId, true);
      if (!snap) throw problems.notFound('OSCP connection', connectionId);
      if (!snap.enabled)
        throw problems.conflict('Enable the connection before retrying its registration.');
      if (snap.profile.authMode !== 'OSCP_TOKEN') {
        throw problems.conflict(
          'This connection is registered out of band (OAuth2); there is no Register to retry.',
        );
      }
      if (!anyPhase && snap.lifecycle.phase !== 'REGISTRATION_FAILED') {
        throw problems.conflict(
          `Registration can be retried after it failed; the connection is ${snap.lifecycle.phase}.`,
        );
      }
      const event = await this.#beginRegistration(trx, snap, now);
      await this.commitEvents(trx, snap, [{ ...event, data: { ...event.data, by } }]);
    });
  }

  /** Sends our Handshake again (the console's Retry handshake), when `handshakeRetryRefusal` allows. */
  async retryHandshake(connectionId: string, by: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const snap = await projection.findConnection(trx, connectionId, true);
      if (!snap) throw problems.notFound('OSCP connection', connectionId);
      const refusal = handshakeRetryRefusal(snap, await pendingHandshake(trx, connectionId));
      if (refusal) throw problems.conflict(refusal);
      const event = await this.#sendHandshake(trx, snap, now);
      await this.commitEvents(trx, snap, [{ ...event, data: { ...event.data, by } }]);
    });
  }

  /** A one-time token the peer uses to Register first (shown once, stored as a hash). */
  async issueInitialToken(connectionId: string): Promise<string> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const snap = await projection.findConnection(trx, connectionId, true);
      if (!snap) throw problems.notFound('OSCP connection', connectionId);
      if (snap.profile.authMode !== 'OSCP_TOKEN')
        throw problems.conflict('Initial tokens are for token-exchange (OSCP_TOKEN) connections.');
      const token = newOpaqueToken('ovi_');
      await credentials.revokeCredentials(trx, connectionId, ['INITIAL_TOKEN'], now);
      await credentials.issueCredential(
        trx,
        { connectionId, kind: 'INITIAL_TOKEN', secret: token },
        now,
      );
      return token;
    });
  }

  /** Client credentials for our OAuth2 token endpoint (OAuth peers). The secret is shown once. */
  async issueOAuthClient(
    connectionId: string,
  ): Promise<{ clientId: string; clientSecret: string }> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const snap = await projection.findConnection(trx, connectionId, true);
      if (!snap) throw problems.notFound('OSCP connection', connectionId);
      if (snap.profile.authMode !== 'OAUTH2_CLIENT_CREDENTIALS')
        throw problems.conflict('OAuth2 client credentials are for OAuth connections.');
      const clientId = `ovc_${snap.profile.groupId}_${randomUUID().slice(0, 8)}`;
      const clientSecret = newOpaqueToken('ovs_');
      await credentials.revokeCredentials(trx, connectionId, ['OAUTH_CLIENT'], now);
      await credentials.issueCredential(
        trx,
        { connectionId, kind: 'OAUTH_CLIENT', secret: clientSecret, clientId },
        now,
      );
      return { clientId, clientSecret };
    });
  }

  /** Our token endpoint: client credentials in, a short-lived Bearer token out. */
  async issueAccessToken(
    clientId: string,
    clientSecret: string,
  ): Promise<{ token: string; expiresIn: number } | undefined> {
    const now = this.clock.now();
    const client = await credentials.findOAuthClient(this.db, clientId, clientSecret);
    if (!client) return undefined;
    const token = newOpaqueToken('ova_');
    const expiresIn = this.options.accessTokenTtlSeconds;
    await credentials.issueCredential(
      this.db,
      {
        connectionId: client.connectionId,
        kind: 'ACCESS_TOKEN',
        secret: token,
        expiresAt: new Date(now.getTime() + expiresIn * 1000),
      },
      now,
    );
    return { token, expiresIn };
  }

  // Inbound messages

  /**
   * A peer's Register: either its reply to ours (authenticated with the token we sent), or its
   * first move (authenticated with an initial token we issued), which we answer by registering
   * back with a fresh token and retiring the initial one.
   */
  async receiveRegister(
    principal: PeerPrincipal,
    requestId: string,
    body: Register,
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute((trx) =>
      this.#within(trx, principal.connectionId, async (snap, emit) => {
        const offer = body.version_url.map((v) => v.version);
        const version = selectVersion(offer);
        if (!version)
          throw new InboundRefusal(
            501,
            `No common OSCP version: you offered ${offer.join(', ')}; we speak 2.0.`,
          );
        const peerBaseUrl = body.version_url
          .find((v) => v.version === version)!
          .base_url.replace(/\/+$/, '');
        if (principal.credential === 'INITIAL_TOKEN') {
          // They registered first: retire the initial token and register back with a fresh token,
          // correlated to their Register.
          await credentials.revokeCredentials(trx, snap.id, ['INITIAL_TOKEN'], now);
          emit(
            await this.#beginRegistration(trx, snap, now, {
              correlationId: requestId,
              initiatedBy: 'CAPACITY_PROVIDER',
            }),
          );
        }
        await this.secrets.put(trx, peerTokenSecret(snap.id), body.token, 'oscp-peer', now);
        emit({
          type: 'OscpPeerRegistered',
          data: { connectionId: snap.id, requestId, version, peerBaseUrl, at: now.toISOString() },
        });
        await cancelWork(trx, REGISTRATION_TIMEOUT_WORK, snap.id);
        await projection.clearError(trx, snap.id, now.toISOString(), 'REGISTRATION');
        if (snap.profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER')
          emit(await this.#sendHandshake(trx, snap, now));
      }),
    );
  }

  /** The peer states what it requires; we answer 204 and acknowledge through the outbox, or 400. */
  async receiveHandshake(
    principal: PeerPrincipal,
    requestId: string,
    body: Handshake,
  ): Promise<void> {
    const now = this.clock.now();
    let refusal: InboundRefusal | undefined;
    await this.db.transaction().execute((trx) =>
      this.#within(trx, principal.connectionId, async (snap, emit) => {
        if (!['REGISTERED', 'HANDSHAKEN', 'ONLINE', 'OFFLINE'].includes(snap.lifecycle.phase)) {
          throw new InboundRefusal(
            403,
            `Register before the handshake (this connection is ${snap.lifecycle.phase}).`,
          );
        }
        const required = behaviourFromWire(body.required_behaviour);
        const problem = handshakeProblem(snap.profile, required);
        if (problem) {
          emit({
            type: 'OscpHandshakeRejected',
            data: { connectionId: snap.id, requestId, reason: problem, at: now.toISOString() },
          });
          refusal = new InboundRefusal(400, problem);
          return;
        }
        const acknowledgeRequestId = randomUUID();
        const ours = ourRequiredBehaviour(snap.profile);
        await enqueueOutbound(
          trx,
          {
            connectionId: snap.id,
            kind: 'HandshakeAcknowledge',
            requestId: acknowledgeRequestId,
            correlationId: requestId,
            body: { required_behaviour: behaviourToWire(ours) },
            maxAttempts: this.options.maxDeliveryAttempts,
          },
          now,
        );
        emit({
          type: 'OscpHandshakeReceived',
          data: {
            connectionId: snap.id,
            requestId,
            requiredBehaviour: required,
            acknowledgeRequestId,
            ourRequiredBehaviour: ours,
            at: now.toISOString(),
          },
        });
      }),
    );
    // The rejection is recorded (committed) before the peer hears about it.
    if (refusal) throw refusal;
  }

  /** The peer acknowledges the handshake we sent (Vector: either side may start). */
  async receiveHandshakeAcknowledge(
    principal: PeerPrincipal,
    correlationId: string | undefined,
    body: HandshakeAcknowledge,
  ): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute((trx) =>
      this.#within(trx, principal.connectionId, async (snap, emit) => {
        const pending = snap.lifecycle.handshake.sentRequestId;
        if (!pending)
          throw new InboundRefusal(400, 'No handshake of ours is awaiting an acknowledgement.');
        if (correlationId !== pending) {
          throw new InboundRefusal(
            400,
            `X-Correlation-ID must be the X-Request-ID of our handshake (${pending}).`,
          );
        }
        emit({
          type: 'OscpHandshakeCompleted',
          data: {
            connectionId: snap.id,
            peerRequires: behaviourFromWire(body.required_behaviour),
            weRequire: snap.lifecycle.handshake.weRequire ?? ourRequiredBehaviour(snap.profile),
            via: 'ACKNOWLEDGEMENT_RECEIVED',
            correlationId,
            at: now.toISOString(),
          },
        });
        await this.#afterHandshake(trx, snap, behaviourFromWire(body.required_behaviour), now);
      }),
    );
  }

  /**
   * After a handshake: heartbeats to the peer at the interval it asked for, starting now, and
   * measurements at the end of each publication period.
   */
  async #afterHandshake(
    trx: Trx,
    snap: Snapshot,
    peerRequires: RequiredBehaviour,
    now: Date,
  ): Promise<void> {
    if (peerRequires.heartbeatIntervalSeconds) {
      await scheduleWork(trx, { kind: HEARTBEAT_WORK, key: snap.id, dueAt: now }, now);
    } else {
      await cancelWork(trx, HEARTBEAT_WORK, snap.id);
    }
    await startMeasurements(trx, snap, now);
  }

  /** A heartbeat keeps the peer ONLINE until its offline_mode_at; the liveness check is due work at that instant. */
  async receiveHeartbeat(principal: PeerPrincipal, body: Heartbeat): Promise<void> {
    const now = this.clock.now();
    const offlineAt = new Date(body.offline_mode_at);
    await this.db.transaction().execute(async (trx) => {
      // The row lock this update takes orders the beat with every other lifecycle change.
      const state = await projection.saveHeartbeat(trx, principal.connectionId, {
        receivedAt: now,
        offlineModeAt: offlineAt,
      });
      if (!state) throw new InboundRefusal(403, 'This credential belongs to no connection.');
      await scheduleWork(
        trx,
        { kind: OFFLINE_CHECK_WORK, key: principal.connectionId, dueAt: offlineAt },
        now,
      );
      // The routine beat of a peer that is already online changes nothing else.
      if (state === 'ONLINE') return;
      await this.#within(trx, principal.connectionId, async (snap, emit) => {
        const { phase, handshake } = snap.lifecycle;
        if (phase === 'HANDSHAKEN' || (phase === 'OFFLINE' && !handshake.required)) {
          await projection.clearError(trx, snap.id, now.toISOString(), 'LIVENESS');
          emit({
            type: 'OscpPeerOnline',
            data: {
              connectionId: snap.id,
              heartbeatAt: now.toISOString(),
              offlineModeAt: offlineAt.toISOString(),
              at: now.toISOString(),
            },
          });
        } else if (
          phase === 'OFFLINE' &&
          handshake.required &&
          snap.profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER' &&
          !handshake.sentRequestId
        ) {
          // The peer is back; it must handshake again before business, and we are the side that starts.
          emit(await this.#sendHandshake(trx, snap, now));
        }
      });
    });
  }

  /** Business messages need a completed, current handshake; anything else is refused with 403. */
  assertReadyForBusiness(snap: Snapshot | undefined): Snapshot {
    if (!snap || !snap.enabled) throw new InboundRefusal(403, 'This connection is disabled.');
    if (!readyForBusiness(snap.lifecycle))
      throw new InboundRefusal(
        403,
        `Complete the handshake before business messages (this connection is ${snap.lifecycle.phase}).`,
      );
    return snap;
  }

  // Due work

  /** Sends one heartbeat at the cadence the peer asked for and books the next, on the planned beat. */
  async sendHeartbeat(trx: Trx, work: DueWork, now: Date): Promise<void> {
    // No lock: a beat written just before a disable is harmless, and a lock here would make the
    // peer's inbound heartbeat wait for the scheduler's whole batch.
    const snap = await projection.findConnection(trx, work.key);
    const interval = snap?.lifecycle.handshake.peerRequires?.heartbeatIntervalSeconds;
    if (
      !snap ||
      !snap.enabled ||
      !interval ||
      !['HANDSHAKEN', 'ONLINE', 'OFFLINE'].includes(snap.lifecycle.phase)
    )
      return;
    await enqueueOutbound(
      trx,
      {
        connectionId: snap.id,
        kind: 'Heartbeat',
        body: { offline_mode_at: toWireTime(offlineModeAt(now, interval)) },
        dedupeKey: `heartbeat:${snap.id}:${work.dueAt.toISOString()}`,
        maxAttempts: 1,
      },
      now,
    );
    const planned = work.dueAt.getTime() + interval * 1000;
    const next =
      planned > now.getTime() ? new Date(planned) : new Date(now.getTime() + interval * 1000);
    await scheduleWork(trx, { kind: HEARTBEAT_WORK, key: snap.id, dueAt: next }, now);
  }

  /** At the peer's offline_mode_at: OFFLINE unless a later heartbeat moved the instant. */
  async checkOffline(trx: Trx, work: DueWork, now: Date): Promise<void> {
    await this.#within(trx, work.key, async (snap, emit) => {
      const offlineAt = snap.lifecycle.heartbeat.peerOfflineAt;
      if (!snap.enabled || !offlineAt || new Date(offlineAt) > now) return;
      if (snap.lifecycle.phase !== 'ONLINE' && snap.lifecycle.phase !== 'HANDSHAKEN') return;
      emit({
        type: 'OscpPeerOffline',
        data: {
          connectionId: snap.id,
          lastHeartbeatAt: snap.lifecycle.heartbeat.lastReceivedAt,
          offlineModeAt: offlineAt,
          handshakeRequired: handshakeRequiredAfterOffline(snap.profile),
          at: now.toISOString(),
        },
      });
      await projection.saveError(trx, snap.id, {
        source: 'LIVENESS',
        at: now.toISOString(),
        attempted: 'Waiting for the peer’s heartbeat',
        url: null,
        status: null,
        message: `No heartbeat since ${snap.lifecycle.heartbeat.lastReceivedAt ?? 'the handshake'}; the peer's offline_mode_at ${offlineAt} passed.`,
      });
    });
  }

  async registrationTimedOut(trx: Trx, work: DueWork, now: Date): Promise<void> {
    await this.#within(trx, work.key, async (snap, emit) => {
      if (snap.lifecycle.phase !== 'REGISTERING') return;
      const reason = `No Register from the peer within ${Math.round(this.options.registrationReplyTimeoutMs / 1000)} s of ours being delivered.`;
      emit({
        type: 'OscpRegistrationFailed',
        data: {
          connectionId: snap.id,
          reason,
          requestId: snap.lifecycle.registration.pendingRequestId,
          at: now.toISOString(),
        },
      });
      await projection.saveError(trx, snap.id, {
        source: 'REGISTRATION',
        at: now.toISOString(),
        attempted: 'Registration',
        url: null,
        status: 'timeout',
        message: reason,
      });
    });
  }

  // Delivery outcomes

  /** Called by the dispatcher in the transaction recording an attempt. */
  async onDeliveryAttempt(trx: Trx, record: AttemptRecord): Promise<void> {
    const { message, outcome, status } = record;
    const at = record.at.toISOString();
    // A delivered periodic publication (heartbeat, measurements) is routine: its outbox row is its
    // record; no event, no lock, at most a delivery error cleared.
    if (PERIODIC_KINDS.has(message.kind) && status === 'DELIVERED') {
      await projection.clearError(trx, message.connectionId, at, 'DELIVERY');
      return;
    }
    await this.#within(trx, message.connectionId, async (snap, emit) => {
      emit({
        type: 'OscpOutboundAttempted',
        data: {
          connectionId: snap.id,
          kind: message.kind,
          requestId: message.requestId,
          correlationId: message.correlationId,
          attempt: record.attempt,
          status,
          outcome: outcome.status,
          httpStatus: 'httpStatus' in outcome ? (outcome.httpStatus ?? null) : null,
          url: outcome.url ?? null,
          error: outcome.status === 'delivered' ? null : outcome.message,
          nextAttemptAt: record.nextAttemptAt?.toISOString() ?? null,
          at,
        },
      });
      if (outcome.status === 'delivered') {
        await projection.clearError(trx, snap.id, at, 'DELIVERY');
      } else {
        await projection.saveError(trx, snap.id, {
          source: 'DELIVERY',
          at,
          attempted: `${message.kind} (attempt ${record.attempt} of ${message.maxAttempts})`,
          url: outcome.url ?? null,
          status:
            outcome.status === 'failed' && outcome.reason === 'timeout'
              ? 'timeout'
              : 'httpStatus' in outcome && outcome.httpStatus
                ? String(outcome.httpStatus)
                : outcome.status,
          message: outcome.message,
        });
      }
      const registerUndelivered = (): NewEvent => ({
        type: 'OscpRegistrationFailed',
        data: {
          connectionId: snap.id,
          reason: `Our Register could not be delivered: ${outcome.status === 'delivered' ? '' : outcome.message}`,
          requestId: message.requestId,
          at,
        },
      });
      if (
        message.kind === 'Register' &&
        snap.lifecycle.registration.pendingRequestId === message.requestId
      ) {
        if (status === 'DELIVERED' && snap.lifecycle.phase === 'REGISTERING') {
          await scheduleWork(
            trx,
            {
              kind: REGISTRATION_TIMEOUT_WORK,
              key: snap.id,
              dueAt: new Date(record.at.getTime() + this.options.registrationReplyTimeoutMs),
            },
            record.at,
          );
        } else if (status === 'FAILED') {
          emit(registerUndelivered());
        }
      } else if (
        message.kind === 'Register' &&
        status === 'FAILED' &&
        message.correlationId !== null &&
        snap.lifecycle.phase === 'REGISTERED' &&
        (await latestRegistrationRequestId(trx, snap.id)) === message.requestId
      ) {
        // Our answer to a peer that registered first never arrived: the peer does not hold our
        // token, so the exchange did not complete even though theirs was accepted.
        emit(registerUndelivered());
      }
      if (
        message.kind === 'HandshakeAcknowledge' &&
        status === 'DELIVERED' &&
        snap.lifecycle.handshake.receivedRequestId === message.requestId
      ) {
        const peerRequires = snap.lifecycle.handshake.peerRequires ?? {
          heartbeatIntervalSeconds: null,
          measurementConfiguration: [],
        };
        emit({
          type: 'OscpHandshakeCompleted',
          data: {
            connectionId: snap.id,
            peerRequires,
            weRequire: snap.lifecycle.handshake.weRequire ?? ourRequiredBehaviour(snap.profile),
            via: 'ACKNOWLEDGEMENT_DELIVERED',
            correlationId: message.correlationId ?? '',
            at,
          },
        });
        await this.#afterHandshake(trx, snap, peerRequires, record.at);
      }
    });
  }
}
