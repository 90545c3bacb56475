import {
  toWireTime,
  type Handshake,
  type HandshakeAcknowledge,
  type Register,
} from '@openvelope/oscp';
import type { ConnectionProfile } from './connection-profile';
import type { PeerCredentialKind } from './credentials';
import type { LifecycleEffect } from './effects';
import {
  acceptsHandshake,
  acknowledgementWaitMs,
  behaviourFromWire,
  behaviourToWire,
  firstHeartbeatDeadline,
  handshakeProblem,
  handshakeRequiredAfterOffline,
  handshakeRetryRefusal,
  offlineModeAt,
  ourRequiredBehaviour,
  selectVersion,
  type Lifecycle,
  type LifecycleEvent,
  type PendingHandshake,
  type ReregistrationCredential,
  type RequiredBehaviour,
} from './lifecycle';
import { refuse, type Refusal } from './refusal';
import { secretPlaceholder, tokenForPeerSecret } from './secret-names';

/**
 * The OSCP lifecycle as a decider: `decide(state, command, now)` returns the events that happened
 * and the effects they cause (messages to send, due work to book or cancel, credentials to issue,
 * problems to show), or a refusal. Pure: fresh request ids arrive in the commands, settings in the
 * factory, time as `now`. The app loads the state, runs this, appends the events and carries out
 * the effects in one transaction (app/connection-handler.ts).
 */

export interface LifecycleSettings {
  /** Our OSCP API root as peers reach it, sent in our Register. */
  ourBaseUrl: string;
  /** How long we wait for the peer's Register after ours was delivered. */
  registrationReplyTimeoutMs: number;
  /** How long we wait for the acknowledgement of a handshake of ours that was delivered. */
  handshakeAcknowledgementTimeoutMs: number;
}

/** What the lifecycle decides on: the connection as its read model holds it. */
export interface LifecycleState {
  id: string;
  enabled: boolean;
  profile: ConnectionProfile;
  lifecycle: Lifecycle;
}

/** One delivery attempt of an outbound message, as the dispatcher reports it. */
export interface DeliveryFacts {
  kind: string;
  requestId: string;
  correlationId: string | null;
  attempt: number;
  maxAttempts: number;
  /** The message's state after this attempt. */
  status: 'DELIVERED' | 'RETRYING' | 'FAILED';
  outcome: 'delivered' | 'rejected' | 'failed' | 'invalid';
  httpStatus: number | null;
  url: string | null;
  /** What went wrong, for anything but a delivery. */
  message: string | null;
  /** The start of the peer's answer when it refused with a body. */
  responseBody: string | null;
  timedOut: boolean;
  nextAttemptAt: Date | null;
  at: Date;
}

export type LifecycleCommand =
  /** The connection was enabled: register (token exchange) or go straight to the handshake (OAuth). */
  | { type: 'Start'; registerRequestId: string; handshakeRequestId: string }
  /** The connection was disabled or disconnected: the peer hears nothing more from us. */
  | { type: 'Stop' }
  | { type: 'RetryRegistration'; by: string; requestId: string }
  /**
   * Start registration afresh in any enabled phase (a peer that forgot us), holding the operating
   * mode meanwhile. `initialTokenForPeer` is the new one-time token for AWAIT_PEER.
   */
  | {
      type: 'Reregister';
      by: string;
      credential: ReregistrationCredential;
      requestId: string;
      /** Whether we hold a token the peer gave us (PEER_TOKEN needs one). */
      holdsPeerToken: boolean;
      initialTokenForPeer: string;
    }
  | {
      type: 'RetryHandshake';
      by: string;
      pending: PendingHandshake | undefined;
      requestId: string;
    }
  | {
      type: 'ReceiveRegister';
      credential: PeerCredentialKind;
      requestId: string;
      body: Register;
      /** Our Register back, when the peer registered first with an initial token. */
      replyRequestId: string;
      handshakeRequestId: string;
    }
  /** A Register from the peer was refused before it reached ReceiveRegister (a malformed body). */
  | { type: 'NoteRefusedRegister'; requestId: string | null; reason: string }
  | { type: 'ReceiveHandshake'; requestId: string; body: Handshake; acknowledgeRequestId: string }
  | {
      type: 'ReceiveHandshakeAcknowledge';
      correlationId: string | undefined;
      body: HandshakeAcknowledge;
    }
  | { type: 'ReceiveHeartbeat'; offlineModeAt: Date; handshakeRequestId: string }
  /** Due work: our heartbeat planned for `dueAt`. */
  | { type: 'SendHeartbeat'; dueAt: Date }
  /** Due work at the peer's offline_mode_at (or the first-heartbeat deadline). */
  | { type: 'CheckLiveness' }
  | { type: 'RegistrationTimedOut' }
  /** Due work: the acknowledgement of our handshake `awaitedRequestId` should have come by now. */
  | { type: 'AcknowledgementDue'; awaitedRequestId: string; retryRequestId: string }
  | { type: 'RecordDelivery'; delivery: DeliveryFacts };

