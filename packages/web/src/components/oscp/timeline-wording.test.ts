import { describe, expect, it } from 'vitest';
import { summarize, TIMELINE_GROUPS, typeLabel } from './timeline-wording';

describe('timeline wording', () => {
  it('says who changed the configuration and what', () => {
    expect(
      summarize('OscpConnectionEdited', { by: 'ops', changes: [{ field: 'groupId' }] }, 'UTC'),
    ).toBe('Edited by ops: groupId');
    expect(summarize('OscpConnectionDisabled', { intentionalDisconnect: true }, 'UTC')).toBe(
      'Disconnected on purpose by the system',
    );
  });

  it('names the negotiated heartbeats of a handshake', () => {
    expect(
      summarize(
        'OscpHandshakeCompleted',
        { peerRequires: { heartbeatIntervalSeconds: 30 }, weRequire: null },
        'UTC',
      ),
    ).toBe('Handshake completed: we send heartbeats every 30 s, the peer sends no heartbeats');
  });

  it('shows times in the given zone and limits in their unit', () => {
    expect(
      summarize('OscpPeerOffline', { lastHeartbeatAt: '2026-03-02T09:00:00Z' }, 'Pacific/Auckland'),
    ).toBe('Peer offline (last heartbeat 2 Mar 2026, 22:00:00 GMT+13)');
    expect(
      summarize(
        'OscpFallbackEntered',
        { limit: { value: 50, unit: 'KW' }, reason: 'offline' },
        'UTC',
      ),
    ).toBe('Fallback mode entered (50 kW): offline');
  });

  it('words an unknown event from its type name', () => {
    expect(summarize('OscpSomethingNewHappened', {}, 'UTC')).toBe('Something New Happened');
    expect(typeLabel('OscpPeerOnline')).toBe('PeerOnline');
  });

  it('puts each event type in at most one filter group', () => {
    const types = TIMELINE_GROUPS.flatMap((g) => g.types);
    expect(new Set(types).size).toBe(types.length);
    expect(TIMELINE_GROUPS[0]).toEqual({ label: 'All', types: [] });
  });
});
