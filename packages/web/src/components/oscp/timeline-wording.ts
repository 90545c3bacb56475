import {
  TIMELINE_GROUPS as SERVER_GROUPS,
  type ConnectionTimelineEventType,
  type ReregistrationCredential,
  type TimelineItem,
} from '@openvelope/server/oscp-contract';
import { formatDateTimeSeconds } from '../../format';

/**
 * How the connection's audit timeline reads: one line per event, the filter groups and the badge
 * colours. Events are typed by the server's catalogue, so a renamed or reshaped event fails the
 * type check here.
 */

const when = (iso: string, timeZone: string | undefined) => formatDateTimeSeconds(iso, timeZone);
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

/** How a re-registration authenticates, as its timeline line says it. */
const REREGISTRATION_WORDING: Record<ReregistrationCredential, string> = {
  PEER_TOKEN: 'our Register with the peer’s newest token',
  INITIAL_TOKEN: 'our Register with the configured initial token',
  AWAIT_PEER: 'awaiting the peer’s Register with a new one-time initial token',
};

/** One line per audit event, readable without opening its data. */
export function summarize(item: TimelineItem, timeZone: string | undefined): string {
  switch (item.type) {
    case 'OscpConnectionConfigured':
      return `Connection configured by ${str(item.data.by, 'the system')}`;
    case 'OscpConnectionEdited':
      return `Edited by ${str(item.data.by, 'the system')}: ${
        Array.isArray(item.data.changes)
          ? (item.data.changes as { field: string }[]).map((c) => c.field).join(', ')
          : 'profile'
      }`;
    case 'OscpConnectionEnabled':
      return `Enabled by ${str(item.data.by, 'the system')}`;
    case 'OscpConnectionDisabled':
      return item.data.intentionalDisconnect
        ? `Disconnected on purpose by ${str(item.data.by, 'the system')}`
        : `Disabled by ${str(item.data.by, 'the system')}`;
    case 'OscpConnectionDeleted':
      return `Deleted by ${str(item.data.by, 'the system')}; its record stays readable`;
    case 'OscpRegistrationStarted':
      return item.data.reregistration
        ? `Re-registration started by ${str(item.data.by, 'the system')} (${REREGISTRATION_WORDING[item.data.reregistration.credential]}); the operating mode is held until the new handshake completes`
        : `Registration started (${item.data.initiatedBy === 'CAPACITY_PROVIDER' ? 'the peer registered first' : 'we sent Register'}, request ${str(item.data.requestId)})`;
    case 'OscpPeerRegistered':
      return `Peer registered: version ${str(item.data.version)} at ${str(item.data.peerBaseUrl)}`;
    case 'OscpRegisteredOutOfBand':
      return 'Registered out of band (OAuth2): no Register exchange';
    case 'OscpPeerRegisterRefused':
      return `The peer’s Register was refused: ${str(item.data.reason)}`;
    case 'OscpRegistrationFailed':
      return `Registration failed: ${str(item.data.reason)}`;
    case 'OscpHandshakeSent':
      return `Handshake sent, asking for ${behaviour(item.data.requiredBehaviour)}`;
    case 'OscpHandshakeReceived':
      return `Handshake received: the peer asks for ${behaviour(item.data.requiredBehaviour)}`;
    case 'OscpHandshakeRejected':
      return `Handshake rejected: ${str(item.data.reason)}`;
    case 'OscpHandshakeUnacknowledged':
      return `Handshake ${str(item.data.requestId)} not acknowledged after ${str(item.data.waitedSeconds)} s (attempt ${str(item.data.attempt)})`;
    case 'OscpHandshakeCompleted':
      return `Handshake completed: we send ${behaviour(item.data.peerRequires)}, the peer sends ${behaviour(item.data.weRequire)}`;
    case 'OscpPeerOnline':
      return `Peer online (offline after ${item.data.offlineModeAt ? when(String(item.data.offlineModeAt), timeZone) : '—'})`;
    case 'OscpPeerOffline':
      return `Peer offline (last heartbeat ${item.data.lastHeartbeatAt ? when(String(item.data.lastHeartbeatAt), timeZone) : 'never'})${item.data.handshakeRequired ? ', new handshake required' : ''}`;
    case 'OscpOutboundAttempted':
      return `${str(item.data.kind)} attempt ${str(item.data.attempt)}: ${str(item.data.status)}${
        item.data.httpStatus ? ` (HTTP ${String(item.data.httpStatus)})` : ''
      }${item.data.error ? `: ${String(item.data.error)}` : ''}`;
    case 'OscpForecastAccepted':
      return `Forecast ${str(item.data.type)} accepted (request ${str(item.data.requestId)})`;
    case 'OscpForecastRejected':
      return `Forecast ${str(item.data.type)} rejected: ${str(item.data.reason)}`;
    case 'OscpModeChanged':
      return `Mode ${str(item.data.from)} → ${str(item.data.to)}: ${str(item.data.reason)}`;
    case 'OscpFallbackEntered':
      return `Fallback mode entered${limitText(item.data.limit)}: ${str(item.data.reason)}`;
    case 'OscpFallbackExited':
      return `Fallback mode ended: ${str(item.data.reason)}`;
    case 'OscpGapPolicyApplied':
      return `Gap policy ${str(item.data.policy)} applied${limitText(item.data.limit)}: ${str(item.data.reason)}`;
    case 'OscpControlHandedOver':
      return str(item.data.message, 'OSCP control ended; local control resumed');
    case 'OscpAdjustmentRequested':
      return `Adjustment of the ${str(item.data.type)} forecast${item.data.forecastRequestId ? ` ${item.data.forecastRequestId}` : ''} requested by ${str(item.data.by)} (request ${str(item.data.requestId)})`;
    case 'OscpComplianceErrorReported':
      return `Non-compliance with forecast ${str(item.data.forecastRequestId)} reported by ${str(item.data.by)}: ${str(item.data.message)}`;
    case 'OscpBreachReported':
      return `${item.data.reason === 'WORSENED' ? 'Worsened breach' : 'Breach'} on ${str(item.data.circuitName)} reported (forecast ${str(item.data.forecastRequestId)}): ${item.data.phase} ${item.data.measuredA} A against ${item.data.limitA} A since ${when(item.data.since, timeZone)}`;
    case 'OscpReportedBreachEnded':
      return `Reported breach on ${str(item.data.circuitName)} ended at ${when(item.data.endedAt, timeZone)}; nothing more is sent for it`;
    default: {
      // Every type of the catalogue has a case above: a new one fails the type check here.
      const unworded: never = item;
      // An event newer than this console still reads as its type name.
      return (unworded as { type: string }).type
        .replace(/^Oscp/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2');
    }
  }
}

/** The filter: every event, or one of the server's groups. */
export const TIMELINE_GROUPS: readonly { label: string; types: readonly string[] }[] = [
  { label: 'All', types: [] },
  ...SERVER_GROUPS,
];

/** Red for refusals and failures, orange for the peer going offline; the rest quiet. */
export const TYPE_COLOR: Partial<Record<ConnectionTimelineEventType, string>> = {
  OscpRegistrationFailed: 'red',
  OscpPeerRegisterRefused: 'red',
  OscpHandshakeRejected: 'red',
  OscpForecastRejected: 'red',
  OscpBreachReported: 'red',
  OscpReportedBreachEnded: 'green',
  OscpPeerOffline: 'orange',
  OscpPeerOnline: 'green',
  OscpHandshakeCompleted: 'teal',
  OscpPeerRegistered: 'cyan',
  OscpRegisteredOutOfBand: 'cyan',
};

/** The type as a badge shows it: without the context's prefix. */
export const typeLabel = (type: string) => type.replace(/^Oscp/, '');
