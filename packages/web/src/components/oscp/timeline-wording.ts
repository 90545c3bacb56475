import { formatDateTimeSeconds } from '../../format';

/**
 * How the connection's audit timeline reads: one line per event, the filter groups and the badge
 * colours, all by event type name. Everything that knows the event types is in this file.
 */

const when = (iso: string, timeZone: string | undefined) => formatDateTimeSeconds(iso, timeZone);
type Data = Record<string, unknown>;
const str = (v: unknown, fallback = '—') =>
  v === null || v === undefined || v === '' ? fallback : String(v);
const behaviour = (v: unknown) => {
  const b = v as { heartbeatIntervalSeconds?: number | null } | null | undefined;
  return b?.heartbeatIntervalSeconds
    ? `heartbeats every ${b.heartbeatIntervalSeconds} s`
    : 'no heartbeats';
};
const limitText = (v: unknown) => {
  const l = v as { value?: number; unit?: string } | null | undefined;
  return l && typeof l.value === 'number'
    ? ` (${l.value} ${l.unit === 'KW' ? 'kW' : (l.unit ?? '')})`
    : '';
};

/** One line per audit event, readable without opening its data. */
export function summarize(type: string, d: Data, timeZone: string | undefined): string {
  switch (type) {
    case 'OscpConnectionConfigured':
      return `Connection configured by ${str(d.by, 'the system')}`;
    case 'OscpConnectionEdited':
      return `Edited by ${str(d.by, 'the system')}: ${
        Array.isArray(d.changes)
          ? (d.changes as { field: string }[]).map((c) => c.field).join(', ')
          : 'profile'
      }`;
    case 'OscpConnectionEnabled':
      return `Enabled by ${str(d.by, 'the system')}`;
    case 'OscpConnectionDisabled':
      return d.intentionalDisconnect
        ? `Disconnected on purpose by ${str(d.by, 'the system')}`
        : `Disabled by ${str(d.by, 'the system')}`;
    case 'OscpRegistrationStarted':
      return `Registration started (${d.initiatedBy === 'CAPACITY_PROVIDER' ? 'the peer registered first' : 'we sent Register'}, request ${str(d.requestId)})`;
    case 'OscpPeerRegistered':
      return `Peer registered: version ${str(d.version)} at ${str(d.peerBaseUrl)}`;
    case 'OscpRegisteredOutOfBand':
      return 'Registered out of band (OAuth2): no Register exchange';
    case 'OscpRegistrationFailed':
      return `Registration failed: ${str(d.reason)}`;
    case 'OscpHandshakeSent':
      return `Handshake sent, asking for ${behaviour(d.requiredBehaviour)}`;
    case 'OscpHandshakeReceived':
      return `Handshake received: the peer asks for ${behaviour(d.requiredBehaviour)}`;
    case 'OscpHandshakeRejected':
      return `Handshake rejected: ${str(d.reason)}`;
    case 'OscpHandshakeCompleted':
      return `Handshake completed: we send ${behaviour(d.peerRequires)}, the peer sends ${behaviour(d.weRequire)}`;
    case 'OscpPeerOnline':
      return `Peer online (offline after ${d.offlineModeAt ? when(String(d.offlineModeAt), timeZone) : '—'})`;
    case 'OscpPeerOffline':
      return `Peer offline (last heartbeat ${d.lastHeartbeatAt ? when(String(d.lastHeartbeatAt), timeZone) : 'never'})${d.handshakeRequired ? ', new handshake required' : ''}`;
    case 'OscpOutboundAttempted':
      return `${str(d.kind)} attempt ${str(d.attempt)}: ${str(d.status)}${
        d.httpStatus ? ` (HTTP ${String(d.httpStatus)})` : ''
      }${d.error ? `: ${String(d.error)}` : ''}`;
    case 'OscpInboundRefused':
      return `Refused ${str(d.endpoint)} with ${str(d.status)}: ${str(d.reason)}`;
    case 'OscpForecastReceived':
      return `Forecast ${str(d.type)} received (${str(d.blocks, '0')} blocks, request ${str(d.requestId)})`;
    case 'OscpForecastAccepted':
      return `Forecast ${str(d.type)} accepted (request ${str(d.requestId)})`;
    case 'OscpForecastRejected':
      return `Forecast ${str(d.type)} rejected: ${str(d.reason)}`;
    case 'OscpModeChanged':
      return `Mode ${str(d.from)} → ${str(d.to)}: ${str(d.reason)}`;
    case 'OscpFallbackEntered':
      return `Fallback mode entered${limitText(d.limit)}: ${str(d.reason)}`;
    case 'OscpFallbackExited':
      return `Fallback mode ended: ${str(d.reason)}`;
    case 'OscpGapPolicyApplied':
      return `Gap policy ${str(d.policy)} applied${limitText(d.limit)}: ${str(d.reason)}`;
    case 'OscpControlHandedOver':
      return str(d.message, 'OSCP control ended; local control resumed');
    case 'OscpAdjustmentRequested':
      return `Adjustment of the ${str(d.type)} forecast requested by ${str(d.by)} (request ${str(d.requestId)})`;
    case 'OscpComplianceErrorReported':
      return `Non-compliance with forecast ${str(d.forecastRequestId)} reported by ${str(d.by)}: ${str(d.message)}`;
    default:
      return type.replace(/^Oscp/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  }
}

export const TIMELINE_GROUPS: { label: string; types: string[] }[] = [
  { label: 'All', types: [] },
  {
    label: 'Configuration',
    types: [
      'OscpConnectionConfigured',
      'OscpConnectionEdited',
      'OscpConnectionEnabled',
      'OscpConnectionDisabled',
    ],
  },
  {
    label: 'Registration',
    types: [
      'OscpRegistrationStarted',
      'OscpPeerRegistered',
      'OscpRegisteredOutOfBand',
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
    ],
  },
  { label: 'Liveness', types: ['OscpPeerOnline', 'OscpPeerOffline'] },
  { label: 'Deliveries', types: ['OscpOutboundAttempted'] },
  { label: 'Refused calls', types: ['OscpInboundRefused'] },
  {
    label: 'Forecasts',
    types: ['OscpForecastReceived', 'OscpForecastAccepted', 'OscpForecastRejected'],
  },
  {
    label: 'Sent by operators',
    types: ['OscpAdjustmentRequested', 'OscpComplianceErrorReported'],
  },
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

/** Red for refusals and failures, orange for the peer going offline; the rest quiet. */
export const TYPE_COLOR: Record<string, string> = {
  OscpRegistrationFailed: 'red',
  OscpHandshakeRejected: 'red',
  OscpInboundRefused: 'red',
  OscpForecastRejected: 'red',
  OscpPeerOffline: 'orange',
  OscpPeerOnline: 'green',
  OscpHandshakeCompleted: 'teal',
  OscpPeerRegistered: 'cyan',
  OscpRegisteredOutOfBand: 'cyan',
};

/** The type as a badge shows it: without the context's prefix. */
export const typeLabel = (type: string) => type.replace(/^Oscp/, '');
