import { MEASUREMENT_CONFIGURATIONS, type MeasurementConfiguration } from '@openvelope/oscp';

export const AUTH_MODES = ['OSCP_TOKEN', 'OAUTH2_CLIENT_CREDENTIALS'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const MEASUREMENT_PUBLICATION_MODES = ['GROUP', 'ASSET'] as const;
export type MeasurementPublicationMode = (typeof MEASUREMENT_PUBLICATION_MODES)[number];

export const HANDSHAKE_INITIATORS = ['CAPACITY_PROVIDER', 'FLEXIBILITY_PROVIDER'] as const;
export type HandshakeInitiator = (typeof HANDSHAKE_INITIATORS)[number];

/** DEAD_RECKONING is planned: shown to users, refused if chosen. */
export const GAP_POLICIES = ['SAFE_DEFAULT_CAPACITY', 'LOCAL_CONTROL', 'DEAD_RECKONING'] as const;
export type GapPolicy = (typeof GAP_POLICIES)[number];
export const SELECTABLE_GAP_POLICIES: readonly GapPolicy[] = [
  'SAFE_DEFAULT_CAPACITY',
  'LOCAL_CONTROL',
];

export const MEASUREMENT_ALIGNMENTS = ['NONE', 'CLOCK_HOUR'] as const;
export type MeasurementAlignment = (typeof MEASUREMENT_ALIGNMENTS)[number];

/** Units of the peak load in asset measurements: Vector accepts only W and kW. */
export const INSTANTANEOUS_UNITS = ['W', 'KW'] as const;
export type InstantaneousUnit = (typeof INSTANTANEOUS_UNITS)[number];

/**
 * Publication intervals: whole seconds from a minute to an hour that divide an hour, so every
 * window boundary can fall on the clock hour.
 */
export const PUBLICATION_INTERVALS_S: readonly number[] = Array.from(
  { length: 3600 - 59 },
  (_, i) => i + 60,
).filter((s) => 3600 % s === 0);

export const PRESETS = ['VECTOR_DERMS', 'OSCP_STANDARD', 'CUSTOM'] as const;
export type Preset = (typeof PRESETS)[number];

export { MEASUREMENT_CONFIGURATIONS, type MeasurementConfiguration };

/**
 * Names of secrets in the secrets store, never their values. Which ones matter depends on the
 * authentication mode: the initial token for OSCP_TOKEN; token URL, client id and secret (and
 * optionally static headers, a JSON object) for OAUTH2_CLIENT_CREDENTIALS.
 */
export interface AuthenticationReferences {
  initialToken: string | null;
  tokenUrl: string | null;
  clientId: string | null;
  clientSecret: string | null;
  staticHeaders: string | null;
  /** Headers the peer must send us (a JSON object), checked on every inbound OAuth call. */
  inboundStaticHeaders: string | null;
}

/** Where a peer takes our HandshakeAcknowledge: OSCP's spelling, or one some peers use instead. */
export const ACKNOWLEDGEMENT_PATHS = [
  'handshake_acknowledge',
  'handshake_acknowledgment',
  'handshake_acknowledgement',
] as const;
export type AcknowledgementPath = (typeof ACKNOWLEDGEMENT_PATHS)[number];

/**
 * Tolerances for Capacity Providers that depart from OSCP 2.0, each off (standard) by default and
 * documented in docs/oscp-conformance.md with the peer behaviour it tolerates.
 */
export interface Interoperability {
  /** Resolve a relative `base_url` in the peer's Register against its configured URL. */
  acceptRelativeBaseUrl: boolean;
  /** The path we send our HandshakeAcknowledge to, below the peer's base URL. */
  acknowledgementPath: AcknowledgementPath;
  /** Read a date-time without an offset as UTC instead of refusing it. */
  assumeUtcWithoutOffset: boolean;
  /** Whether the peer sends heartbeats: when false its liveness is not tracked at all. */
  expectPeerHeartbeats: boolean;
}

export const STANDARD_INTEROPERABILITY: Interoperability = {
  acceptRelativeBaseUrl: false,
  acknowledgementPath: 'handshake_acknowledge',
  assumeUtcWithoutOffset: false,
  expectPeerHeartbeats: true,
};

export interface CapacityLimit {
  value: number;
  unit: 'A' | 'KW';
}

/** Everything needed to talk to one Capacity Provider about one group, bound to one managed scope. */
export interface ConnectionProfile {
  displayName: string;
  preset: Preset;
  groupId: string;
  microgridId: string;
  scopeId: string;
  peerBaseUrl: string;
  oscpVersion: '2.0';
  authMode: AuthMode;
  authReferences: AuthenticationReferences;
  measurementPublicationMode: MeasurementPublicationMode;
  reportingAssetId: string | null;
  measurementConfiguration: MeasurementConfiguration;
  measurementPublicationIntervalSeconds: number;
  measurementAlignment: MeasurementAlignment;
  /** The unit of the peak load in asset measurements. */
  instantaneousMeasurementUnit: InstantaneousUnit;
  /** The heartbeat interval we ask the peer for in our handshake (acknowledgement); null = none. */
  requestedHeartbeatIntervalSeconds: number | null;
  handshakeInitiator: HandshakeInitiator;
  /** After the peer was offline, a new handshake is needed before it is ONLINE again. */
  rehandshakeAfterOffline: boolean;
  gapPolicy: GapPolicy;
  safeDefaultCapacity: CapacityLimit;
  interoperability: Interoperability;
}

export const PROFILE_FIELDS: readonly (keyof ConnectionProfile)[] = [
  'displayName',
  'preset',
  'groupId',
  'microgridId',
  'scopeId',
  'peerBaseUrl',
  'oscpVersion',
  'authMode',
  'authReferences',
  'measurementPublicationMode',
  'reportingAssetId',
  'measurementConfiguration',
  'measurementPublicationIntervalSeconds',
  'measurementAlignment',
  'instantaneousMeasurementUnit',
  'requestedHeartbeatIntervalSeconds',
  'handshakeInitiator',
  'rehandshakeAfterOffline',
  'gapPolicy',
  'safeDefaultCapacity',
  'interoperability',
];

/** A profile stored before a field existed reads that field as its default. */
export function withProfileDefaults(profile: ConnectionProfile): ConnectionProfile {
  return {
    ...profile,
    interoperability: { ...STANDARD_INTEROPERABILITY, ...profile.interoperability },
    // Peak loads were always sent in kW before the unit could be chosen.
    instantaneousMeasurementUnit: profile.instantaneousMeasurementUnit ?? 'KW',
  };
}

const noReferences: AuthenticationReferences = {
  initialToken: null,
  tokenUrl: null,
  clientId: null,
  clientSecret: null,
  staticHeaders: null,
  inboundStaticHeaders: null,
};

/** Defaults per preset: what a user gets before typing anything but names and the binding. */
export const PRESET_DEFAULTS: Record<
  Exclude<Preset, 'CUSTOM'>,
  Omit<ConnectionProfile, 'displayName' | 'groupId' | 'microgridId' | 'scopeId' | 'peerBaseUrl'>
> = {
  VECTOR_DERMS: {
    preset: 'VECTOR_DERMS',
    oscpVersion: '2.0',
    authMode: 'OAUTH2_CLIENT_CREDENTIALS',
    authReferences: noReferences,
    measurementPublicationMode: 'ASSET',
    reportingAssetId: null,
    measurementConfiguration: 'INTERMITTENT',
    measurementPublicationIntervalSeconds: 900,
    measurementAlignment: 'CLOCK_HOUR',
    instantaneousMeasurementUnit: 'KW',
    requestedHeartbeatIntervalSeconds: 60,
    handshakeInitiator: 'FLEXIBILITY_PROVIDER',
    rehandshakeAfterOffline: true,
    gapPolicy: 'SAFE_DEFAULT_CAPACITY',
    safeDefaultCapacity: { value: 0, unit: 'A' },
    interoperability: STANDARD_INTEROPERABILITY,
  },
  OSCP_STANDARD: {
    preset: 'OSCP_STANDARD',
    oscpVersion: '2.0',
    authMode: 'OSCP_TOKEN',
    authReferences: noReferences,
    measurementPublicationMode: 'GROUP',
    reportingAssetId: null,
    measurementConfiguration: 'CONTINUOUS',
    measurementPublicationIntervalSeconds: 900,
    measurementAlignment: 'NONE',
    instantaneousMeasurementUnit: 'KW',
    requestedHeartbeatIntervalSeconds: 60,
    handshakeInitiator: 'CAPACITY_PROVIDER',
    rehandshakeAfterOffline: false,
    gapPolicy: 'SAFE_DEFAULT_CAPACITY',
    safeDefaultCapacity: { value: 0, unit: 'A' },
    interoperability: STANDARD_INTEROPERABILITY,
  },
};

export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Group ids are the Capacity Provider's: real ones look like `B6734_AE0100_00848825118`. Any
 * printable characters are accepted (no control or format characters), up to this length.
 */
export const GROUP_ID_MAX_LENGTH = 255;
const GROUP_ID = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

/** Why a group id cannot be used, or undefined when it can. */
export function groupIdProblem(groupId: string): string | undefined {
  if (groupId.length === 0) return 'is required';
  if (groupId.length > GROUP_ID_MAX_LENGTH)
    return `must be at most ${GROUP_ID_MAX_LENGTH} characters`;
  if (!GROUP_ID.test(groupId)) return 'must be printable characters only';
  if (groupId.trim() !== groupId) return 'must not start or end with a space';
  return undefined;
}

function peerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL such as https://cp.example.com/oscp/cp/2.0';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must use http or https';
  if (url.endsWith('/')) return 'must not end with a slash: message names are appended to it';
  if (parsed.search || parsed.hash) return 'must not contain a query or fragment';
  return undefined;
}

