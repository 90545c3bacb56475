import { z } from 'zod';
import { MEASUREMENT_CONFIGURATIONS } from '@openvelope/oscp';
import { MAX_INTERVAL_S, powerLimit } from '../platform/http/bounds';
import {
  ACKNOWLEDGEMENT_PATHS,
  AUTH_MODES,
  GAP_POLICIES,
  HANDSHAKE_INITIATORS,
  INSTANTANEOUS_UNITS,
  MEASUREMENT_ALIGNMENTS,
  MEASUREMENT_PUBLICATION_MODES,
  PRESETS,
} from './domain/connection-profile';
import type { ReregistrationCredential } from './domain/lifecycle';
import { OUTBOUND_KINDS } from './domain/outbound-kinds';
import { PROBLEM_ACTIONS } from './domain/connection-problem';

/** Request and response shapes of the OSCP connection management API (not the protocol itself). */

const secretName = z.string().trim().min(1).max(120).nullable();

export const authReferencesInput = z
  .object({
    initialToken: secretName,
    tokenUrl: secretName,
    clientId: secretName,
    clientSecret: secretName,
    staticHeaders: secretName,
    inboundStaticHeaders: secretName,
  })
  .partial();

const profileFields = {
  displayName: z.string().trim().min(1, 'is required').max(100),
  groupId: z.string().trim().max(255),
  microgridId: z.uuid('choose a microgrid'),
  scopeId: z.uuid('choose a managed scope'),
  peerBaseUrl: z.string().trim().max(2000),
  oscpVersion: z.literal('2.0', { message: 'only OSCP 2.0 is supported' }),
  authMode: z.enum(AUTH_MODES),
  authReferences: authReferencesInput,
  measurementPublicationMode: z.enum(MEASUREMENT_PUBLICATION_MODES),
  reportingAssetId: z.string().trim().max(100).nullable(),
  measurementConfiguration: z.enum(MEASUREMENT_CONFIGURATIONS),
  measurementPublicationIntervalSeconds: z.number().int().max(MAX_INTERVAL_S),
  measurementAlignment: z.enum(MEASUREMENT_ALIGNMENTS),
  instantaneousMeasurementUnit: z.enum(INSTANTANEOUS_UNITS),
  requestedHeartbeatIntervalSeconds: z.number().int().max(MAX_INTERVAL_S).nullable(),
  handshakeInitiator: z.enum(HANDSHAKE_INITIATORS),
  rehandshakeAfterOffline: z.boolean(),
  gapPolicy: z.enum(GAP_POLICIES),
  safeDefaultCapacity: powerLimit,
  /** Tolerances for Capacity Providers that depart from OSCP 2.0; all off by default. */
  interoperability: z
    .object({
      acceptRelativeBaseUrl: z.boolean(),
      acknowledgementPath: z.enum(ACKNOWLEDGEMENT_PATHS),
      assumeUtcWithoutOffset: z.boolean(),
      expectPeerHeartbeats: z.boolean(),
    })
    .partial(),
};

export const createConnectionBody = z.object({
  preset: z.enum(PRESETS),
  displayName: profileFields.displayName,
  groupId: profileFields.groupId,
  microgridId: profileFields.microgridId,
  scopeId: profileFields.scopeId,
  peerBaseUrl: profileFields.peerBaseUrl,
  oscpVersion: profileFields.oscpVersion.optional(),
  authMode: profileFields.authMode.optional(),
  authReferences: profileFields.authReferences.optional(),
  measurementPublicationMode: profileFields.measurementPublicationMode.optional(),
  reportingAssetId: profileFields.reportingAssetId.optional(),
  measurementConfiguration: profileFields.measurementConfiguration.optional(),
  measurementPublicationIntervalSeconds:
    profileFields.measurementPublicationIntervalSeconds.optional(),
  measurementAlignment: profileFields.measurementAlignment.optional(),
  instantaneousMeasurementUnit: profileFields.instantaneousMeasurementUnit.optional(),
  requestedHeartbeatIntervalSeconds: profileFields.requestedHeartbeatIntervalSeconds.optional(),
  handshakeInitiator: profileFields.handshakeInitiator.optional(),
  rehandshakeAfterOffline: profileFields.rehandshakeAfterOffline.optional(),
  gapPolicy: profileFields.gapPolicy.optional(),
  safeDefaultCapacity: profileFields.safeDefaultCapacity.optional(),
  interoperability: profileFields.interoperability.optional(),
  /** Enable in the same step (the uniqueness rules then apply at once). */
  enabled: z.boolean().default(false),
});
export type CreateConnectionBody = z.infer<typeof createConnectionBody>;

