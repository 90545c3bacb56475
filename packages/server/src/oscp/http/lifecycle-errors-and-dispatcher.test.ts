import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// What a connection shows when something goes wrong (the latest error, cleared by a later success
// of its kind), and the outbound dispatcher as the lifecycle uses it: retries under the manual
// clock, one X-Request-ID per message, an audit record per attempt on the connection's audit stream.

const h = useLifecycleHarness();

/** The connection's OscpOutboundAttempted records for one kind of message, oldest first. */
async function attemptsOf(id: string, kind: string) {
  return (await h.auditEvents(id, 'OscpOutboundAttempted')).filter((e) => e.data.kind === kind);
}

async function listed(id: string) {
  const entry = (await h.list()).find((c) => c.id === id);
  expect(entry).toBeDefined();
  return entry!;
}

describe('the latest error of a connection', () => {
  it('is absent before anything failed; then names what was attempted, where, the HTTP status and when; a later delivery clears it', async () => {
    const { id, peerId } = await h.handshaken({ heartbeatIntervalSeconds: 30 });
    await h.settleUntil(
      'the first heartbeat',
      async () => h.sim.messages({ endpoint: 'heartbeat', peerId }).length === 1,
    );
    expect((await h.detail(id)).latestError).toBeNull();
    expect((await listed(id)).latestError).toBeNull();

    h.sim.setFault({ endpoint: 'heartbeat', peerId, status: 503, message: 'busy', times: 1 });
    h.ctx.clock.advance(30_000);
    const failedAt = h.ctx.clock.now().toISOString();
    await h.ctx.app.settle();
    const error = {
      source: 'DELIVERY',
      at: failedAt,
      attempted: 'Heartbeat (attempt 1 of 1)',
      url: `${h.sim.oscpBaseUrl}/heartbeat`,
      status: '503',
      message: 'busy',
      clearedAt: null,
    };
    expect((await h.detail(id)).latestError).toEqual(error);
    // The list carries the same marker data.
    expect((await listed(id)).latestError).toEqual(error);

    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    const cleared = { ...error, clearedAt: h.ctx.clock.now().toISOString() };
    expect((await h.detail(id)).latestError).toEqual(cleared);
    expect((await listed(id)).latestError).toEqual(cleared);
  });

  it('shows "timeout" as the status when the peer does not answer in time', async () => {
    const { id, peerId } = await h.handshaken({ heartbeatIntervalSeconds: 30 });
    await h.settleUntil(
      'the first heartbeat',
      async () => h.sim.messages({ endpoint: 'heartbeat', peerId }).length === 1,
    );
    h.sim.setFault({ endpoint: 'heartbeat', peerId, delayMs: 2_500, status: 503, times: 1 });
    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    expect((await h.detail(id)).latestError).toEqual({
      source: 'DELIVERY',
      at: h.ctx.clock.now().toISOString(),
      attempted: 'Heartbeat (attempt 1 of 1)',
      url: `${h.sim.oscpBaseUrl}/heartbeat`,
      status: 'timeout',
      message: 'no response within 2000 ms',
      clearedAt: null,
    });
    expect((await listed(id)).latestError).toMatchObject({ status: 'timeout', clearedAt: null });
    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    expect((await h.detail(id)).latestError).toMatchObject({
      status: 'timeout',
      clearedAt: h.ctx.clock.now().toISOString(),
    });
  });

  it('is cleared only by a success of its own kind: a delivery does not clear a registration failure, the peer’s Register does', async () => {
    const { id, peerId } = await h.tokenExchange({ peer: { autoRegisterBack: false } });
    await h.enable(id);
    await h.ctx.app.settle();
    h.ctx.clock.advance(30_000);
    await h.ctx.app.settle();
    const failed = await h.detail(id);
    expect(failed.lifecycle.phase).toBe('REGISTRATION_FAILED');
    expect(failed.latestError).toMatchObject({
      source: 'REGISTRATION',
      attempted: 'Registration',
      clearedAt: null,
    });

    expect((await h.action(id, 'retry-registration')).statusCode).toBe(200);
    await h.ctx.app.settle();
    const delivered = (await h.publications(id, '?kind=Register')).filter(
      (p) => p.status === 'DELIVERED',
    );
    expect(delivered).toHaveLength(2);
    expect((await h.detail(id)).latestError).toEqual(failed.latestError);

    h.ctx.clock.advance(1_000);
    expect(await h.sim.register(peerId)).toMatchObject({ status: 'delivered' });
    const registered = await h.detail(id);
    expect(registered.lifecycle.phase).toBe('REGISTERED');
    expect(registered.latestError).toEqual({
      ...failed.latestError,
      clearedAt: h.ctx.clock.now().toISOString(),
    });
  });
});