/**
 * Rules a profile must satisfy to be saved. Each problem names its field, so forms show it in place.
 * Rules about being enabled (e.g. credentials named) are in `enablementProblems`.
 */
export function profileProblems(p: ConnectionProfile): FieldProblem[] {
  const found: FieldProblem[] = [];
  const add = (field: string, message: string) => found.push({ field, message });
  if (!p.displayName.trim()) add('displayName', 'is required');
  const groupProblem = groupIdProblem(p.groupId);
  if (groupProblem) add('groupId', groupProblem);
  if (!p.microgridId) add('microgridId', 'choose a microgrid');
  if (!p.scopeId) add('scopeId', 'choose a managed scope');
  const urlProblem = peerUrlProblem(p.peerBaseUrl);
  if (urlProblem) add('peerBaseUrl', urlProblem);
  if (p.oscpVersion !== '2.0') add('oscpVersion', 'only OSCP 2.0 is supported');
  if (p.authMode === 'OAUTH2_CLIENT_CREDENTIALS' && p.authReferences.tokenUrl === null) {
    // The token URL may be a plain reference; it is checked when used.
  }
  found.push(...measurementProblems(p));
  if (
    p.measurementAlignment === 'CLOCK_HOUR' &&
    3600 % p.measurementPublicationIntervalSeconds !== 0
  ) {
    add(
      'measurementAlignment',
      'aligning to the clock hour needs an interval that divides an hour',
    );
  }
  const hb = p.requestedHeartbeatIntervalSeconds;
  if (hb !== null && (!Number.isInteger(hb) || hb < 1 || hb > 86_400)) {
    add(
      'requestedHeartbeatIntervalSeconds',
      'must be a whole number of seconds from 1 to 86400, or empty for none',
    );
  }
  if (p.reportingAssetId !== null && !/^[A-Za-z0-9._-]{1,100}$/.test(p.reportingAssetId)) {
    add('reportingAssetId', 'must be 1–100 letters, digits, dots, dashes or underscores');
  }
  if (!SELECTABLE_GAP_POLICIES.includes(p.gapPolicy)) {
    add('gapPolicy', `${p.gapPolicy} is planned and cannot be selected yet`);
  }
  if (!(p.safeDefaultCapacity.value >= 0) || !Number.isFinite(p.safeDefaultCapacity.value)) {
    add('safeDefaultCapacity.value', 'must be zero or more');
  }
  for (const [key, name] of Object.entries(p.authReferences)) {
    if (name !== null && !/^[A-Za-z0-9._-]{1,120}$/.test(name)) {
      add(
        `authReferences.${key}`,
        'a secret name may contain letters, digits, dot, dash and underscore',
      );
    }
  }
  return found;
}

