import type { MeasurementConfiguration } from '@openvelope/oscp';
import type { ConnectionEvent } from './connection';
import type { ConnectionProfile } from './connection-profile';

/**
 * The OSCP lifecycle of one connection: registration, handshake, heartbeat liveness. Its state is
 * folded from the connection's event stream next to its configuration; every transition is an
 * event, decided by `decideLifecycle` (lifecycle-decider.ts) with the clock's now as an input.
 */

export type LifecyclePhase =
  | 'CONFIGURED'
  | 'DISABLED'
  | 'DISCONNECTED'
  | 'REGISTERING'
  | 'REGISTRATION_FAILED'
  | 'REGISTERED'
  | 'HANDSHAKEN'
  | 'ONLINE'
  | 'OFFLINE';

export interface RequiredBehaviour {
  heartbeatIntervalSeconds: number | null;
  measurementConfiguration: MeasurementConfiguration[];
}

export interface Lifecycle {
  phase: LifecyclePhase;
  registration: {
    mode: 'TOKEN_EXCHANGE' | 'OUT_OF_BAND' | null;
    /** X-Request-ID of our Register awaiting the peer's Register back. */
    pendingRequestId: string | null;
    /** X-Request-ID of our latest Register, also once the exchange completed. */
    latestRequestId: string | null;
    selectedVersion: string | null;
    peerBaseUrl: string | null;
    registeredAt: string | null;
    failure: { reason: string; at: string } | null;
    /** A Register from the peer that we refused while waiting for one (why it did not count). */
    refusedRegister: { reason: string; at: string } | null;
  };
  handshake: {
    /** X-Request-ID of the handshake we sent and whose acknowledgement we await. */
    sentRequestId: string | null;
    /** X-Request-ID of the peer's handshake whose acknowledgement we are delivering. */
    receivedRequestId: string | null;
    completedAt: string | null;
    /** What the peer asked of us (we send heartbeats at its interval). */
    peerRequires: RequiredBehaviour | null;
    /** What we asked of the peer. */
    weRequire: RequiredBehaviour | null;
    /** After an offline period some profiles need a new handshake before business messages. */
    required: boolean;
    /** How many of our handshakes in a row went unacknowledged (sets the wait before the next). */
    unacknowledged: number;
  };
  heartbeat: {
    lastReceivedAt: string | null;
    peerOfflineAt: string | null;
    wentOfflineAt: string | null;
  };
  /**
   * A re-registration an operator started: until the new handshake completes, OSCP control keeps
   * treating the link as it was (`heldPhase`), so the operating mode and its limit stay in force.
   */
  reregistration: { since: string; heldPhase: LifecyclePhase } | null;
}

/** How a re-registration authenticates (see ADR 0025). */
export type ReregistrationCredential =
  /** Our Register, sent with the newest token the peer gave us. */
  | 'PEER_TOKEN'
  /** Our Register, sent with the initial token configured on the connection. */
  | 'INITIAL_TOKEN'
  /** No Register from us: the peer registers first with a new one-time token we issue. */
  | 'AWAIT_PEER';

export const initialLifecycle: Lifecycle = {
  phase: 'CONFIGURED',
  registration: {
    mode: null,
    pendingRequestId: null,
    latestRequestId: null,
    selectedVersion: null,
    peerBaseUrl: null,
    registeredAt: null,
    failure: null,
    refusedRegister: null,
  },
  handshake: {
    sentRequestId: null,
    receivedRequestId: null,
    completedAt: null,
    peerRequires: null,
    weRequire: null,
    required: true,
    unacknowledged: 0,
  },
  heartbeat: { lastReceivedAt: null, peerOfflineAt: null, wentOfflineAt: null },
  reregistration: null,
};

/** A stored snapshot written before a field existed reads as that field's initial value. */
export function withLifecycleDefaults(stored: Partial<Lifecycle> | undefined): Lifecycle {
  return {
    ...initialLifecycle,
    ...stored,
    reregistration: stored?.reregistration ?? null,
    registration: { ...initialLifecycle.registration, ...stored?.registration },
    handshake: { ...initialLifecycle.handshake, ...stored?.handshake },
    heartbeat: { ...initialLifecycle.heartbeat, ...stored?.heartbeat },
  };
}

