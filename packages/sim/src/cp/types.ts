import type {
  CapacityForecastType,
  ForecastedBlockUnit,
  MeasurementConfiguration,
  PhaseIndicator,
  SendOutcome,
} from '@openvelope/oscp';

export interface SimClock {
  now(): Date;
}

/** The slice of a pino logger the simulator uses. */
export interface SimLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * How a peer authenticates. OSCP_TOKEN: the Register token exchange of the OSCP digest.
 * VECTOR: the Vector DERMS profile, OAuth 2.0 client credentials plus static headers, no Register.
 */
export type PeerMode = 'OSCP_TOKEN' | 'VECTOR';
export const PEER_MODES = ['OSCP_TOKEN', 'VECTOR'] as const satisfies readonly PeerMode[];

export interface OAuthPeerSettings {
  /** The FP's token endpoint; the simulator gets its access tokens there before calling the FP. */
  fpTokenUrl?: string;
  /**
   * Client credentials the FP presents at the simulator's `POST /oauth/token`. Unless the
   * `outbound*` pair is given, the simulator presents the same pair at `fpTokenUrl`.
   */
  clientId: string;
  clientSecret: string;
  outboundClientId?: string;
  outboundClientSecret?: string;
  /** How the simulator authenticates at `fpTokenUrl`: form fields (default) or HTTP Basic. */
  clientAuthentication?: 'body' | 'basic';
  /** Sent as `scope` in the simulator's token requests when given. */
  scope?: string;
}

/** The behaviour switches that can be set for the whole simulator and overridden per peer. */
export interface BehaviourSwitches {
  /** After an FP's first Register, answer with our own Register (FP-first flow). Default true. */
  autoRegisterBack?: boolean;
  /** Acknowledge a Handshake the FP sends us. Default true. */
  autoAcknowledge?: boolean;
  /** Send a Handshake as soon as registration completes. Default false. */
  autoHandshakeAfterRegister?: boolean;
  /**
   * Refuse (403) measurements, adjustments and compliance errors from a peer whose handshake has
   * not completed, as strict Capacity Providers do. Default false.
   */
  requireHandshake?: boolean;
  /**
   * Start (or re-time) our heartbeats when the FP's Handshake or acknowledgement asks for them,
   * at the interval it asks for. Default false: tests drive heartbeats explicitly.
   */
  autoHeartbeats?: boolean;
  /** Our Register gives our base URL as a path only (`/oscp/cp/2.0`), as some peers do. Default false. */
  relativeBaseUrl?: boolean;
  /** The path we take the FP's HandshakeAcknowledge at; other spellings answer 404. */
  acknowledgementPath?: AcknowledgementPath;
  /** Our date-times carry no offset (`2026-03-02T09:00:00`), as some peers write them. Default false. */
  localTimes?: boolean;
  /** Send heartbeats at all: false never sends any, whatever the FP asked for. Default true. */
  sendsHeartbeats?: boolean;
}

/** OSCP's spelling of the acknowledgement endpoint, and two that peers use instead. */
export const ACKNOWLEDGEMENT_PATHS = [
  'handshake_acknowledge',
  'handshake_acknowledgment',
  'handshake_acknowledgement',
] as const;
export type AcknowledgementPath = (typeof ACKNOWLEDGEMENT_PATHS)[number];

export interface PeerConfig extends BehaviourSwitches {
  groupId: string;
  mode: PeerMode;
  /** The FP's OSCP 2.0 API root. Learned from the FP's Register in OSCP_TOKEN mode if omitted. */
  fpBaseUrl?: string;
  /** OSCP_TOKEN: the token we hand the FP out of band for its first Register. Generated if omitted. */
  initialTokenForFp?: string;
  /** OSCP_TOKEN: the token the FP handed us out of band, for our first Register (sim-first flow). */
  initialTokenFromFp?: string;
  /** VECTOR: OAuth 2.0 client credentials in both directions. */
  oauth?: OAuthPeerSettings;
  /** Headers every inbound request from this FP must carry with exactly these values. */
  expectedStaticHeaders?: Record<string, string>;
  /** Headers the simulator adds to every request it sends this FP. */
  staticHeadersToSend?: Record<string, string>;
  /** The heartbeat interval we require from the FP in our Handshake and acknowledgements. */
  heartbeatIntervalSeconds?: number;
  /** What we require from the FP in our Handshake; default CONTINUOUS (INTERMITTENT for VECTOR). */
  measurementConfiguration?: MeasurementConfiguration[];
}