/**
 * What we publish, and how often (ADR 0040). Vector's asset profile: ASSET mode reports one asset
 * (so it needs its id) as closed windows (INTERMITTENT), and Vector takes nothing but asset
 * measurements. Checked on every save and again when enabling.
 */
export function measurementProblems(
  p: Pick<
    ConnectionProfile,
    | 'preset'
    | 'measurementPublicationMode'
    | 'reportingAssetId'
    | 'measurementConfiguration'
    | 'measurementPublicationIntervalSeconds'
    | 'instantaneousMeasurementUnit'
  >,
): FieldProblem[] {
  const found: FieldProblem[] = [];
  if (!PUBLICATION_INTERVALS_S.includes(p.measurementPublicationIntervalSeconds)) {
    found.push({
      field: 'measurementPublicationIntervalSeconds',
      message:
        'must be a whole number of seconds from 60 to 3600 that divides an hour (60, 300, 900…)',
    });
  }
  if (p.preset === 'VECTOR_DERMS' && p.measurementPublicationMode !== 'ASSET') {
    found.push({
      field: 'measurementPublicationMode',
      message: 'Vector DERMS accepts only asset measurements: choose ASSET',
    });
  }
  if (p.measurementPublicationMode === 'ASSET') {
    if (!p.reportingAssetId) {
      found.push({
        field: 'reportingAssetId',
        message:
          'ASSET measurement mode needs the reporting asset id (the one asset the site reports as)',
      });
    }
    if (p.measurementConfiguration !== 'INTERMITTENT') {
      found.push({
        field: 'measurementConfiguration',
        message: 'ASSET measurement mode publishes closed windows: choose INTERMITTENT',
      });
    }
  }
  if (!INSTANTANEOUS_UNITS.includes(p.instantaneousMeasurementUnit)) {
    found.push({ field: 'instantaneousMeasurementUnit', message: 'must be W or KW' });
  }
  return found;
}

