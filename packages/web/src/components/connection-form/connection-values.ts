import type { FormErrors } from '@mantine/form';
import { createConnectionBody } from '@openvelope/server/oscp-contract';
import {
  AUTH_MODES,
  GAP_POLICIES,
  HANDSHAKE_INITIATORS,
  INSTANTANEOUS_UNITS,
  MEASUREMENT_ALIGNMENTS,
  MEASUREMENT_CONFIGURATIONS,
  MEASUREMENT_PUBLICATION_MODES,
  PRESETS,
  profileProblems,
  PUBLICATION_INTERVALS_S,
  STANDARD_INTEROPERABILITY,
  type ConnectionProfile,
  type Interoperability,
} from '@openvelope/server/oscp-profile';
import type { z } from 'zod';
import { toNumber } from '../../forms/values';

/** What the connection form checks with: the create body (an edit sends the same fields). */
export const connectionRequest = createConnectionBody;
export type ConnectionRequest = z.output<typeof connectionRequest>;

export type AuthMode = (typeof AUTH_MODES)[number];
export type Preset = (typeof PRESETS)[number];

export const REFERENCE_KEYS = [
  'initialToken',
  'tokenUrl',
  'clientId',
  'clientSecret',
  'staticHeaders',
  'inboundStaticHeaders',
] as const;
export type ReferenceKey = (typeof REFERENCE_KEYS)[number];

/** The publication intervals offered (seconds): every one the server's profile rules accept. */
export const INTERVALS = PUBLICATION_INTERVALS_S;

/** The form's values: the request's own field names, as the inputs hold them. */
export interface ConnectionValues extends Record<string, unknown> {
  preset: Preset;
  displayName: string;
  groupId: string;
  microgridId: string;
  scopeId: string;
  peerBaseUrl: string;
  authMode: AuthMode;
  authReferences: Record<ReferenceKey, string>;
  measurementPublicationMode: string;
  reportingAssetId: string;
  measurementConfiguration: string;
  measurementPublicationIntervalSeconds: string;
  measurementAlignment: string;
  instantaneousMeasurementUnit: string;
  /** '' means no heartbeat asked for. */
  requestedHeartbeatIntervalSeconds: number | string;
  handshakeInitiator: string;
  rehandshakeAfterOffline: boolean;
  gapPolicy: string;
  safeDefaultCapacity: { value: number | string; unit: string };
  interoperability: Interoperability;
  /** Only a new connection: enable it in the same step. */
  enabled: boolean;
}

/** The fields a user supplies for this particular peer: a preset never has values for these. */
export type PeerFields = Pick<
  ConnectionValues,
  | 'displayName'
  | 'groupId'
  | 'microgridId'
  | 'scopeId'
  | 'peerBaseUrl'
  | 'authReferences'
  | 'reportingAssetId'
  | 'enabled'
>;

function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return values.includes(value as T) ? (value as T) : fallback;
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** Form values from a stored profile or a preset's defaults, keeping the given peer fields. */
export function fromProfile(profile: Record<string, unknown>, peer?: PeerFields): ConnectionValues {
  const refs = (profile.authReferences ?? {}) as Partial<Record<ReferenceKey, string | null>>;
  const safe = profile.safeDefaultCapacity as { value?: unknown; unit?: unknown } | undefined;
  const interval = Number(profile.measurementPublicationIntervalSeconds);
  const heartbeat = profile.requestedHeartbeatIntervalSeconds;
  const interoperability = (profile.interoperability ?? {}) as Partial<Interoperability>;
  return {
    preset: oneOf(PRESETS, profile.preset, 'OSCP_STANDARD'),
    displayName: peer?.displayName ?? text(profile.displayName),
    groupId: peer?.groupId ?? text(profile.groupId),
    microgridId: peer?.microgridId ?? text(profile.microgridId),
    scopeId: peer?.scopeId ?? text(profile.scopeId),
    peerBaseUrl: peer?.peerBaseUrl ?? text(profile.peerBaseUrl),
    authMode: oneOf(AUTH_MODES, profile.authMode, 'OSCP_TOKEN'),
    authReferences:
      peer?.authReferences ??
      (Object.fromEntries(REFERENCE_KEYS.map((k) => [k, text(refs[k])])) as Record<
        ReferenceKey,
        string
      >),
    measurementPublicationMode: oneOf(
      MEASUREMENT_PUBLICATION_MODES,
      profile.measurementPublicationMode,
      'GROUP',
    ),
    reportingAssetId: peer?.reportingAssetId ?? text(profile.reportingAssetId),
    measurementConfiguration: oneOf(
      MEASUREMENT_CONFIGURATIONS,
      profile.measurementConfiguration,
      'CONTINUOUS',
    ),
    measurementPublicationIntervalSeconds: String(INTERVALS.includes(interval) ? interval : 900),
    measurementAlignment: oneOf(MEASUREMENT_ALIGNMENTS, profile.measurementAlignment, 'NONE'),
    instantaneousMeasurementUnit: oneOf(
      INSTANTANEOUS_UNITS,
      profile.instantaneousMeasurementUnit,
      'KW',
    ),
    requestedHeartbeatIntervalSeconds: typeof heartbeat === 'number' ? heartbeat : '',
    handshakeInitiator: oneOf(
      HANDSHAKE_INITIATORS,
      profile.handshakeInitiator,
      'CAPACITY_PROVIDER',
    ),
    rehandshakeAfterOffline: profile.rehandshakeAfterOffline === true,
    gapPolicy: oneOf(GAP_POLICIES, profile.gapPolicy, 'SAFE_DEFAULT_CAPACITY'),
    safeDefaultCapacity: {
      value: typeof safe?.value === 'number' ? safe.value : 0,
      unit: oneOf(['A', 'KW'] as const, safe?.unit, 'A'),
    },
    // A stored profile from before a setting existed has it at its standard value.
    interoperability: { ...STANDARD_INTEROPERABILITY, ...interoperability },
    enabled: peer?.enabled ?? false,
  };
}

/** The request the values become (the create body; an edit leaves `enabled` out). */
export function toConnectionRequest(v: ConnectionValues) {
  return {
    ...v,
    authReferences: Object.fromEntries(
      REFERENCE_KEYS.map((k) => [k, v.authReferences[k].trim() || null]),
    ),
    reportingAssetId: v.reportingAssetId.trim() || null,
    measurementPublicationIntervalSeconds: Number(v.measurementPublicationIntervalSeconds),
    requestedHeartbeatIntervalSeconds:
      v.requestedHeartbeatIntervalSeconds === ''
        ? null
        : toNumber(v.requestedHeartbeatIntervalSeconds),
    safeDefaultCapacity: {
      value: toNumber(v.safeDefaultCapacity.value),
      unit: v.safeDefaultCapacity.unit,
    },
  };
}

/** The server's rules for a profile to be saved (group id, peer URL, interval…), on the form. */
export function profileRules(request: ConnectionRequest): FormErrors {
  // The form sends every profile field, so the request is a whole profile (the only version is 2.0).
  const profile = { ...request, oscpVersion: '2.0' } as ConnectionProfile;
  const errors: FormErrors = {};
  for (const problem of profileProblems(profile)) errors[problem.field] ??= problem.message;
  return errors;
}
