import type { ConnectionAuditEvent } from './audit-events';
import type { ConnectionEvent } from './connection';
import type { LifecycleEvent } from './lifecycle';

/**
 * The OSCP event catalogue, one discriminated union per stream. The console's timeline and
 * configuration history import these types and the groups below: an event renamed or reshaped
 * here fails the console's type check where it is shown.
 */

/** The connection aggregate's stream `oscp-connection-<id>`: its configuration and lifecycle. */
export type ConnectionStreamEvent = ConnectionEvent | LifecycleEvent;

/** Everything a connection's timeline shows: its stream and its audit stream, as one. */
export type ConnectionTimelineEvent = ConnectionStreamEvent | ConnectionAuditEvent;
export type ConnectionTimelineEventType = ConnectionTimelineEvent['type'];

export type { ConnectionAuditEvent, ConnectionEvent, LifecycleEvent };

/** The configuration events: what an editor conflicts with and the history shows. */
export const CONFIGURATION_EVENT_TYPES = [
  'OscpConnectionConfigured',
  'OscpConnectionEdited',
  'OscpConnectionEnabled',
  'OscpConnectionDisabled',
  'OscpConnectionDeleted',
] as const satisfies readonly ConnectionEvent['type'][];

export interface TimelineGroup {
  label: string;
  types: readonly ConnectionTimelineEventType[];
}

/** How the timeline can be filtered; "All" is every type. */
export const TIMELINE_GROUPS: readonly TimelineGroup[] = [
  { label: 'Configuration', types: CONFIGURATION_EVENT_TYPES },
  {
    label: 'Registration',
    types: [
      'OscpRegistrationStarted',
      'OscpPeerRegistered',
      'OscpRegisteredOutOfBand',
      'OscpPeerRegisterRefused',
      'OscpRegistrationFailed',
    ],
  },
  {
    label: 'Handshake',
    types: [
      'OscpHandshakeSent',
      'OscpHandshakeReceived',
      'OscpHandshakeCompleted',
      'OscpHandshakeRejected',
      'OscpHandshakeUnacknowledged',
    ],
  },
  { label: 'Liveness', types: ['OscpPeerOnline', 'OscpPeerOffline'] },
  { label: 'Deliveries', types: ['OscpOutboundAttempted'] },
  { label: 'Forecasts', types: ['OscpForecastAccepted', 'OscpForecastRejected'] },
  {
    label: 'Sent by operators',
    types: ['OscpAdjustmentRequested', 'OscpComplianceErrorReported'],
  },
  { label: 'Breaches', types: ['OscpBreachReported', 'OscpReportedBreachEnded'] },
  {
    label: 'Mode and fallback',
    types: [
      'OscpModeChanged',
      'OscpFallbackEntered',
      'OscpFallbackExited',
      'OscpGapPolicyApplied',
      'OscpControlHandedOver',
    ],
  },
];