export interface CapacityProviderSimulatorOptions extends BehaviourSwitches {
  /** Wall time unless given; timestamps, offline_mode_at, forecast horizons and token expiry use it. */
  clock?: SimClock;
  log?: SimLogger;
  /** Timeout of every outbound OSCP and OAuth request. Default 5000 ms. */
  requestTimeoutMs?: number;
  /** Lifetime of the access tokens `POST /oauth/token` issues. Default 3600 s. */
  accessTokenTtlSeconds?: number;
  /** Recorded inbound and outbound messages kept (each); the oldest are dropped. Default 10,000. */
  maxRecordedMessages?: number;
  /** Serve `/control/*` to non-loopback clients too. Default false. */
  allowRemoteControl?: boolean;
  /** Injected into the OSCP client and the OAuth client (tests, custom agents). */
  fetch?: typeof fetch;
}

export interface StartOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The URL peers should use when it differs from the listening address (containers, proxies). */
  publicUrl?: string;
}

/** One forecasted block as the simulator API takes it; times may be Dates or wire timestamps. */
export interface ForecastBlockInput {
  start: Date | string;
  end: Date | string;
  capacity: number;
  unit: ForecastedBlockUnit;
  phase: PhaseIndicator;
}

export interface ForecastInput {
  type: CapacityForecastType;
  blocks: ForecastBlockInput[];
}

export interface HandshakeOptions {
  /** Seconds between heartbeats we want from the FP; defaults to the peer's configuration. */
  heartbeatIntervalSeconds?: number;
  /** Defaults to the peer's configuration. */
  measurementConfiguration?: MeasurementConfiguration[];
}

export interface ForecastScheduleOptions {
  /** Default 15. */
  everyMinutes?: number;
  /** Horizon of each forecast. Default 24. */
  hours?: number;
  /** Default 15. */
  blockMinutes?: number;
  /** Required unless `zero`. */
  capacity?: number;
  /** Default KW. */
  unit?: ForecastedBlockUnit;
  /** Default ALL. */
  phase?: PhaseIndicator;
  /** Default CONSUMPTION. */
  type?: CapacityForecastType;
  /** Send all-zero protective forecasts instead (Vector during network trouble). */
  zero?: boolean;
  /** Also send a FALLBACK_CONSUMPTION forecast with this capacity each time. */
  includeFallback?: { capacity: number };
  /** Leave out the blocks from this many hours after the horizon start... */
  gapAfterHours?: number;
  /** ...for this many minutes (default 60). */
  gapMinutes?: number;
}

/** An injected fault on inbound requests. */
export interface FaultSpec {
  /** An inbound OSCP endpoint, `oauth_token` for `POST /oauth/token`, or `*` (every OSCP endpoint). */
  endpoint?: string;
  /** Only requests authenticated as this peer. */
  peerId?: string;
  /** Answer this status (with `{message}`) instead of processing the request. */
  status?: number;
  /** Wait this long before answering (or processing). */
  delayMs?: number;
  message?: string;
  /** Apply to this many requests, then remove itself. Default: until cleared. */
  times?: number;
}

export type Direction = 'inbound' | 'outbound';

/** An inbound HTTP request as recorded. */
export interface InboundRecord {
  seq: number;
  at: string;
  endpoint: string;
  method: string;
  /** Lower-cased names; Authorization shows only its scheme and the first 4 characters. */
  headers: Record<string, string>;
  body: unknown;
  status: number;
  /** The peer the credential matched, if any. */
  peerId?: string;
  requestId?: string;
  correlationId?: string;
  /** An earlier request to the same endpoint carried the same X-Request-ID (a retry). */
  duplicate: boolean;
  /**
   * What we did with it: accepted (2xx and acted upon), rejected (an error status), or ignored
   * (2xx on purpose but nothing done, e.g. a repeat we had already answered).
   */
  handling: 'accepted' | 'rejected' | 'ignored';
  /** Why it was ignored, when it was. */
  ignoredBecause?: string;
}

/** A message the simulator sent, with how it went. */
export interface OutboundRecord {
  seq: number;
  at: string;
  endpoint: string;
  peerId: string;
  requestId: string;
  correlationId?: string;
  body: unknown;
  outcome: SendOutcome;
}

export interface MessageFilter {
  endpoint?: string;
  peerId?: string;
}
