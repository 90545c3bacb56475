import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// Two waits that used to last for ever: a peer asked for heartbeats that never sends one, and a
// handshake of ours that is delivered but never acknowledged. Both now have a deadline.

const h = useLifecycleHarness();

const iso = (d: Date) => d.toISOString();

describe('the first-heartbeat deadline', () => {
  it('a peer that never sends a heartbeat goes OFFLINE three requested intervals after the handshake', async () => {
    const { id } = await h.handshaken();
    const detail = await h.detail(id);
    const completedAt = new Date(detail.lifecycle.handshake.completedAt!);
    expect(detail.lifecycle.handshake.weRequire?.heartbeatIntervalSeconds).toBe(60);
    const deadline = new Date(completedAt.getTime() + 180_000);
    expect(detail.lifecycle.heartbeat.peerOfflineAt).toBe(iso(deadline));

    h.ctx.clock.set(new Date(deadline.getTime() - 1000));
    await h.ctx.app.settle();
    expect((await h.detail(id)).lifecycle.phase).toBe('HANDSHAKEN');

    h.ctx.clock.set(deadline);
    await h.ctx.app.settle();
    const offline = await h.detail(id);
    expect(offline.lifecycle.phase).toBe('OFFLINE');
    expect(offline.latestError).toMatchObject({
      source: 'LIVENESS',
      clearedAt: null,
      message: `No heartbeat from the peer since the handshake completed at ${iso(completedAt)}; we asked for one every 60 s and waited until ${iso(deadline)}.`,
    });
    const [wentOffline] = await h.connectionEvents(id, 'OscpPeerOffline');
    expect(wentOffline!.data).toMatchObject({
      lastHeartbeatAt: null,
      offlineModeAt: iso(deadline),
    });
  });

  it('a peer that heartbeats in time stays online past the deadline', async () => {
    const { id, peerId } = await h.handshaken();
    const completedAt = new Date((await h.detail(id)).lifecycle.handshake.completedAt!);
    h.ctx.clock.set(new Date(completedAt.getTime() + 60_000));
    expect(
      await h.sim.sendHeartbeat(peerId, { intervalSeconds: 600, offlineMultiplier: 1 }),
    ).toMatchObject({ status: 'delivered' });
    h.ctx.clock.set(new Date(completedAt.getTime() + 200_000));
    await h.ctx.app.settle();
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('ONLINE');
    expect(detail.latestError).toBeNull();
  });
});

describe('the acknowledgement deadline of our handshake', () => {
  it('unacknowledged after the timeout: a visible problem, the handshake sent again, and the wait doubles', async () => {
    const { id, peerId } = await h.vector({ peer: { autoAcknowledge: false } });
    await h.enable(id);
    const first = await h.peerReceived(
      'our first Handshake at the peer',
      (m) => m.endpoint === 'handshake' && m.peerId === peerId && m.status === 204,
    );
    const deliveredAt = h.ctx.clock.now();
    // The test app waits 10 minutes for an acknowledgement.
    h.ctx.clock.set(new Date(deliveredAt.getTime() + 599_000));
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'handshake', peerId })).toHaveLength(1);
    expect((await h.detail(id)).latestError).toBeNull();

    h.ctx.clock.set(new Date(deliveredAt.getTime() + 600_000));
    const second = await h.peerReceived(
      'our second Handshake at the peer',
      (m) => m.endpoint === 'handshake' && m.peerId === peerId && m.requestId !== first.requestId,
    );
    const waiting = await h.detail(id);
    expect(waiting.lifecycle.phase).toBe('REGISTERED');
    expect(waiting.latestError).toMatchObject({
      source: 'HANDSHAKE',
      status: 'timeout',
      clearedAt: null,
      message: `The Capacity Provider did not acknowledge our handshake ${first.requestId} within 600 s of its delivery; sent it again as ${second.requestId}.`,
    });
    const timeline = await h.timeline(id, ['OscpHandshakeUnacknowledged']);
    expect(timeline.map((e) => e.data)).toEqual([
      expect.objectContaining({ requestId: first.requestId, attempt: 1, waitedSeconds: 600 }),
    ]);

    // The second wait is twice as long (15 minutes at most): nothing at 10 minutes.
    const secondDeliveredAt = h.ctx.clock.now();
    h.ctx.clock.set(new Date(secondDeliveredAt.getTime() + 600_000));
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'handshake', peerId })).toHaveLength(2);

    // The peer acknowledges at last: handshaken, the problem cleared, no more handshakes.
    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    const done = await h.detail(id);
    expect(done.lifecycle.phase).toBe('HANDSHAKEN');
    expect(done.latestError).toMatchObject({ source: 'HANDSHAKE', clearedAt: expect.any(String) });
    h.ctx.clock.set(new Date(secondDeliveredAt.getTime() + 3_600_000));
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'handshake', peerId })).toHaveLength(2);
  });
});
