import type { MeasurementConfiguration } from '@openvelope/oscp';
import type { ConnectionProfile } from './connection-profile';

/**
 * The OSCP lifecycle of one connection: registration, handshake, heartbeat liveness.
 * Folded from the connection's event stream next to its configuration; every transition is an
 * event, decided here by pure functions that the app layer calls with the clock's now.
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
    selectedVersion: string | null;
    peerBaseUrl: string | null;
    registeredAt: string | null;
    failure: { reason: string; at: string } | null;
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
  };
  heartbeat: {
    lastReceivedAt: string | null;
    peerOfflineAt: string | null;
    wentOfflineAt: string | null;
  };
}

export const initialLifecycle: Lifecycle = {
  phase: 'CONFIGURED',
  registration: {
    mode: null,
    pendingRequestId: null,
    selectedVersion: null,
    peerBaseUrl: null,
    registeredAt: null,
    failure: null,
  },
  handshake: {
    sentRequestId: null,
    receivedRequestId: null,
    completedAt: null,
    peerRequires: null,
    weRequire: null,
    required: true,
  },
  heartbeat: { lastReceivedAt: null, peerOfflineAt: null, wentOfflineAt: null },
};

export type LifecycleEvent =
  | {
      type: 'OscpRegistrationStarted';
      data: {
        connectionId: string;
        requestId: string;
        initiatedBy: 'FLEXIBILITY_PROVIDER' | 'CAPACITY_PROVIDER';
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
      type: 'OscpRegistrationFailed';
      data: { connectionId: string; reason: string; requestId: string | null; at: string };
    }
  | {
      type: 'OscpHandshakeSent';
      data: {
        connectionId: string;
        requestId: string;
        requiredBehaviour: RequiredBehaviour;
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

/** Which events this module folds; others on the stream are ignored here. */
export function evolveLifecycle(
  state: Lifecycle,
  event: { type: string; data: Record<string, unknown> },
): Lifecycle {
  const e = event as
    | LifecycleEvent
    | { type: 'OscpConnectionEnabled'; data: { at: string } }
    | { type: 'OscpConnectionDisabled'; data: { at: string; intentionalDisconnect?: boolean } };
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
          failure: null,
        },
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
        },
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