export type LifecycleEvent =
  | {
      type: 'OscpRegistrationStarted';
      data: {
        connectionId: string;
        /** Our Register's X-Request-ID; null when we wait for the peer to register first. */
        requestId: string | null;
        initiatedBy: 'FLEXIBILITY_PROVIDER' | 'CAPACITY_PROVIDER';
        /** Who asked for it from the console (a retry), when someone did. */
        by?: string;
        /** Started by an operator's Re-register: the operating mode is held meanwhile. */
        reregistration?: { credential: ReregistrationCredential };
        at: string;
      };
    }
  | { type: 'OscpRegisteredOutOfBand'; data: { connectionId: string; at: string } }
  | {
      type: 'OscpPeerRegistered';
      data: {
        connectionId: string;
        requestId: string;
        version: string;
        peerBaseUrl: string;
        at: string;
      };
    }
  | {
      type: 'OscpPeerRegisterRefused';
      data: { connectionId: string; requestId: string | null; reason: string; at: string };
    }
  | {
      type: 'OscpRegistrationFailed';
      data: { connectionId: string; reason: string; requestId: string | null; at: string };
    }
  | {
      type: 'OscpHandshakeSent';
      data: {
        connectionId: string;
        requestId: string;
        requiredBehaviour: RequiredBehaviour;
        /** Who asked for it from the console (a retry), when someone did. */
        by?: string;
        at: string;
      };
    }
  | {
      type: 'OscpHandshakeUnacknowledged';
      data: {
        connectionId: string;
        /** Our handshake that was delivered but never acknowledged. */
        requestId: string;
        /** How long we waited after it was delivered. */
        waitedSeconds: number;
        /** The how-manieth unacknowledged handshake in a row this is. */
        attempt: number;
        at: string;
      };
    }
  | {
      type: 'OscpHandshakeReceived';
      data: {
        connectionId: string;
        requestId: string;
        requiredBehaviour: RequiredBehaviour;
        acknowledgeRequestId: string;
        ourRequiredBehaviour: RequiredBehaviour;
        at: string;
      };
    }
  | {
      type: 'OscpHandshakeRejected';
      data: { connectionId: string; requestId: string; reason: string; at: string };
    }
  | {
      type: 'OscpHandshakeCompleted';
      data: {
        connectionId: string;
        peerRequires: RequiredBehaviour;
        weRequire: RequiredBehaviour;
        via: 'ACKNOWLEDGEMENT_DELIVERED' | 'ACKNOWLEDGEMENT_RECEIVED';
        correlationId: string;
        /**
         * When a peer we asked for heartbeats counts as offline if none came: the liveness check
         * before its first heartbeat. Null when we asked for none (or it was already online).
         */
        heartbeatDeadline?: string | null;
        at: string;
      };
    }
  | {
      type: 'OscpPeerOnline';
      data: { connectionId: string; heartbeatAt: string; offlineModeAt: string; at: string };
    }
  | {
      type: 'OscpPeerOffline';
      data: {
        connectionId: string;
        lastHeartbeatAt: string | null;
        offlineModeAt: string | null;
        handshakeRequired: boolean;
        at: string;
      };
    };

export type LifecycleEventType = LifecycleEvent['type'];

