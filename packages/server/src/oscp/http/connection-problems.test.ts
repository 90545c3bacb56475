import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import { OSCP_FP_PREFIX } from './protocol-routes';

// A connection keeps its problems as a list: one open entry per kind (and message kind or
// endpoint), counted while it recurs, cleared by a later success of the same kind, and logged
// when it opens and clears. No problem hides another.

const h = useLifecycleHarness();

const logLines = (text: string) =>
  h.ctx.log.lines
    .filter((l) => l.includes(text))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('problems of a connection', () => {
  it('keeps a liveness problem visible when a delivery problem follows, and clears each on its own success', async () => {
    const { id, peerId } = await h.handshaken();
    const completedAt = new Date((await h.detail(id)).lifecycle.handshake.completedAt!);
    // No heartbeat from the peer: OFFLINE at the first-heartbeat deadline.
    h.ctx.clock.set(new Date(completedAt.getTime() + 180_000));
    await h.ctx.app.settle();
    // Our own heartbeats fail too.
    h.sim.setFault({ endpoint: 'heartbeat', peerId, status: 503, message: 'busy' });
    h.ctx.clock.advance(60_000);
    await h.settleUntil('a failed heartbeat of ours', async () =>
      (await h.detail(id)).problems.find((p) => p.kind === 'DELIVERY'),
    );
    h.ctx.clock.advance(60_000);
    await h.settleUntil('a second failed heartbeat', async () =>
      (await h.detail(id)).problems.find((p) => p.kind === 'DELIVERY' && p.count === 2),
    );

    const both = await h.detail(id);
    expect(both.problems.map((p) => [p.kind, p.subject, p.clearedAt])).toEqual([
      ['DELIVERY', 'Heartbeat', null],
      ['LIVENESS', '', null],
    ]);
    expect(both.openProblems).toHaveLength(2);
    expect(both.problems[0]).toMatchObject({ status: '503', count: 2 });
    expect(both.latestError).toMatchObject({ source: 'DELIVERY', clearedAt: null });
    expect((await h.list()).find((c) => c.id === id)!.openProblems).toHaveLength(2);
    const opened = logLines('OSCP problem opened');
    expect(
      opened.map((l) => [l['oscp.connection_id'], l['oscp.problem.kind'], l.severity_text]),
    ).toEqual([
      [id, 'LIVENESS', 'WARN'],
      [id, 'DELIVERY', 'WARN'],
    ]);

    // The peer heartbeats again: liveness clears; our deliveries still fail.
    h.sim.clearFaults();
    expect(await h.sim.sendHeartbeat(peerId, { intervalSeconds: 600 })).toMatchObject({
      status: 'delivered',
    });
    const onlyDelivery = await h.detail(id);
    expect(onlyDelivery.openProblems.map((p) => p.kind)).toEqual(['DELIVERY']);
    expect(onlyDelivery.problems.find((p) => p.kind === 'LIVENESS')!.clearedAt).toBe(
      h.ctx.clock.now().toISOString(),
    );
    expect(
      logLines('OSCP problem cleared').map((l) => [l['oscp.problem.kind'], l.severity_text]),
    ).toEqual([['LIVENESS', 'INFO']]);

    // Our next heartbeat is delivered: no open problem is left.
    h.ctx.clock.advance(60_000);
    await h.settleUntil('the delivery problem cleared', async () =>
      (await h.detail(id)).openProblems.length === 0 ? true : undefined,
    );
    expect((await h.detail(id)).latestError).toMatchObject({ clearedAt: expect.any(String) });
  });

  it('a peer’s refused messages are a problem of the connection until one is accepted', async () => {
    const { id, peerId } = await h.handshaken();
    const heartbeat = (body: unknown) =>
      h.post(`${OSCP_FP_PREFIX}/heartbeat`, {
        authorization: `Token ${h.peerToken(peerId)}`,
        body,
      });
    expect((await heartbeat({ offline_mode_at: 'soon' })).status).toBe(400);
    expect((await heartbeat({})).status).toBe(400);
    const refused = await h.detail(id);
    expect(refused.openProblems).toEqual([
      expect.objectContaining({ kind: 'INBOUND', subject: 'heartbeat', status: '400', count: 2 }),
    ]);
    const later = new Date(h.ctx.clock.now().getTime() + 600_000).toISOString();
    expect((await heartbeat({ offline_mode_at: later })).status).toBe(204);
    expect((await h.detail(id)).openProblems).toEqual([]);
  });
});