export const editConnectionBody = z
  .object({ ...profileFields, preset: z.enum(PRESETS) })
  .partial()
  .extend({ expectedVersion: z.number().int().positive().optional() });
export type EditConnectionBody = z.infer<typeof editConnectionBody>;

export const bindingView = z.object({
  groupId: z.string(),
  microgrid: z.object({ id: z.string(), name: z.string() }).nullable(),
  scope: z.object({ id: z.string(), name: z.string() }).nullable(),
  circuit: z.object({ id: z.string(), name: z.string() }).nullable(),
});

export const secretReferenceView = z.object({ name: z.string().nullable(), set: z.boolean() });

const behaviourView = z.object({
  heartbeatIntervalSeconds: z.number().nullable(),
  measurementConfiguration: z.array(z.string()),
});

export const errorView = z.object({
  /** What kind of later success clears it (see problemView). */
  source: z.string().optional(),
  at: z.string(),
  attempted: z.string(),
  url: z.string().nullable(),
  status: z.string().nullable(),
  message: z.string(),
  clearedAt: z.string().nullable().optional(),
});

export const problemView = z.object({
  /** What kind of later success clears it: a delivery, the peer's heartbeat, a registration, a handshake, an accepted message. */
  kind: z.enum(['DELIVERY', 'LIVENESS', 'REGISTRATION', 'HANDSHAKE', 'INBOUND']),
  /** The message kind (deliveries) or endpoint (refused messages) it concerns; empty otherwise. */
  subject: z.string(),
  at: z.string(),
  attempted: z.string(),
  url: z.string().nullable(),
  status: z.string().nullable(),
  message: z.string(),
  /** What to do next about it. */
  hint: z.string().nullable(),
  /** The console action the hint points to (offered as a button beside it), if any. */
  action: z.enum(PROBLEM_ACTIONS).nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  count: z.number(),
  clearedAt: z.string().nullable(),
});
export type ProblemView = z.infer<typeof problemView>;

export const lifecycleView = z.object({
  phase: z.string(),
  registration: z.object({
    mode: z.string().nullable(),
    selectedVersion: z.string().nullable(),
    registeredAt: z.string().nullable(),
    peerBaseUrl: z.string().nullable(),
    failure: z.object({ reason: z.string(), at: z.string() }).nullable(),
  }),
  handshake: z.object({
    completedAt: z.string().nullable(),
    awaitingAcknowledgement: z.boolean(),
    required: z.boolean(),
    /** We send heartbeats at this interval (the peer asked for it). */
    peerRequires: behaviourView.nullable(),
    /** The peer should send heartbeats at this interval (we asked for it). */
    weRequire: behaviourView.nullable(),
  }),
  heartbeat: z.object({
    lastReceivedAt: z.string().nullable(),
    peerOfflineAt: z.string().nullable(),
    wentOfflineAt: z.string().nullable(),
  }),
  /** False when the profile says the peer sends no heartbeats: liveness is not tracked. */
  livenessTracked: z.boolean(),
  /** An operator's re-registration in progress: the operating mode holds the phase it had. */
  reregistration: z.object({ since: z.string(), heldPhase: z.string() }).nullable(),
});

export const outboundSummary = z.object({
  kind: z.string(),
  status: z.string(),
  at: z.string(),
  requestId: z.string(),
  lastError: z.string().nullable(),
});

export const connectionSummary = z.object({
  id: z.string(),
  displayName: z.string(),
  preset: z.enum(PRESETS),
  groupId: z.string(),
  state: z.string(),
  enabled: z.boolean(),
  binding: bindingView,
  measurementPublicationMode: z.enum(MEASUREMENT_PUBLICATION_MODES),
  authMode: z.enum(AUTH_MODES),
  /** The most recent open problem, else the most recently cleared one. */
  latestError: errorView.nullable(),
  /** Every open problem, newest first. */
  openProblems: z.array(problemView),
  lastOutbound: outboundSummary.nullable(),
  lastHeartbeatSent: outboundSummary.nullable(),
  lifecycle: lifecycleView,
  /** What an edit's expectedVersion refers to: lifecycle events do not change it. */
  configurationVersion: z.number(),
  /** OSCP control of the scope: the operating mode and the latest forecast intake. */
  control: z.object({
    mode: z.string(),
    fallback: z.boolean(),
    reason: z.string(),
    lastForecast: z
      .object({
        outcome: z.string(),
        at: z.string(),
        type: z.string(),
        reason: z.string().nullable(),
      })
      .nullable(),
  }),
  version: z.number(),
  updatedAt: z.string(),
  /** Deleted by an operator: read-only, its record kept. */
  deletedAt: z.string().nullable(),
});
export type ConnectionSummary = z.infer<typeof connectionSummary>;