describe('the outbound dispatcher in the lifecycle', () => {
  it('retries a 503 after the back-off, not before, with the same X-Request-ID, recording each attempt as an event', async () => {
    const { id, peerId } = await h.registered();
    h.sim.setFault({ endpoint: 'handshake_acknowledge', peerId, status: 503, times: 1 });
    expect(
      await h.sim.sendHandshake(peerId, {
        heartbeatIntervalSeconds: 60,
        measurementConfiguration: ['CONTINUOUS'],
      }),
    ).toMatchObject({ status: 'delivered' });
    const handshake = h.sim.sentMessages({ endpoint: 'handshake', peerId }).at(-1)!;
    const acks = () => h.sim.messages({ endpoint: 'handshake_acknowledge', peerId });

    await h.ctx.app.settle();
    const [retrying] = await h.publications(id, '?kind=HandshakeAcknowledge');
    expect(retrying).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      lastHttpStatus: 503,
      correlationId: handshake.requestId,
    });
    const [first, ...none] = await attemptsOf(id, 'HandshakeAcknowledge');
    expect(none).toHaveLength(0);
    expect(first!.data).toEqual({
      connectionId: id,
      kind: 'HandshakeAcknowledge',
      requestId: retrying!.requestId,
      correlationId: handshake.requestId,
      attempt: 1,
      status: 'RETRYING',
      outcome: 'failed',
      httpStatus: 503,
      url: `${h.sim.oscpBaseUrl}/handshake_acknowledge`,
      error: 'injected fault: HTTP 503',
      response: '{"message":"injected fault: HTTP 503"}',
      nextAttemptAt: retrying!.nextAttemptAt,
      at: h.ctx.clock.now().toISOString(),
    });
    // Back-off with jitter: base 1 s × 2^0, scaled by [0.5, 1).
    const due = new Date(retrying!.nextAttemptAt).getTime();
    const delay = due - h.ctx.clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1_000);

    h.ctx.clock.set(new Date(due - 1));
    await h.ctx.app.settle();
    expect(acks()).toHaveLength(1);
    expect((await h.detail(id)).lifecycle.phase).toBe('REGISTERED');

    h.ctx.clock.set(new Date(due));
    await h.ctx.app.settle();
    expect(acks().map((a) => [a.requestId, a.status, a.duplicate])).toEqual([
      [retrying!.requestId, 503, false],
      [retrying!.requestId, 204, true],
    ]);
    expect((await h.publications(id, '?kind=HandshakeAcknowledge'))[0]).toMatchObject({
      status: 'DELIVERED',
      attempts: 2,
      deliveredAt: new Date(due).toISOString(),
    });
    expect((await h.detail(id)).lifecycle.phase).toBe('HANDSHAKEN');
    const attempts = await attemptsOf(id, 'HandshakeAcknowledge');
    expect(attempts.map((e) => [e.data.attempt, e.data.status, e.data.requestId])).toEqual([
      [1, 'RETRYING', retrying!.requestId],
      [2, 'DELIVERED', retrying!.requestId],
    ]);
    expect(attempts[1]!.data).toMatchObject({
      outcome: 'delivered',
      httpStatus: 204,
      nextAttemptAt: null,
    });
    // The timeline API shows the same records.
    const timeline = await h.timeline(id, ['OscpOutboundAttempted']);
    expect(
      timeline.filter((e) => e.data.kind === 'HandshakeAcknowledge').map((e) => e.data.attempt),
    ).toEqual([2, 1]);
  });

  it('fails a message at once on a 4xx: one attempt, FAILED, and the handshake does not complete', async () => {
    const { id, peerId } = await h.registered();
    h.sim.setFault({ endpoint: 'handshake_acknowledge', peerId, status: 400, message: 'bad ack' });
    await h.sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 60,
      measurementConfiguration: ['CONTINUOUS'],
    });
    await h.ctx.app.settle();
    h.ctx.clock.advance(600_000);
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'handshake_acknowledge', peerId })).toHaveLength(1);
    expect((await h.publications(id, '?kind=HandshakeAcknowledge'))[0]).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastHttpStatus: 400,
      lastError: 'HTTP 400: bad ack',
    });
    const attempts = await attemptsOf(id, 'HandshakeAcknowledge');
    expect(attempts.map((e) => [e.data.kind, e.data.status, e.data.outcome])).toEqual([
      ['HandshakeAcknowledge', 'FAILED', 'rejected'],
    ]);
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('REGISTERED');
    expect(detail.latestError).toMatchObject({
      attempted: 'HandshakeAcknowledge (attempt 1 of 3)',
      status: '400',
      clearedAt: null,
    });
  });
});
