import type { ConnectionTimelineEventType, TimelineItem } from '@openvelope/server/oscp-contract';
import { describe, expect, it } from 'vitest';
import { summarize, TIMELINE_GROUPS, typeLabel } from './timeline-wording';

/** A timeline entry as the API lists it; the event part is the server's catalogue type. */
const entry = (event: Pick<TimelineItem, 'type' | 'data'>) =>
  ({ position: 1, at: '2026-03-02T09:00:00Z', ...event }) as TimelineItem;

/**
 * Every type of the server's event catalogue: a type added there fails the type check here until it
 * is listed, and then the test below until it has its own wording.
 */
const EVERY_TYPE: Record<ConnectionTimelineEventType, true> = {
  OscpConnectionConfigured: true,
  OscpConnectionEdited: true,
  OscpConnectionEnabled: true,
  OscpConnectionDisabled: true,
  OscpConnectionDeleted: true,
  OscpRegistrationStarted: true,
  OscpRegisteredOutOfBand: true,
  OscpPeerRegistered: true,
  OscpPeerRegisterRefused: true,
  OscpRegistrationFailed: true,
  OscpHandshakeSent: true,
  OscpHandshakeUnacknowledged: true,
  OscpHandshakeReceived: true,
  OscpHandshakeRejected: true,
  OscpHandshakeCompleted: true,
  OscpPeerOnline: true,
  OscpPeerOffline: true,
  OscpOutboundAttempted: true,
  OscpForecastAccepted: true,
  OscpForecastRejected: true,
  OscpModeChanged: true,
  OscpGapPolicyApplied: true,
  OscpFallbackEntered: true,
  OscpFallbackExited: true,
  OscpControlHandedOver: true,
  OscpAdjustmentRequested: true,
  OscpComplianceErrorReported: true,
  OscpBreachReported: true,
  OscpReportedBreachEnded: true,
};

describe('timeline wording', () => {
  it('words every type of the catalogue itself, not from its name, and offers each in a group', () => {
    const instant = '2026-03-02T09:00:00Z';
    for (const type of Object.keys(EVERY_TYPE)) {
      const line = summarize(
        entry({ type, data: { since: instant, endedAt: instant } } as never),
        'UTC',
      );
      expect(line, type).not.toBe(typeLabel(type).replace(/([a-z])([A-Z])/g, '$1 $2'));
    }
    const grouped = TIMELINE_GROUPS.flatMap((g) => g.types);
    expect([...grouped].sort()).toEqual(Object.keys(EVERY_TYPE).sort());
  });

  it('says a re-registration holds the mode, how it authenticates, and why a peer’s Register was refused', () => {
    const reregistration = entry({
      type: 'OscpRegistrationStarted',
      data: { by: 'ops', requestId: 'r-1', reregistration: { credential: 'INITIAL_TOKEN' } },
    } as never);
    expect(summarize(reregistration, 'UTC')).toBe(
      'Re-registration started by ops (our Register with the configured initial token); the operating mode is held until the new handshake completes',
    );
    const awaiting = entry({
      type: 'OscpRegistrationStarted',
      data: { by: 'ops', requestId: null, reregistration: { credential: 'AWAIT_PEER' } },
    } as never);
    expect(summarize(awaiting, 'UTC')).toContain('awaiting the peer’s Register');
    const refused = entry({
      type: 'OscpPeerRegisterRefused',
      data: { reason: 'unknown initial token' },
    } as never);
    expect(summarize(refused, 'UTC')).toBe(
      'The peer’s Register was refused: unknown initial token',
    );
    const deleted = entry({ type: 'OscpConnectionDeleted', data: { by: 'mia' } } as never);
    expect(summarize(deleted, 'UTC')).toBe('Deleted by mia; its record stays readable');
  });

  it('says who changed the configuration and what', () => {
    const edited = entry({
      type: 'OscpConnectionEdited',
      data: { by: 'ops', changes: [{ field: 'groupId', from: 'A', to: 'B' }] },
    } as never);
    expect(summarize(edited, 'UTC')).toBe('Edited by ops: groupId');
    const disconnected = entry({
      type: 'OscpConnectionDisabled',
      data: { intentionalDisconnect: true },
    } as never);
    expect(summarize(disconnected, 'UTC')).toBe('Disconnected on purpose by the system');
  });

  it('names the negotiated heartbeats of a handshake', () => {
    const completed = entry({
      type: 'OscpHandshakeCompleted',
      data: { peerRequires: { heartbeatIntervalSeconds: 30 }, weRequire: null },
    } as never);
    expect(summarize(completed, 'UTC')).toBe(
      'Handshake completed: we send heartbeats every 30 s, the peer sends no heartbeats',
    );
  });

  it('shows times in the given zone and limits in their unit', () => {
    const offline = entry({
      type: 'OscpPeerOffline',
      data: { lastHeartbeatAt: '2026-03-02T09:00:00Z' },
    } as never);
    expect(summarize(offline, 'Pacific/Auckland')).toBe(
      'Peer offline (last heartbeat 2 Mar 2026, 22:00:00 GMT+13)',
    );
    const fallback = entry({
      type: 'OscpFallbackEntered',
      data: { limit: { value: 50, unit: 'KW' }, reason: 'offline' },
    } as never);
    expect(summarize(fallback, 'UTC')).toBe('Fallback mode entered (50 kW): offline');
  });

  it('words an event it does not know from its type name', () => {
    const unknown = entry({ type: 'OscpSomethingNewHappened', data: {} } as never);
    expect(summarize(unknown, 'UTC')).toBe('Something New Happened');
    expect(typeLabel('OscpPeerOnline')).toBe('PeerOnline');
  });

  it('offers every event, then the server’s groups, each type in at most one group', () => {
    expect(TIMELINE_GROUPS[0]).toEqual({ label: 'All', types: [] });
    const types = TIMELINE_GROUPS.flatMap((g) => g.types);
    expect(new Set(types).size).toBe(types.length);
    expect(TIMELINE_GROUPS.map((g) => g.label)).toContain('Liveness');
  });

  it('says which breach was reported against which forecast, and that its end closes it', () => {
    const reported = entry({
      type: 'OscpBreachReported',
      data: {
        reason: 'STARTED',
        circuitName: 'Main switchboard',
        forecastRequestId: 'f-1',
        phase: 'L1',
        measuredA: 70,
        limitA: 60,
        since: '2026-03-02T09:00:00Z',
      },
    } as never);
    expect(summarize(reported, 'UTC')).toBe(
      'Breach on Main switchboard reported (forecast f-1): L1 70 A against 60 A since 2 Mar 2026, 09:00:00 UTC',
    );
    const ended = entry({
      type: 'OscpReportedBreachEnded',
      data: { circuitName: 'Main switchboard', endedAt: '2026-03-02T09:10:00Z' },
    } as never);
    expect(summarize(ended, 'UTC')).toBe(
      'Reported breach on Main switchboard ended at 2 Mar 2026, 09:10:00 UTC; nothing more is sent for it',
    );
  });
});