/**
 * The list's query: the console reads one page at a time, with an optional search; without
 * `limit` every connection comes back (API clients that want the whole list in one answer).
 */
export const connectionListQuery = z
  .object({
    include: z.enum(['deleted']).optional(),
    q: z.string().trim().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine((query) => query.limit !== undefined || query.offset === 0, {
    message: 'offset pages the list only with limit: give limit too',
    path: ['offset'],
  });

export const connectionList = z.object({
  connections: z.array(connectionSummary),
  /** How many connections match the query in all (the page holds at most `limit` of them). */
  total: z.number(),
});

/** A connection's name for pickers and labels: every connection, deleted ones too. */
export const connectionName = z.object({
  id: z.string(),
  displayName: z.string(),
  groupId: z.string(),
  deletedAt: z.string().nullable(),
});
export type ConnectionName = z.infer<typeof connectionName>;

export const connectionDetail = connectionSummary.extend({
  /** Open problems first (newest first), then the most recently cleared ones. */
  problems: z.array(problemView),
  profile: z.record(z.string(), z.unknown()),
  secrets: z.record(z.string(), secretReferenceView),
  /** Zero while the connection has never sent or received an OSCP message. */
  protocolActivity: z.object({ outboundMessages: z.number(), inboundMessages: z.number() }),
  /** Live credentials we issued to the peer (kinds only). */
  issuedCredentials: z.array(z.string()),
  /** Why "Retry handshake" is not offered now, or null when it is (we start the handshake). */
  handshakeRetryRefusal: z.string().nullable(),
  createdAt: z.string(),
});
export type ConnectionDetail = z.infer<typeof connectionDetail>;

/** How a re-registration authenticates (ADR 0025). */
export const REREGISTRATION_CREDENTIALS = [
  'PEER_TOKEN',
  'INITIAL_TOKEN',
  'AWAIT_PEER',
] as const satisfies readonly ReregistrationCredential[];
export type { ReregistrationCredential };

export const reregisterBody = z.object({
  /** PEER_TOKEN: the newest token the peer gave us; INITIAL_TOKEN: the configured one; AWAIT_PEER: a new one-time token for the peer to register first. */
  credential: z.enum(REREGISTRATION_CREDENTIALS, { message: 'choose how to register again' }),
});
export type ReregisterBody = z.infer<typeof reregisterBody>;

export const reregistered = z.object({
  connection: connectionDetail,
  /** Our new one-time initial token (AWAIT_PEER), shown this once; null otherwise. */
  initialToken: z.string().nullable(),
});

/** One row of the refusal log (ADR 0020). */
export const refusalView = z.object({
  id: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
  /** Alike refusals (same source, endpoint, status, reason and connection) within a minute fold into one row. */
  repeats: z.number(),
  source: z.string(),
  endpoint: z.string(),
  status: z.number(),
  reason: z.string(),
  connectionId: z.string().nullable(),
  credential: z.string().nullable(),
  requestId: z.string().nullable(),
  authorizationScheme: z.string().nullable(),
});
export type RefusalView = z.infer<typeof refusalView>;

export const refusalQuery = z.object({
  connectionId: z.uuid('must be a UUID').optional(),
  source: z.string().min(1).max(100).optional(),
  /** The id of the last row of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const refusalList = z.object({
  items: z.array(refusalView),
  /** Where the next page starts (`before`), or null on the last page. */
  nextBefore: z.number().nullable(),
});

export const historyEntry = z.object({
  version: z.number(),
  type: z.string(),
  at: z.string(),
  by: z.string(),
  summary: z.string(),
  changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
});
export type HistoryEntry = z.infer<typeof historyEntry>;

export const presetView = z.object({
  id: z.enum(PRESETS),
  label: z.string(),
  description: z.string(),
  defaults: z.record(z.string(), z.unknown()),
});
export type PresetView = z.infer<typeof presetView>;

export const putSecretBody = z.object({ value: z.string().min(1, 'is required').max(8192) });
export const secretNameParams = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,120}$/, 'may contain letters, digits, dot, dash and underscore'),
});

// What we sent: publications (every outbound message) and the measurement history.

export { OUTBOUND_KINDS };
export const OUTBOUND_STATUSES = ['PENDING', 'SENDING', 'DELIVERED', 'RETRYING', 'FAILED'] as const;