export interface LifecycleDecision {
  events: LifecycleEvent[];
  effects: LifecycleEffect[];
  /** Set when the command is refused; events and effects then only record the refusal. */
  refusal?: Refusal;
}

const decided = (
  events: LifecycleEvent[] = [],
  effects: LifecycleEffect[] = [],
): LifecycleDecision => ({ events, effects });
const refused = (refusal: Refusal, events: LifecycleEvent[] = []): LifecycleDecision => ({
  events,
  effects: [],
  refusal,
});

/** Messages sent on a schedule: thousands a day per connection, so delivering one is routine. */
const PERIODIC_KINDS = new Set(['Heartbeat', 'UpdateGroupMeasurements', 'UpdateAssetMeasurements']);

/**
 * A delivered periodic publication changes nothing but a delivery problem it clears: the app
 * records it without locking the connection or appending anything.
 */
export function isRoutineDelivery(delivery: Pick<DeliveryFacts, 'kind' | 'status'>): boolean {
  return PERIODIC_KINDS.has(delivery.kind) && delivery.status === 'DELIVERED';
}

/** Phases in which we send heartbeats (at the interval the peer asked for). */
const HEARTBEATING = ['HANDSHAKEN', 'ONLINE', 'OFFLINE'];

/** A refused Register counts against a registration only while we wait for one. */
function registerRefused(
  s: LifecycleState,
  requestId: string | null,
  reason: string,
  now: Date,
): LifecycleEvent[] {
  if (s.lifecycle.phase !== 'REGISTERING') return [];
  return [
    {
      type: 'OscpPeerRegisterRefused',
      data: { connectionId: s.id, requestId, reason, at: now.toISOString() },
    },
  ];
}

