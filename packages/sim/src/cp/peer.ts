import type { MeasurementConfiguration, RequiredBehaviour, SendOutcome } from '@openvelope/oscp';
import { emptyMeasurementLog, type MeasurementLog } from './measurements';
import type { BehaviourSwitches, ForecastScheduleOptions, PeerConfig, PeerMode } from './types';

export type RegistrationStatus =
  /** VECTOR peers: configured out of band, no Register. */
  | 'NOT_APPLICABLE'
  | 'NOT_REGISTERED'
  /** The FP registered; our Register back is pending or switched off. */
  | 'FP_REGISTERED'
  /** We sent our Register first and wait for the FP's. */
  | 'AWAITING_FP_REGISTER'
  | 'REGISTERED'
  | 'FAILED'
  | 'UNREGISTERED';

export type HandshakeStatus =
  | 'NONE'
  /** We sent a Handshake; no acknowledgement yet. */
  | 'AWAITING_ACK'
  /** The FP sent a Handshake; our acknowledgement is pending or switched off. */
  | 'RECEIVED'
  | 'DONE'
  | 'FAILED';

/** Bounded memory of request ids we sent, so replies can be checked against them. */
export class RecentIds {
  readonly #ids = new Set<string>();
  constructor(private readonly max: number) {}

  add(id: string): void {
    this.#ids.add(id);
    if (this.#ids.size > this.max) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  get last(): string | undefined {
    let last: string | undefined;
    for (const id of this.#ids) last = id;
    return last;
  }
}

export interface Repeating {
  stop(): void;
}

export interface OutcomeSummary {
  at: string;
  requestId: string;
  status: SendOutcome['status'];
  httpStatus?: number;
  message?: string;
}

/** Everything the simulator knows about one FP peer. Mutated only by the simulator. */
export class Peer {
  readonly mode: PeerMode;
  readonly groupId: string;
  /** Base URL of the FP: configured, or learned from its Register. */
  fpBaseUrl: string | undefined;
  /** T_fp: the token the FP issued to us (from its Register), or the out-of-band initial one. */
  tokenFromFp: string | undefined;
  /** OSCP_TOKEN: the token handed to the FP out of band for its first Register. */
  readonly initialTokenForFp: string | undefined;
  /** The token we issued in our latest Register (T_cp), once sent. */
  currentTokenForFp: string | undefined;
  /** Tokens the FP may use to call us now; maintained by the registry. */
  readonly validTokens = new Set<string>();

  registration: {
    status: RegistrationStatus;
    fpVersion?: string;
    /** X-Request-ID of the FP's Register we have not answered yet (FP-first flow). */
    fpRegisterRequestId?: string;
    completedAt?: string;
    lastOutcome?: OutcomeSummary;
  };

  handshake: {
    status: HandshakeStatus;
    /** What we last required from the FP in a Handshake. */
    requiredFromFp?: RequiredBehaviour;
    /** What the FP last required from us (its Handshake or acknowledgement). */
    requiredByFp?: RequiredBehaviour;
    /** X-Request-ID of the FP's latest Handshake. */
    lastFpHandshakeId?: string;
    completedAt?: string;
    lastOutcome?: OutcomeSummary;
  };
  readonly sentHandshakes = new RecentIds(50);

  heartbeats: {
    intervalSeconds?: number;
    offlineMultiplier: number;
    timer?: Repeating;
    sent: number;
    delivered: number;
    lastOutcome?: OutcomeSummary;
  } = { offlineMultiplier: 2, sent: 0, delivered: 0 };

  /** What the FP's own heartbeats told us. */
  fromFp: { lastHeartbeatAt?: string; offlineModeAt?: string; lastRequestAt?: string } = {};

  forecasts: {
    schedule?: { options: ForecastScheduleOptions; timer: Repeating; runs: number };
    sent: number;
    delivered: number;
    lastOutcome?: OutcomeSummary;
  } = { sent: 0, delivered: 0 };
  readonly sentForecasts = new RecentIds(1000);

  /** Inbound request ids whose follow-up (register back, acknowledgement) has been sent. */
  readonly followedUp = new RecentIds(200);

  /** What the FP's measurements said, and which rules they broke. */
  measurements: MeasurementLog = emptyMeasurementLog();
  /** Measurement request ids already judged: a retry of one is not judged again. */
  readonly measurementRequests = new RecentIds(500);

  constructor(
    readonly id: string,
    readonly config: PeerConfig,
    readonly switches: Required<BehaviourSwitches>,
    initialTokenForFp: string | undefined,
  ) {
    this.initialTokenForFp = initialTokenForFp;
    this.mode = config.mode;
    this.groupId = config.groupId;
    this.fpBaseUrl = config.fpBaseUrl;
    this.tokenFromFp = config.initialTokenFromFp;
    this.registration = { status: config.mode === 'VECTOR' ? 'NOT_APPLICABLE' : 'NOT_REGISTERED' };
    this.handshake = { status: 'NONE' };
  }

  get handshaken(): boolean {
    return this.handshake.status === 'DONE';
  }

  /** What we require from the FP unless told otherwise. */
  get measurementConfiguration(): MeasurementConfiguration[] {
    return (
      this.config.measurementConfiguration ?? [
        this.mode === 'VECTOR' ? 'INTERMITTENT' : 'CONTINUOUS',
      ]
    );
  }

  /** The required_behaviour of our Handshake or acknowledgement. */
  requiredBehaviour(
    overrides: {
      heartbeatIntervalSeconds?: number;
      measurementConfiguration?: MeasurementConfiguration[];
    } = {},
  ): RequiredBehaviour {
    const interval = overrides.heartbeatIntervalSeconds ?? this.config.heartbeatIntervalSeconds;
    return {
      ...(interval === undefined ? {} : { heartbeat_interval: interval }),
      measurement_configuration:
        overrides.measurementConfiguration ?? this.measurementConfiguration,
    };
  }
}

export function summarise(at: Date, outcome: SendOutcome): OutcomeSummary {
  return {
    at: at.toISOString(),
    requestId: outcome.requestId,
    status: outcome.status,
    ...('httpStatus' in outcome && outcome.httpStatus !== undefined
      ? { httpStatus: outcome.httpStatus }
      : {}),
    ...('message' in outcome ? { message: outcome.message } : {}),
  };
}

/** Shows a secret the way recordings do: the first 4 characters only. */
export function redact(secret: string | undefined): string | undefined {
  return secret === undefined ? undefined : `${secret.slice(0, 4)}…`;
}

/** The JSON view of a peer for `state()` and `GET /control/state`; secrets redacted. */
export function peerSnapshot(peer: Peer, now: Date) {
  const offlineAt = peer.fromFp.offlineModeAt;
  return {
    id: peer.id,
    groupId: peer.groupId,
    mode: peer.mode,
    fpBaseUrl: peer.fpBaseUrl ?? null,
    switches: peer.switches,
    tokens: {
      /** Handed to the FP out of band, so shown in full while it is still accepted. */
      initialTokenForFp:
        peer.initialTokenForFp !== undefined && peer.validTokens.has(peer.initialTokenForFp)
          ? peer.initialTokenForFp
          : null,
      currentTokenForFp: redact(peer.currentTokenForFp) ?? null,
      tokenFromFp: redact(peer.tokenFromFp) ?? null,
    },
    oauth: peer.config.oauth
      ? { clientId: peer.config.oauth.clientId, fpTokenUrl: peer.config.oauth.fpTokenUrl ?? null }
      : null,
    registration: peer.registration,
    handshake: { ...peer.handshake, handshaken: peer.handshaken },
    heartbeats: {
      running: peer.heartbeats.timer !== undefined,
      intervalSeconds: peer.heartbeats.intervalSeconds ?? null,
      offlineMultiplier: peer.heartbeats.offlineMultiplier,
      sent: peer.heartbeats.sent,
      delivered: peer.heartbeats.delivered,
      lastOutcome: peer.heartbeats.lastOutcome ?? null,
      fromFp: {
        lastHeartbeatAt: peer.fromFp.lastHeartbeatAt ?? null,
        offlineModeAt: offlineAt ?? null,
        online: offlineAt !== undefined && Date.parse(offlineAt) > now.getTime(),
      },
    },
    forecasts: {
      schedule: peer.forecasts.schedule
        ? { ...peer.forecasts.schedule.options, runs: peer.forecasts.schedule.runs }
        : null,
      sent: peer.forecasts.sent,
      delivered: peer.forecasts.delivered,
      lastOutcome: peer.forecasts.lastOutcome ?? null,
    },
    measurements: structuredClone(peer.measurements),
    lastRequestAt: peer.fromFp.lastRequestAt ?? null,
  };
}

export type PeerSnapshot = ReturnType<typeof peerSnapshot>;