/** Extra rules for an enabled connection: it must be able to do its job. */
export function enablementProblems(p: ConnectionProfile): FieldProblem[] {
  const found: FieldProblem[] = [];
  if (p.authMode === 'OSCP_TOKEN' && !p.authReferences.initialToken) {
    found.push({
      field: 'authReferences.initialToken',
      message: 'token exchange needs the initial token’s secret name',
    });
  }
  if (p.authMode === 'OAUTH2_CLIENT_CREDENTIALS') {
    for (const key of ['tokenUrl', 'clientId', 'clientSecret'] as const) {
      if (!p.authReferences[key]) {
        found.push({
          field: `authReferences.${key}`,
          message: 'OAuth2 client credentials need this secret name',
        });
      }
    }
  }
  return found;
}

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** Field-by-field differences, nested objects flattened (authReferences.clientId…), for the history. */
export function profileChanges(before: ConnectionProfile, after: ConnectionProfile): FieldChange[] {
  const changes: FieldChange[] = [];
  const walk = (prefix: string, a: unknown, b: unknown) => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) {
        walk(
          prefix ? `${prefix}.${key}` : key,
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
        );
      }
    } else if (a !== b) {
      changes.push({ field: prefix, from: a ?? null, to: b ?? null });
    }
  };
  for (const field of PROFILE_FIELDS) walk(field, before[field], after[field]);
  return changes;
}

export type ProfilePatch = Partial<
  Omit<ConnectionProfile, 'authReferences' | 'interoperability'>
> & {
  authReferences?: Partial<AuthenticationReferences>;
  interoperability?: Partial<Interoperability>;
};

/**
 * A profile with some fields changed; references merge key by key, an empty or null asset id means
 * none, an absent (undefined) field is left as it was.
 */
export function applyPatch(profile: ConnectionProfile, patch: ProfilePatch): ConnectionProfile {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return {
    ...profile,
    ...defined,
    authReferences: { ...profile.authReferences, ...(patch.authReferences ?? {}) },
    interoperability: {
      ...STANDARD_INTEROPERABILITY,
      ...profile.interoperability,
      ...(patch.interoperability ?? {}),
    },
    reportingAssetId:
      patch.reportingAssetId === undefined
        ? profile.reportingAssetId
        : patch.reportingAssetId || null,
  };
}