export function lifecycleDecider(settings: LifecycleSettings) {
  /** Our Register with a fresh token for the peer; answering a peer's Register, correlated to it. */
  function beginRegistration(
    s: LifecycleState,
    requestId: string,
    now: Date,
    answering: { correlationId: string } | null,
    by?: string,
    reregistration?: ReregistrationCredential,
  ): { event: LifecycleEvent; effects: LifecycleEffect[] } {
    // We call the peer with the newest token it gave us (the initial token until it gave one):
    // only an operator's re-registration with the initial token drops it (ADR 0025).
    const forgetPeerToken = reregistration === 'INITIAL_TOKEN';
    return {
      effects: [
        ...(forgetPeerToken ? [{ type: 'ForgetPeerToken' } as const] : []),
        { type: 'RevokeCredentials', kinds: ['TOKEN'] },
        { type: 'IssueTokenForPeer' },
        {
          type: 'Send',
          message: {
            kind: 'Register',
            requestId,
            correlationId: answering?.correlationId ?? null,
            body: {
              token: secretPlaceholder(tokenForPeerSecret(s.id)),
              version_url: [{ version: '2.0', base_url: settings.ourBaseUrl }],
            },
          },
        },
      ],
      event: {
        type: 'OscpRegistrationStarted',
        data: {
          connectionId: s.id,
          requestId,
          initiatedBy: answering ? 'CAPACITY_PROVIDER' : 'FLEXIBILITY_PROVIDER',
          ...(by ? { by } : {}),
          ...(reregistration ? { reregistration: { credential: reregistration } } : {}),
          at: now.toISOString(),
        },
      },
    };
  }

  function sendHandshake(
    s: LifecycleState,
    requestId: string,
    now: Date,
    by?: string,
  ): { event: LifecycleEvent; effects: LifecycleEffect[] } {
    const requiredBehaviour = ourRequiredBehaviour(s.profile);
    return {
      effects: [
        {
          type: 'Send',
          message: {
            kind: 'Handshake',
            requestId,
            body: { required_behaviour: behaviourToWire(requiredBehaviour) },
          },
        },
      ],
      event: {
        type: 'OscpHandshakeSent',
        data: {
          connectionId: s.id,
          requestId,
          requiredBehaviour,
          ...(by ? { by } : {}),
          at: now.toISOString(),
        },
      },
    };
  }

  /**
   * A handshake completed (our acknowledgement delivered, or theirs received): heartbeats to the
   * peer at the interval it asked for, starting now; measurements at the end of each period; the
   * wait for an acknowledgement ends; and a peer we asked for heartbeats must send one in time.
   */
  function completeHandshake(
    s: LifecycleState,
    completion: {
      peerRequires: RequiredBehaviour;
      weRequire: RequiredBehaviour;
      via: 'ACKNOWLEDGEMENT_DELIVERED' | 'ACKNOWLEDGEMENT_RECEIVED';
      correlationId: string;
    },
    at: Date,
  ): LifecycleDecision {
    const deadline = s.profile.interoperability.expectPeerHeartbeats
      ? firstHeartbeatDeadline(s.lifecycle, completion.weRequire, at)
      : null;
    const effects: LifecycleEffect[] = [
      completion.peerRequires.heartbeatIntervalSeconds
        ? { type: 'Schedule', work: 'heartbeat', dueAt: at }
        : { type: 'Cancel', work: 'heartbeat' },
      { type: 'StartMeasurements' },
      { type: 'Cancel', work: 'handshake-acknowledgement' },
      { type: 'ClearProblem', kind: 'HANDSHAKE', subject: '', at: at.toISOString() },
    ];
    if (deadline) effects.push({ type: 'Schedule', work: 'liveness-check', dueAt: deadline });
    return decided(
      [
        {
          type: 'OscpHandshakeCompleted',
          data: {
            connectionId: s.id,
            ...completion,
            heartbeatDeadline: deadline?.toISOString() ?? null,
            at: at.toISOString(),
          },
        },
      ],
      effects,
    );
  }

  function recordDelivery(s: LifecycleState, d: DeliveryFacts): LifecycleDecision {
    const at = d.at.toISOString();
    const { lifecycle } = s;
    const events: LifecycleEvent[] = [];
    const effects: LifecycleEffect[] = [
      {
        type: 'Audit',
        event: {
          type: 'OscpOutboundAttempted',
          data: {
            connectionId: s.id,
            kind: d.kind,
            requestId: d.requestId,
            correlationId: d.correlationId,
            attempt: d.attempt,
            status: d.status,
            outcome: d.outcome,
            httpStatus: d.httpStatus,
            url: d.url,
            error: d.outcome === 'delivered' ? null : d.message,
            response: d.responseBody,
            nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
            at,
          },
        },
      },
      d.outcome === 'delivered'
        ? { type: 'ClearProblem', kind: 'DELIVERY', subject: d.kind, at }
        : {
            type: 'OpenProblem',
            problem: {
              kind: 'DELIVERY',
              subject: d.kind,
              at,
              attempted: `${d.kind} (attempt ${d.attempt} of ${d.maxAttempts})`,
              url: d.url,
              status: d.timedOut ? 'timeout' : d.httpStatus ? String(d.httpStatus) : d.outcome,
              message: d.message ?? '',
            },
          },
    ];
    const registerUndelivered = (): LifecycleEvent => ({
      type: 'OscpRegistrationFailed',
      data: {
        connectionId: s.id,
        reason: `Our Register could not be delivered: ${d.message ?? ''}`,
        requestId: d.requestId,
        at,
      },
    });

    if (d.kind === 'Register' && lifecycle.registration.pendingRequestId === d.requestId) {
      if (d.status === 'DELIVERED' && lifecycle.phase === 'REGISTERING') {
        effects.push({
          type: 'Schedule',
          work: 'registration-timeout',
          dueAt: new Date(d.at.getTime() + settings.registrationReplyTimeoutMs),
        });
      } else if (d.status === 'FAILED') {
        events.push(registerUndelivered());
      }
    } else if (
      d.kind === 'Register' &&
      d.status === 'FAILED' &&
      d.correlationId !== null &&
      lifecycle.phase === 'REGISTERED' &&
      lifecycle.registration.latestRequestId === d.requestId
    ) {
      // Our answer to a peer that registered first never arrived: the peer does not hold our
      // token, so the exchange did not complete even though theirs was accepted.
      events.push(registerUndelivered());
    }

    if (
      d.kind === 'Handshake' &&
      d.status === 'DELIVERED' &&
      lifecycle.handshake.sentRequestId === d.requestId
    ) {
      // Delivered is not acknowledged: wait for the acknowledgement, then send it again.
      effects.push({
        type: 'Schedule',
        work: 'handshake-acknowledgement',
        dueAt: new Date(
          d.at.getTime() +
            acknowledgementWaitMs(
              settings.handshakeAcknowledgementTimeoutMs,
              lifecycle.handshake.unacknowledged,
            ),
        ),
        payload: { requestId: d.requestId },
      });
    }

    if (
      d.kind === 'HandshakeAcknowledge' &&
      d.status === 'DELIVERED' &&
      lifecycle.handshake.receivedRequestId === d.requestId
    ) {
      const completed = completeHandshake(
        s,
        {
          peerRequires: lifecycle.handshake.peerRequires ?? {
            heartbeatIntervalSeconds: null,
            measurementConfiguration: [],
          },
          weRequire: lifecycle.handshake.weRequire ?? ourRequiredBehaviour(s.profile),
          via: 'ACKNOWLEDGEMENT_DELIVERED',
          correlationId: d.correlationId ?? '',
        },
        d.at,
      );
      events.push(...completed.events);
      effects.push(...completed.effects);
    }
    return decided(events, effects);
  }

  function decide(s: LifecycleState, command: LifecycleCommand, now: Date): LifecycleDecision {
    const at = now.toISOString();
    const { lifecycle, profile } = s;
    switch (command.type) {
      case 'Start': {
        if (profile.authMode === 'OSCP_TOKEN') {
          const started = beginRegistration(s, command.registerRequestId, now, null);
          return decided([started.event], started.effects);
        }
        const events: LifecycleEvent[] = [
          { type: 'OscpRegisteredOutOfBand', data: { connectionId: s.id, at } },
        ];
        const effects: LifecycleEffect[] = [];
        if (profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER') {
          const sent = sendHandshake(s, command.handshakeRequestId, now);
          events.push(sent.event);
          effects.push(...sent.effects);
        }
        return decided(events, effects);
      }

      case 'Stop':
        // Issued tokens stop working; messages still waiting are not sent.
        return decided(
          [],
          [
            { type: 'CancelUnsent', reason: 'not sent: the connection was disabled' },
            { type: 'Cancel', work: 'heartbeat' },
            { type: 'StopMeasurements' },
            { type: 'Cancel', work: 'liveness-check' },
            { type: 'Cancel', work: 'registration-timeout' },
            { type: 'Cancel', work: 'handshake-acknowledgement' },
            { type: 'RevokeCredentials', kinds: ['INITIAL_TOKEN', 'TOKEN', 'ACCESS_TOKEN'] },
          ],
        );

      case 'RetryRegistration': {
        if (!s.enabled)
          return refused(
            refuse('conflict', 'Enable the connection before retrying its registration.'),
          );
        if (profile.authMode !== 'OSCP_TOKEN')
          return refused(
            refuse(
              'conflict',
              'This connection is registered out of band (OAuth2); there is no Register to retry.',
            ),
          );
        if (lifecycle.phase !== 'REGISTRATION_FAILED')
          return refused(
            refuse(
              'conflict',
              `Registration can be retried after it failed; the connection is ${lifecycle.phase}.`,
            ),
          );
        const started = beginRegistration(s, command.requestId, now, null, command.by);
        return decided([started.event], started.effects);
      }

      case 'Reregister': {
        if (!s.enabled)
          return refused(refuse('conflict', 'Enable the connection before re-registering.'));
        if (profile.authMode !== 'OSCP_TOKEN')
          return refused(
            refuse(
              'conflict',
              'This connection is registered out of band (OAuth2): there is no registration to redo; check the client credentials and static headers instead.',
            ),
          );
        if (command.credential === 'PEER_TOKEN' && !command.holdsPeerToken)
          return refused(
            refuse(
              'conflict',
              'The peer has given us no token yet: re-register with the initial token, or let the peer register first with a new one.',
            ),
          );
        if (command.credential === 'AWAIT_PEER') {
          // Nothing goes out: the peer registers first with the new one-time token (shown once),
          // and we register back as for any first Register of the peer.
          return decided(
            [
              {
                type: 'OscpRegistrationStarted',
                data: {
                  connectionId: s.id,
                  requestId: null,
                  initiatedBy: 'CAPACITY_PROVIDER',
                  by: command.by,
                  reregistration: { credential: 'AWAIT_PEER' },
                  at,
                },
              },
            ],
            [
              { type: 'Cancel', work: 'registration-timeout' },
              { type: 'IssueInitialToken', token: command.initialTokenForPeer },
            ],
          );
        }
        const started = beginRegistration(
          s,
          command.requestId,
          now,
          null,
          command.by,
          command.credential,
        );
        return decided([started.event], started.effects);
      }

      case 'RetryHandshake': {
        const refusal = handshakeRetryRefusal(s, command.pending);
        if (refusal) return refused(refuse('conflict', refusal));
        const sent = sendHandshake(s, command.requestId, now, command.by);
        return decided([sent.event], sent.effects);
      }

      case 'ReceiveRegister': {
        const offer = command.body.version_url.map((v) => v.version);
        const version = selectVersion(offer);
        if (!version) {
          const reason = `No common OSCP version: you offered ${offer.join(', ')}; we speak 2.0.`;
          return refused(
            refuse('unsupported-version', reason),
            registerRefused(s, command.requestId, reason, now),
          );
        }
        const peerBaseUrl = command.body.version_url
          .find((v) => v.version === version)!
          .base_url.replace(/\/+$/, '');
        const events: LifecycleEvent[] = [];
        const effects: LifecycleEffect[] = [];
        if (command.credential === 'INITIAL_TOKEN') {
          // They registered first: retire the initial token and register back with a fresh
          // token, correlated to their Register.
          effects.push({ type: 'RevokeCredentials', kinds: ['INITIAL_TOKEN'] });
          const started = beginRegistration(s, command.replyRequestId, now, {
            correlationId: command.requestId,
          });
          events.push(started.event);
          effects.push(...started.effects);
        }
        effects.push({ type: 'StorePeerToken', token: command.body.token });
        events.push({
          type: 'OscpPeerRegistered',
          data: {
            connectionId: s.id,
            requestId: command.requestId,
            version,
            peerBaseUrl,
            at,
          },
        });
        effects.push(
          { type: 'Cancel', work: 'registration-timeout' },
          { type: 'ClearProblem', kind: 'REGISTRATION', subject: '', at },
        );
        if (profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER') {
          const sent = sendHandshake(s, command.handshakeRequestId, now);
          events.push(sent.event);
          effects.push(...sent.effects);
        }
        return decided(events, effects);
      }

      case 'NoteRefusedRegister':
        return decided(registerRefused(s, command.requestId, command.reason, now));

      case 'ReceiveHandshake': {
        if (!acceptsHandshake(lifecycle.phase))
          return refused(
            refuse(
              'forbidden',
              `Register before the handshake (this connection is ${lifecycle.phase}).`,
            ),
          );
        const required = behaviourFromWire(command.body.required_behaviour);
        const problem = handshakeProblem(profile, required);
        if (problem) {
          // The rejection is recorded before the peer hears about it.
          return refused(refuse('invalid', problem), [
            {
              type: 'OscpHandshakeRejected',
              data: {
                connectionId: s.id,
                requestId: command.requestId,
                reason: problem,
                at,
              },
            },
          ]);
        }
        const ours = ourRequiredBehaviour(profile);
        return decided(
          [
            {
              type: 'OscpHandshakeReceived',
              data: {
                connectionId: s.id,
                requestId: command.requestId,
                requiredBehaviour: required,
                acknowledgeRequestId: command.acknowledgeRequestId,
                ourRequiredBehaviour: ours,
                at,
              },
            },
          ],
          [
            {
              type: 'Send',
              message: {
                kind: 'HandshakeAcknowledge',
                requestId: command.acknowledgeRequestId,
                correlationId: command.requestId,
                body: { required_behaviour: behaviourToWire(ours) },
              },
            },
          ],
        );
      }

      case 'ReceiveHandshakeAcknowledge': {
        const pending = lifecycle.handshake.sentRequestId;
        if (!pending)
          return refused(refuse('invalid', 'No handshake of ours is awaiting an acknowledgement.'));
        if (command.correlationId !== pending)
          return refused(
            refuse(
              'invalid',
              `X-Correlation-ID must be the X-Request-ID of our handshake (${pending}).`,
            ),
          );
        return completeHandshake(
          s,
          {
            peerRequires: behaviourFromWire(command.body.required_behaviour),
            weRequire: lifecycle.handshake.weRequire ?? ourRequiredBehaviour(profile),
            via: 'ACKNOWLEDGEMENT_RECEIVED',
            correlationId: command.correlationId,
          },
          now,
        );
      }

      case 'ReceiveHeartbeat': {
        const effects: LifecycleEffect[] = [
          { type: 'RecordHeartbeat', receivedAt: now, offlineModeAt: command.offlineModeAt },
        ];
        // A peer whose profile says it sends no heartbeats has no liveness to track.
        if (profile.interoperability.expectPeerHeartbeats)
          effects.push({ type: 'Schedule', work: 'liveness-check', dueAt: command.offlineModeAt });
        const { phase, handshake } = lifecycle;
        // The routine beat of a peer that is already online changes nothing else.
        if (phase === 'HANDSHAKEN' || (phase === 'OFFLINE' && !handshake.required)) {
          effects.push({ type: 'ClearProblem', kind: 'LIVENESS', subject: '', at });
          return decided(
            [
              {
                type: 'OscpPeerOnline',
                data: {
                  connectionId: s.id,
                  heartbeatAt: at,
                  offlineModeAt: command.offlineModeAt.toISOString(),
                  at,
                },
              },
            ],
            effects,
          );
        }
        if (
          phase === 'OFFLINE' &&
          handshake.required &&
          profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER' &&
          !handshake.sentRequestId
        ) {
          // The peer is back; it must handshake again before business, and we start it.
          const sent = sendHandshake(s, command.handshakeRequestId, now);
          return decided([sent.event], [...effects, ...sent.effects]);
        }
        return decided([], effects);
      }

      case 'SendHeartbeat': {
        const interval = lifecycle.handshake.peerRequires?.heartbeatIntervalSeconds;
        if (!s.enabled || !interval || !HEARTBEATING.includes(lifecycle.phase)) return decided();
        // The next beat keeps the planned rhythm unless we fell behind it.
        const planned = command.dueAt.getTime() + interval * 1000;
        const next =
          planned > now.getTime() ? new Date(planned) : new Date(now.getTime() + interval * 1000);
        return decided(
          [],
          [
            {
              type: 'Send',
              message: {
                kind: 'Heartbeat',
                body: { offline_mode_at: toWireTime(offlineModeAt(now, interval)) },
                dedupeKey: `heartbeat:${s.id}:${command.dueAt.toISOString()}`,
                maxAttempts: 1,
              },
            },
            { type: 'Schedule', work: 'heartbeat', dueAt: next },
          ],
        );
      }

      case 'CheckLiveness': {
        const offlineAt = lifecycle.heartbeat.peerOfflineAt;
        if (!profile.interoperability.expectPeerHeartbeats) return decided();
        if (!s.enabled || !offlineAt || new Date(offlineAt) > now) return decided();
        if (lifecycle.phase !== 'ONLINE' && lifecycle.phase !== 'HANDSHAKEN') return decided();
        const last = lifecycle.heartbeat.lastReceivedAt;
        const asked = lifecycle.handshake.weRequire?.heartbeatIntervalSeconds;
        const message = last
          ? `No heartbeat since ${last}; the peer's offline_mode_at ${offlineAt} passed.`
          : `No heartbeat from the peer since the handshake completed at ${lifecycle.handshake.completedAt ?? 'an unknown time'}; we asked for one every ${asked ?? '?'} s and waited until ${offlineAt}.`;
        return decided(
          [
            {
              type: 'OscpPeerOffline',
              data: {
                connectionId: s.id,
                lastHeartbeatAt: last,
                offlineModeAt: offlineAt,
                handshakeRequired: handshakeRequiredAfterOffline(profile),
                at,
              },
            },
          ],
          [
            {
              type: 'OpenProblem',
              problem: {
                kind: 'LIVENESS',
                subject: '',
                at,
                attempted: 'Waiting for the peer’s heartbeat',
                url: null,
                status: null,
                message,
              },
            },
          ],
        );
      }

      case 'RegistrationTimedOut': {
        if (lifecycle.phase !== 'REGISTERING') return decided();
        const waited = Math.round(settings.registrationReplyTimeoutMs / 1000);
        const refused = lifecycle.registration.refusedRegister;
        // Say what happened: a Register came and was refused is not the same as none came.
        const reason = refused
          ? `The peer's Register at ${refused.at} was refused (${refused.reason}); no acceptable Register within ${waited} s of ours being delivered.`
          : `No Register from the peer within ${waited} s of ours being delivered.`;
        return decided(
          [
            {
              type: 'OscpRegistrationFailed',
              data: {
                connectionId: s.id,
                reason,
                requestId: lifecycle.registration.pendingRequestId,
                at,
              },
            },
          ],
          [
            {
              type: 'OpenProblem',
              problem: {
                kind: 'REGISTRATION',
                subject: '',
                at,
                attempted: 'Registration',
                url: null,
                status: 'timeout',
                message: reason,
              },
            },
          ],
        );
      }

      case 'AcknowledgementDue': {
        if (!s.enabled || lifecycle.handshake.sentRequestId !== command.awaitedRequestId)
          return decided();
        const attempt = lifecycle.handshake.unacknowledged + 1;
        const waitedMs = acknowledgementWaitMs(
          settings.handshakeAcknowledgementTimeoutMs,
          lifecycle.handshake.unacknowledged,
        );
        const retry = sendHandshake(s, command.retryRequestId, now);
        return decided(
          [
            {
              type: 'OscpHandshakeUnacknowledged',
              data: {
                connectionId: s.id,
                requestId: command.awaitedRequestId,
                waitedSeconds: Math.round(waitedMs / 1000),
                attempt,
                at,
              },
            },
            retry.event,
          ],
          [
            {
              type: 'OpenProblem',
              problem: {
                kind: 'HANDSHAKE',
                subject: '',
                at,
                attempted: `Handshake (unacknowledged ${attempt} time${attempt === 1 ? '' : 's'} in a row)`,
                url: null,
                status: 'timeout',
                message: `The Capacity Provider did not acknowledge our handshake ${command.awaitedRequestId} within ${Math.round(waitedMs / 1000)} s of its delivery; sent it again as ${command.retryRequestId}.`,
              },
            },
            ...retry.effects,
          ],
        );
      }

      case 'RecordDelivery':
        return recordDelivery(s, command.delivery);
    }
  }

  return { decide };
}
