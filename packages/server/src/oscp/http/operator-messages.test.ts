import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// What an operator tells the Capacity Provider by hand, over real HTTP to the simulator.

const h = useLifecycleHarness();

const post = (id: string, what: 'adjustment-requests' | 'compliance-errors', body: unknown) =>
  h.ctx.request({
    method: 'POST',
    url: `/api/oscp-connections/${id}/${what}`,
    cookie: h.manager,
    body,
  });

const block = {
  start: '2026-03-02T10:00:00Z',
  end: '2026-03-02T11:00:00Z',
  capacity: 120,
  unit: 'A',
};

describe('an adjustment request', () => {
  it('goes to the peer as AdjustGroupCapacityForecast, listed and audited with who asked', async () => {
    const { id, peerId, group } = await h.handshaken();
    const sent = await post(id, 'adjustment-requests', { blocks: [block] });
    expect(sent.statusCode, sent.body).toBe(202);
    const { requestId } = sent.json();

    const received = await h.peerReceived(
      'the adjustment request',
      (m) => m.endpoint === 'adjust_group_capacity_forecast' && m.peerId === peerId,
    );
    expect(received).toMatchObject({ status: 204, requestId });
    expect(received.body).toEqual({
      group_id: group,
      type: 'CONSUMPTION',
      forecasted_blocks: [
        {
          capacity: 120,
          phase: 'ALL',
          unit: 'A',
          start_time: '2026-03-02T10:00:00.000Z',
          end_time: '2026-03-02T11:00:00.000Z',
        },
      ],
    });
    expect(await h.publications(id, '?kind=AdjustGroupCapacityForecast')).toEqual([
      expect.objectContaining({ requestId, status: 'DELIVERED' }),
    ]);
    const [audit] = await h.auditEvents(id, 'OscpAdjustmentRequested');
    expect(audit!.data).toMatchObject({ requestId, by: expect.any(String), type: 'CONSUMPTION' });
  });

  it('is refused with a specific message for a period that ends before it starts', async () => {
    const ready = await h.handshaken();
    const inverted = await post(ready.id, 'adjustment-requests', {
      blocks: [{ ...block, end: '2026-03-02T09:30:00Z' }],
    });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().detail).toBe('forecasted_blocks.0.end_time: must be after start_time');
    const unknownUnit = await post(ready.id, 'adjustment-requests', {
      blocks: [{ ...block, unit: 'KWH' }],
    });
    expect(unknownUnit.statusCode).toBe(400);
  });

  it('is refused before the handshake, and nothing is sent', async () => {
    const early = await h.registered();
    const refused = await post(early.id, 'adjustment-requests', { blocks: [block] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe(
      'Messages go to the Capacity Provider once the connection is handshaken; it is REGISTERED.',
    );
    expect(await h.publications(early.id, '?kind=AdjustGroupCapacityForecast')).toHaveLength(0);
  });
});

describe('a compliance error', () => {
  it('is about the last forecast received unless another is named, correlated to it', async () => {
    const { id, peerId } = await h.handshaken();
    const none = await post(id, 'compliance-errors', { message: 'chargers unreachable' });
    expect(none.statusCode).toBe(409);
    expect(none.json().detail).toBe(
      'No forecast has been received on this connection: there is nothing to report against.',
    );

    const forecast = await h.sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: h.forecastBlocks(),
    });
    expect(forecast).toMatchObject({ status: 'delivered' });
    const forecastId = h.sim
      .sentMessages({ peerId, endpoint: 'update_group_capacity_forecast' })
      .at(-1)!.requestId;

    const sent = await post(id, 'compliance-errors', { message: 'chargers unreachable' });
    expect(sent.statusCode, sent.body).toBe(202);
    expect(sent.json().correlationId).toBe(forecastId);
    const received = await h.peerReceived(
      'the compliance error',
      (m) => m.endpoint === 'group_capacity_compliance_error' && m.peerId === peerId,
    );
    expect(received).toMatchObject({ status: 204, correlationId: forecastId });
    expect(received.body).toEqual({ message: 'chargers unreachable' });

    const named = await post(id, 'compliance-errors', {
      message: 'about an older one',
      forecastRequestId: 'older-forecast',
    });
    expect(named.json().correlationId).toBe('older-forecast');
    const [, second] = await h.auditEvents(id, 'OscpComplianceErrorReported');
    expect(second!.data).toMatchObject({ forecastRequestId: 'older-forecast' });
    expect((await post(id, 'compliance-errors', { message: '  ' })).statusCode).toBe(400);
  });
});