/** Folds the connection stream into the lifecycle: enabling and disabling start it over. */
export function evolveLifecycle(state: Lifecycle, e: LifecycleEvent | ConnectionEvent): Lifecycle {
  switch (e.type) {
    case 'OscpConnectionEnabled':
      return { ...initialLifecycle, phase: 'CONFIGURED' };
    case 'OscpConnectionDisabled':
      return {
        ...initialLifecycle,
        phase: e.data.intentionalDisconnect ? 'DISCONNECTED' : 'DISABLED',
      };
    case 'OscpRegistrationStarted':
      return {
        ...state,
        phase: 'REGISTERING',
        registration: {
          ...state.registration,
          mode: 'TOKEN_EXCHANGE',
          pendingRequestId: e.data.requestId,
          latestRequestId: e.data.requestId ?? state.registration.latestRequestId,
          failure: null,
          refusedRegister: null,
        },
        reregistration: e.data.reregistration
          ? (state.reregistration ?? { since: e.data.at, heldPhase: state.phase })
          : state.reregistration,
      };
    case 'OscpRegisteredOutOfBand':
      return {
        ...state,
        phase: 'REGISTERED',
        registration: {
          ...state.registration,
          mode: 'OUT_OF_BAND',
          registeredAt: e.data.at,
          selectedVersion: '2.0',
          failure: null,
        },
      };
    case 'OscpPeerRegistered':
      return {
        ...state,
        phase: 'REGISTERED',
        registration: {
          ...state.registration,
          mode: 'TOKEN_EXCHANGE',
          pendingRequestId: null,
          selectedVersion: e.data.version,
          peerBaseUrl: e.data.peerBaseUrl,
          registeredAt: e.data.at,
          failure: null,
        },
        handshake: { ...state.handshake, required: true },
      };
    case 'OscpPeerRegisterRefused':
      return {
        ...state,
        registration: {
          ...state.registration,
          refusedRegister: { reason: e.data.reason, at: e.data.at },
        },
      };
    case 'OscpRegistrationFailed':
      return {
        ...state,
        phase: 'REGISTRATION_FAILED',
        registration: {
          ...state.registration,
          pendingRequestId: null,
          failure: { reason: e.data.reason, at: e.data.at },
        },
      };
    case 'OscpHandshakeSent':
      return {
        ...state,
        handshake: {
          ...state.handshake,
          sentRequestId: e.data.requestId,
          weRequire: e.data.requiredBehaviour,
        },
      };
    case 'OscpHandshakeReceived':
      return {
        ...state,
        handshake: {
          ...state.handshake,
          receivedRequestId: e.data.acknowledgeRequestId,
          peerRequires: e.data.requiredBehaviour,
          weRequire: e.data.ourRequiredBehaviour,
        },
      };
    case 'OscpHandshakeRejected':
      return state;
    case 'OscpHandshakeUnacknowledged':
      return {
        ...state,
        handshake: { ...state.handshake, unacknowledged: e.data.attempt },
      };
    case 'OscpHandshakeCompleted':
      return {
        ...state,
        phase: state.phase === 'ONLINE' ? 'ONLINE' : 'HANDSHAKEN',
        handshake: {
          ...state.handshake,
          sentRequestId: null,
          receivedRequestId: null,
          completedAt: e.data.at,
          peerRequires: e.data.peerRequires,
          weRequire: e.data.weRequire,
          required: false,
          unacknowledged: 0,
        },
        reregistration: null,
        heartbeat: e.data.heartbeatDeadline
          ? { ...state.heartbeat, peerOfflineAt: e.data.heartbeatDeadline }
          : state.heartbeat,
      };
    case 'OscpPeerOnline':
      return {
        ...state,
        phase: 'ONLINE',
        heartbeat: {
          ...state.heartbeat,
          lastReceivedAt: e.data.heartbeatAt,
          peerOfflineAt: e.data.offlineModeAt,
        },
      };
    case 'OscpPeerOffline':
      return {
        ...state,
        phase: 'OFFLINE',
        heartbeat: { ...state.heartbeat, wentOfflineAt: e.data.at },
        handshake: {
          ...state.handshake,
          required: state.handshake.required || e.data.handshakeRequired,
        },
      };
    default:
      return state;
  }
}

/** Our `offline_mode_at` is this many of our heartbeat intervals ahead (the digest's 2–3×). */
export const OFFLINE_MODE_MULTIPLIER = 3;

export function offlineModeAt(now: Date, intervalSeconds: number): Date {
  return new Date(now.getTime() + OFFLINE_MODE_MULTIPLIER * intervalSeconds * 1000);
}

/**
 * A peer we asked for heartbeats must send its first within the same slack we give it for every
 * later one (ADR 0014): three of the intervals we asked for, counted from the completed handshake.
 * Without this a peer that never heartbeats would count as healthy for ever. None when we asked
 * for no heartbeats, or when the peer is already online (its own offline_mode_at rules then).
 */
export function firstHeartbeatDeadline(
  lifecycle: Lifecycle,
  weRequire: RequiredBehaviour,
  completedAt: Date,
): Date | null {
  const interval = weRequire.heartbeatIntervalSeconds;
  if (!interval || lifecycle.phase === 'ONLINE') return null;
  return offlineModeAt(completedAt, interval);
}

/** The longest we wait for an acknowledgement however often our handshake went unanswered. */
export const MAX_ACKNOWLEDGEMENT_WAIT_MS = 15 * 60_000;

