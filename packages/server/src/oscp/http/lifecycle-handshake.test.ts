import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// Handshakes both ways and the gate they put on business messages, over real HTTP against the
// Capacity Provider simulator with the app's manual clock.

const h = useLifecycleHarness();

describe('the Capacity Provider starts the handshake', () => {
  it('answers 204, acknowledges with X-Correlation-ID = the handshake’s X-Request-ID, and shows what was negotiated', async () => {
    const { id, peerId } = await h.registered({
      connection: { requestedHeartbeatIntervalSeconds: 120 },
    });
    const outcome = await h.sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 45,
      measurementConfiguration: ['CONTINUOUS'],
    });
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const handshake = h.sim.sentMessages({ endpoint: 'handshake', peerId }).at(-1)!;

    // Answered first; the acknowledgement is a separate message, written before it is sent.
    expect((await h.detail(id)).lifecycle.phase).toBe('REGISTERED');
    const [pending] = await h.publications(id, '?kind=HandshakeAcknowledge');
    expect(pending).toMatchObject({ status: 'PENDING', correlationId: handshake.requestId });

    const handshaken = await h.phaseBecomes(id, 'HANDSHAKEN');
    const acks = h.sim.messages({ endpoint: 'handshake_acknowledge', peerId });
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({
      status: 204,
      requestId: pending!.requestId,
      correlationId: handshake.requestId,
      body: {
        required_behaviour: { heartbeat_interval: 120, measurement_configuration: ['CONTINUOUS'] },
      },
    });
    expect(handshaken.lifecycle.handshake).toEqual({
      completedAt: h.ctx.clock.now().toISOString(),
      awaitingAcknowledgement: false,
      required: false,
      peerRequires: { heartbeatIntervalSeconds: 45, measurementConfiguration: ['CONTINUOUS'] },
      weRequire: { heartbeatIntervalSeconds: 120, measurementConfiguration: ['CONTINUOUS'] },
    });
    const [completed] = await h.connectionEvents(id, 'OscpHandshakeCompleted');
    expect(completed!.data).toMatchObject({
      via: 'ACKNOWLEDGEMENT_DELIVERED',
      correlationId: handshake.requestId,
    });
  });

  it('refuses a handshake it cannot satisfy with 400 and a message, records it, and stays unready for business', async () => {
    const { id, peerId } = await h.registered();
    const refused = await h.sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 30,
      measurementConfiguration: ['INTERMITTENT'],
    });
    expect(refused).toMatchObject({ status: 'rejected', httpStatus: 400 });
    const reason =
      'measurement_configuration INTERMITTENT is not supported by this connection (its profile publishes CONTINUOUS)';
    expect(refused.status === 'rejected' && refused.message).toBe(reason);
    const handshake = h.sim.sentMessages({ endpoint: 'handshake', peerId }).at(-1)!;

    const rejected = await h.connectionEvents(id, 'OscpHandshakeRejected');
    expect(rejected.map((e) => e.data)).toEqual([
      expect.objectContaining({ requestId: handshake.requestId, reason }),
    ]);
    await h.ctx.app.settle();
    const detail = await h.detail(id);
    expect(detail.lifecycle.phase).toBe('REGISTERED');
    expect(detail.lifecycle.handshake.peerRequires).toBeNull();
    expect(await h.publications(id, '?kind=HandshakeAcknowledge')).toHaveLength(0);
    expect(h.sim.messages({ endpoint: 'handshake_acknowledge', peerId })).toHaveLength(0);

    const forecast = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(),
    });
    expect(forecast).toMatchObject({ status: 'rejected', httpStatus: 403 });
  });
});

describe('business messages need a completed handshake', () => {
  it('refuses a forecast before the handshake with 403 and audits the refusal', async () => {
    const { id, peerId } = await h.registered();
    const outcome = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(),
    });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403 });
    expect(outcome.status === 'rejected' && outcome.message).toBe(
      'Complete the handshake before business messages (this connection is REGISTERED).',
    );
    const sent = h.sim.sentMessages({ endpoint: 'update_group_capacity_forecast', peerId }).at(-1)!;
    const refused = await h.refusals(id);
    expect(refused).toEqual([
      expect.objectContaining({
        connectionId: id,
        endpoint: 'update_group_capacity_forecast',
        status: 403,
        requestId: sent.requestId,
        authorizationScheme: 'Token',
      }),
    ]);
    expect(await h.auditEvents(id, 'OscpForecastAccepted')).toHaveLength(0);
    expect((await h.detail(id)).control.lastForecast).toBeNull();
  });

  it('accepts a forecast for the bound group after the handshake (204, audited), and refuses another group_id with 403', async () => {
    const { id, peerId } = await h.handshaken();
    const outcome = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(40),
    });
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
    const sent = h.sim.sentMessages({ endpoint: 'update_group_capacity_forecast', peerId }).at(-1)!;
    const accepted = await h.auditEvents(id, 'OscpForecastAccepted');
    expect(accepted.map((e) => e.data)).toEqual([
      expect.objectContaining({ connectionId: id, requestId: sent.requestId, type: 'CONSUMPTION' }),
    ]);
    expect((await h.detail(id)).control.lastForecast).toMatchObject({
      outcome: 'ACCEPTED',
      type: 'CONSUMPTION',
    });

    const elsewhere = await h.post('/oscp/fp/2.0/update_group_capacity_forecast', {
      authorization: `Token ${h.peerToken(peerId)}`,
      body: {
        group_id: 'ELSEWHERE',
        type: 'CONSUMPTION',
        forecasted_blocks: [
          {
            capacity: 40,
            phase: 'ALL',
            unit: 'A',
            start_time: h.ctx.clock.now().toISOString(),
            end_time: new Date(h.ctx.clock.now().getTime() + 3_600_000).toISOString(),
          },
        ],
      },
    });
    expect(elsewhere).toEqual({
      status: 403,
      body: { message: 'group_id ELSEWHERE is not bound to this connection.' },
    });
    expect(await h.auditEvents(id, 'OscpForecastAccepted')).toHaveLength(1);
    expect((await h.refusals(id)).map((r) => r.reason)).toEqual([
      'group_id ELSEWHERE is not bound to this connection.',
    ]);
  });
});