const pageFields = {
  limit: z.coerce.number().int().min(1).max(200).default(25),
  offset: z.coerce.number().int().min(0).default(0),
};

export const publicationQuery = z.object({
  status: z.enum(OUTBOUND_STATUSES).optional(),
  kind: z.enum(OUTBOUND_KINDS).optional(),
  ...pageFields,
});

/** One outbound message with its body as sent (secrets appear only as references). */
export const publicationView = z.object({
  id: z.string(),
  connectionId: z.string(),
  kind: z.string(),
  requestId: z.string(),
  correlationId: z.string().nullable(),
  status: z.enum(OUTBOUND_STATUSES),
  attempts: z.number(),
  maxAttempts: z.number(),
  lastError: z.string().nullable(),
  lastHttpStatus: z.number().nullable(),
  lastUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deliveredAt: z.string().nullable(),
  nextAttemptAt: z.string(),
  body: z.record(z.string(), z.unknown()),
});
export type PublicationView = z.infer<typeof publicationView>;
export const publicationList = z.object({ items: z.array(publicationView), total: z.number() });

const instant = (what: string) =>
  z.iso.datetime({ offset: true, message: `${what} must be an ISO 8601 instant with an offset` });

const rangeFields = { from: instant('from').optional(), to: instant('to').optional() };
const orderedRange = (r: { from?: string | undefined; to?: string | undefined }) =>
  !r.from || !r.to || Date.parse(r.from) < Date.parse(r.to);

/** A time range of windows: those ending after `from` and starting before `to`. */
export const measurementRange = z
  .object(rangeFields)
  .refine(orderedRange, { message: 'must be after from', path: ['to'] });
export const measurementQuery = z
  .object({ ...rangeFields, ...pageFields })
  .refine(orderedRange, { message: 'must be after from', path: ['to'] });

/** How the connection publishes, and when its next window closes. */
export const measurementCadenceView = z.object({
  mode: z.enum(MEASUREMENT_PUBLICATION_MODES),
  configuration: z.enum(MEASUREMENT_CONFIGURATIONS),
  intervalSeconds: z.number(),
  alignment: z.enum(MEASUREMENT_ALIGNMENTS),
  instantaneousUnit: z.enum(INSTANTANEOUS_UNITS),
  reportingAssetId: z.string().nullable(),
  /** The end of the next window to publish; null while nothing is booked (not handshaken). */
  nextWindowEnd: z.string().nullable(),
});

/** One published window: its values, the message as sent, and how its delivery went. */
export const measurementView = z.object({
  id: z.string(),
  kind: z.string(),
  configuration: z.enum(MEASUREMENT_CONFIGURATIONS),
  windowStart: z.string(),
  windowEnd: z.string(),
  /** What the scope's register grew by in the window (Wh). */
  energyWh: z.number(),
  /** The scope's register at the window's end (Wh). */
  registerWh: z.number(),
  /** The most the scope drew at one instant in the window (W), and when. */
  maxLoadW: z.number(),
  maxLoadAt: z.string().nullable(),
  /** Meter readings in the window. */
  readings: z.number(),
  requestId: z.string(),
  body: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  /** The delivery as the outbox holds it; null once that record has been pruned. */
  delivery: z
    .object({
      status: z.enum(OUTBOUND_STATUSES),
      attempts: z.number(),
      maxAttempts: z.number(),
      lastError: z.string().nullable(),
      lastHttpStatus: z.number().nullable(),
      deliveredAt: z.string().nullable(),
      nextAttemptAt: z.string(),
    })
    .nullable(),
});
export type MeasurementView = z.infer<typeof measurementView>;
export const measurementList = z.object({
  cadence: measurementCadenceView,
  /** The most recent publication, whatever the range. */
  latest: measurementView.nullable(),
  items: z.array(measurementView),
  total: z.number(),
});
export type MeasurementList = z.infer<typeof measurementList>;

/**
 * The connection timeline: every event of its stream and its audit stream, typed by the catalogue
 * (domain/events.ts) so the console's wording is checked against what the server writes.
 */
export type {
  ConnectionAuditEvent,
  ConnectionStreamEvent,
  ConnectionTimelineEvent,
  ConnectionTimelineEventType,
  TimelineGroup,
} from './domain/events';
export { CONFIGURATION_EVENT_TYPES, TIMELINE_GROUPS } from './domain/events';
export type { TimelineItem } from './app/connections';
export * from './operator-message-contract';
export * from './lifecycle-contract';