/**
 * How long after our handshake was delivered we wait for its acknowledgement before sending it
 * again: the configured timeout, doubled for every unanswered one before it, at most 15 minutes.
 */
export function acknowledgementWaitMs(timeoutMs: number, unacknowledgedSoFar: number): number {
  return Math.min(MAX_ACKNOWLEDGEMENT_WAIT_MS, timeoutMs * 2 ** unacknowledgedSoFar);
}

/**
 * Whether a peer that went offline must handshake again before it is ONLINE and may send business
 * messages. Vector requires it; plain OSCP does not say, and we choose to require it too unless a
 * profile opts out (ADR 0009). One function, easy to change.
 */
export function handshakeRequiredAfterOffline(profile: ConnectionProfile): boolean {
  return profile.rehandshakeAfterOffline;
}

/** What we ask of the peer: the heartbeat interval from the profile, our measurement configuration. */
export function ourRequiredBehaviour(profile: ConnectionProfile): RequiredBehaviour {
  return {
    heartbeatIntervalSeconds: profile.requestedHeartbeatIntervalSeconds,
    measurementConfiguration: [profile.measurementConfiguration],
  };
}

/**
 * Can we satisfy what the peer requires? We publish measurements in the one configuration of our
 * profile, so a peer that lists configurations must list that one.
 */
export function handshakeProblem(
  profile: ConnectionProfile,
  required: RequiredBehaviour,
): string | undefined {
  const wanted = required.measurementConfiguration;
  if (wanted.length > 0 && !wanted.includes(profile.measurementConfiguration)) {
    return `measurement_configuration ${wanted.join(', ')} is not supported by this connection (its profile publishes ${profile.measurementConfiguration})`;
  }
  return undefined;
}

/**
 * Whether OSCP control treats the link as healthy: the peer is ONLINE or just handshaken, or an
 * operator's re-registration holds the link as it was until its handshake completes.
 */
export function linkHealthy(lifecycle: Lifecycle): boolean {
  const phase = lifecycle.reregistration?.heldPhase ?? lifecycle.phase;
  return phase === 'ONLINE' || phase === 'HANDSHAKEN';
}

/** Business messages (forecasts) need a completed handshake and no pending re-handshake. */
export function readyForBusiness(lifecycle: Lifecycle): boolean {
  return (
    (lifecycle.phase === 'HANDSHAKEN' ||
      lifecycle.phase === 'ONLINE' ||
      lifecycle.phase === 'OFFLINE') &&
    !lifecycle.handshake.required
  );
}

/** The version both sides speak: the first of theirs we support (we only speak 2.0). */
export function selectVersion(offered: readonly string[]): string | undefined {
  return offered.find((v) => v === '2.0');
}

/** Which phases wait for a handshake and may therefore still receive one from the peer. */
export function acceptsHandshake(phase: LifecyclePhase): boolean {
  return ['REGISTERED', 'HANDSHAKEN', 'ONLINE', 'OFFLINE'].includes(phase);
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
  connection: {
    enabled: boolean;
    profile: Pick<ConnectionProfile, 'handshakeInitiator'>;
    lifecycle: Lifecycle;
  },
  pending: PendingHandshake | undefined,
): string | undefined {
  if (!connection.enabled) return 'Enable the connection before retrying its handshake.';
  if (connection.profile.handshakeInitiator !== 'FLEXIBILITY_PROVIDER')
    return 'The Capacity Provider starts the handshake on this connection; ask it to send one.';
  const { phase, handshake } = connection.lifecycle;
  const waiting = phase === 'REGISTERED' || (phase === 'OFFLINE' && handshake.required);
  if (!waiting)
    return `A handshake can be retried while the connection waits for one; it is ${phase}.`;
  if (pending)
    return `Our handshake ${pending.requestId} is still ${pending.status}; wait for its outcome.`;
  return undefined;
}

/** A wire RequiredBehaviour in our terms (absent fields: no heartbeats, no configurations). */
export function behaviourFromWire(
  rb: { heartbeat_interval?: number; measurement_configuration?: string[] } | undefined,
): RequiredBehaviour {
  return {
    heartbeatIntervalSeconds: rb?.heartbeat_interval ?? null,
    measurementConfiguration: (rb?.measurement_configuration ??
      []) as RequiredBehaviour['measurementConfiguration'],
  };
}

export function behaviourToWire(rb: RequiredBehaviour): {
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