describe('the Flexibility Provider starts the handshake (Vector DERMS)', () => {
  it('completes on the peer’s acknowledgement carrying our request id, and refuses a wrong correlation id with 400', async () => {
    const { id, peerId } = await h.vector({ peer: { autoAcknowledge: false } });
    await h.enable(id);
    const ours = await h.peerReceived(
      'our Handshake at the peer',
      (m) => m.endpoint === 'handshake' && m.peerId === peerId,
    );
    expect(ours.status).toBe(204);
    const waiting = await h.detail(id);
    expect(waiting.lifecycle.phase).toBe('REGISTERED');
    expect(waiting.lifecycle.handshake.awaitingAcknowledgement).toBe(true);

    const wrong = await h.sim.acknowledgeHandshake(peerId, { correlationId: 'not-our-handshake' });
    expect(wrong).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(wrong.status === 'rejected' && wrong.message).toBe(
      `X-Correlation-ID must be the X-Request-ID of our handshake (${ours.requestId}).`,
    );
    expect((await h.detail(id)).lifecycle.phase).toBe('REGISTERED');

    const right = await h.sim.acknowledgeHandshake(peerId);
    expect(right).toMatchObject({ status: 'delivered', httpStatus: 204 });
    expect(h.sim.sentMessages({ endpoint: 'handshake_acknowledge', peerId }).at(-1)).toMatchObject({
      correlationId: ours.requestId,
    });
    const handshaken = await h.detail(id);
    expect(handshaken.lifecycle.phase).toBe('HANDSHAKEN');
    expect(handshaken.lifecycle.handshake).toMatchObject({
      awaitingAcknowledgement: false,
      required: false,
      peerRequires: { heartbeatIntervalSeconds: 60, measurementConfiguration: ['INTERMITTENT'] },
      weRequire: { heartbeatIntervalSeconds: 60, measurementConfiguration: ['INTERMITTENT'] },
    });
    const [completed] = await h.connectionEvents(id, 'OscpHandshakeCompleted');
    expect(completed!.data).toMatchObject({
      via: 'ACKNOWLEDGEMENT_RECEIVED',
      correlationId: ours.requestId,
    });

    // Nothing awaits an acknowledgement any more.
    const late = await h.sim.acknowledgeHandshake(peerId, { correlationId: ours.requestId });
    expect(late).toMatchObject({ status: 'rejected', httpStatus: 400 });

    // Business is open: a forecast from this OAuth peer is accepted.
    const forecast = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(),
    });
    expect(forecast).toMatchObject({ status: 'delivered', httpStatus: 204 });
  });

  it('offers Retry handshake once ours failed to be delivered, and completes on the retry', async () => {
    const { id, peerId } = await h.vector({ peer: { autoAcknowledge: false } });
    h.sim.setFault({ endpoint: 'handshake', peerId, status: 400, message: 'not now', times: 1 });
    await h.enable(id);
    await h.ctx.app.settle();
    const failed = await h.detail(id);
    expect(failed.lifecycle.phase).toBe('REGISTERED');
    expect(failed.latestError).toMatchObject({ status: '400', clearedAt: null });
    expect(failed.handshakeRetryRefusal).toBeNull();

    const manager = await h.ctx.signIn('MANAGER', 'hana');
    const retried = await h.ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/retry-handshake`,
      cookie: manager,
    });
    expect(retried.statusCode, retried.body).toBe(200);
    // Ours is on its way now: no second retry until it has an outcome.
    expect(retried.json().handshakeRetryRefusal).toMatch(/^Our handshake .* is still PENDING/);
    const again = await h.ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/retry-handshake`,
      cookie: manager,
    });
    expect(again.statusCode).toBe(409);

    const ours = await h.peerReceived(
      'the retried Handshake at the peer',
      (m) => m.endpoint === 'handshake' && m.peerId === peerId && m.status === 204,
    );
    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    const done = await h.detail(id);
    expect(done.lifecycle.phase).toBe('HANDSHAKEN');
    expect(done.handshakeRetryRefusal).toBe(
      'A handshake can be retried while the connection waits for one; it is HANDSHAKEN.',
    );
    const [sent] = (await h.connectionEvents(id, 'OscpHandshakeSent')).slice(-1);
    expect(sent!.data).toMatchObject({ requestId: ours.requestId, by: 'hana' });
  });
});
