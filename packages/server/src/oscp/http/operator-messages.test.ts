import { describe, expect, it } from 'vitest';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';
import type { OperatorMessageOffers } from '../operator-message-contract';

// What an operator tells the Capacity Provider by hand, over real HTTP to the simulator.

const h = useLifecycleHarness();

const post = (id: string, what: 'adjustment-requests' | 'compliance-errors', body: unknown) =>
  h.ctx.request({
    method: 'POST',
    url: `/api/oscp-connections/${id}/${what}`,
    cookie: h.manager,
    body,
  });

async function offers(id: string): Promise<OperatorMessageOffers> {
  const response = await h.ctx.request({
    method: 'GET',
    url: `/api/oscp-connections/${id}/operator-messages`,
    cookie: h.manager,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** The clock starts at 09:00; forecasts below cover 09:00–11:00 unless told otherwise. */
const block = {
  start: '2026-03-02T10:00:00Z',
  end: '2026-03-02T10:30:00Z',
  capacity: 120,
  unit: 'A',
};

/** The peer sends a forecast; its X-Request-ID. */
async function forecast(
  peerId: string,
  options: {
    type?: 'CONSUMPTION' | 'FALLBACK_CONSUMPTION';
    unit?: 'A' | 'KWH';
    hours?: number;
  } = {},
): Promise<string> {
  const start = h.ctx.clock.now();
  const outcome = await h.sim.sendForecast(peerId, {
    type: options.type ?? 'CONSUMPTION',
    blocks: [
      {
        start,
        end: new Date(start.getTime() + (options.hours ?? 2) * 3600_000),
        capacity: 50,
        unit: options.unit ?? 'A',
        phase: 'ALL',
      },
    ],
  });
  expect(outcome.status).toBe(options.unit === 'KWH' ? 'rejected' : 'delivered');
  return h.sim.sentMessages({ peerId, endpoint: 'update_group_capacity_forecast' }).at(-1)!
    .requestId;
}

describe('an adjustment request', () => {
  it('is refused with the reason while no accepted forecast is in force, and offered once one is', async () => {
    const { id, peerId } = await h.handshaken();
    const reason =
      'No accepted forecast is in force on this connection: an adjustment request asks the Capacity Provider to change one.';
    expect((await offers(id)).adjustment).toEqual({ offered: false, reason, forecasts: [] });
    const refused = await post(id, 'adjustment-requests', { blocks: [block] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe(reason);

    // A rejected forecast is not one to adjust either.
    await forecast(peerId, { unit: 'KWH' });
    expect((await offers(id)).adjustment.offered).toBe(false);

    const forecastId = await forecast(peerId);
    expect((await offers(id)).adjustment).toEqual({
      offered: true,
      reason: null,
      forecasts: [
        {
          requestId: forecastId,
          type: 'CONSUMPTION',
          futureStart: '2026-03-02T09:00:00.000Z',
          end: '2026-03-02T11:00:00.000Z',
          receivedAt: '2026-03-02T09:00:00.000Z',
        },
      ],
    });
    expect(await h.publications(id, '?kind=AdjustGroupCapacityForecast')).toHaveLength(0);
  });

  it('goes to the peer correlated to the forecast that prompted it, listed and audited with who asked', async () => {
    const { id, peerId, group } = await h.handshaken();
    const forecastId = await forecast(peerId);
    const sent = await post(id, 'adjustment-requests', { blocks: [block] });
    expect(sent.statusCode, sent.body).toBe(202);
    const { requestId } = sent.json();
    expect(sent.json().correlationId).toBe(forecastId);

    const received = await h.peerReceived(
      'the adjustment request',
      (m) => m.endpoint === 'adjust_group_capacity_forecast' && m.peerId === peerId,
    );
    expect(received).toMatchObject({ status: 204, requestId, correlationId: forecastId });
    expect(received.body).toEqual({
      group_id: group,
      type: 'CONSUMPTION',
      forecasted_blocks: [
        {
          capacity: 120,
          phase: 'ALL',
          unit: 'A',
          start_time: '2026-03-02T10:00:00.000Z',
          end_time: '2026-03-02T10:30:00.000Z',
        },
      ],
    });
    expect(await h.publications(id, '?kind=AdjustGroupCapacityForecast')).toEqual([
      expect.objectContaining({ requestId, correlationId: forecastId, status: 'DELIVERED' }),
    ]);
    const [audit] = await h.auditEvents(id, 'OscpAdjustmentRequested');
    expect(audit!.data).toMatchObject({
      requestId,
      forecastRequestId: forecastId,
      by: expect.any(String),
      type: 'CONSUMPTION',
    });
  });

  it("names the block that does not lie within the forecast's future span", async () => {
    const ready = await h.handshaken();
    await forecast(ready.peerId);
    const late = await post(ready.id, 'adjustment-requests', {
      blocks: [block, { ...block, start: '2026-03-02T10:30:00Z', end: '2026-03-02T11:30:00Z' }],
    });
    expect(late.statusCode).toBe(400);
    expect(late.json().detail).toBe(
      "blocks.1: must lie within the forecast's future span (2026-03-02T09:00:00.000Z to 2026-03-02T11:00:00.000Z)",
    );

    // Half an hour on, the first half hour of the forecast is past.
    h.ctx.clock.advance(30 * 60_000);
    const past = await post(ready.id, 'adjustment-requests', {
      blocks: [{ ...block, start: '2026-03-02T09:15:00Z' }],
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().detail).toBe(
      "blocks.0: must lie within the forecast's future span (2026-03-02T09:30:00.000Z to 2026-03-02T11:00:00.000Z)",
    );

    const inverted = await post(ready.id, 'adjustment-requests', {
      blocks: [{ ...block, end: '2026-03-02T09:45:00Z' }],
    });
    expect(inverted.statusCode).toBe(400);
    expect(inverted.json().detail).toBe('forecasted_blocks.0.end_time: must be after start_time');
    expect(await h.publications(ready.id, '?kind=AdjustGroupCapacityForecast')).toHaveLength(0);
  });

  it('is refused for a named forecast that was rejected or never received', async () => {
    const { id, peerId } = await h.handshaken();
    await forecast(peerId);
    const rejectedId = await forecast(peerId, { unit: 'KWH' });
    const rejected = await post(id, 'adjustment-requests', {
      forecastRequestId: rejectedId,
      blocks: [block],
    });
    expect(rejected.statusCode).toBe(409);
    expect(rejected.json().detail).toMatch(
      new RegExp(
        `^Forecast ${rejectedId} was rejected \\(.*energy.*\\): only an accepted forecast can be adjusted\\.$`,
      ),
    );
    const unknown = await post(id, 'adjustment-requests', {
      forecastRequestId: 'never-sent',
      blocks: [block],
    });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json().detail).toBe('Forecast never-sent was not accepted on this connection.');
  });

  it('is refused before the handshake, and nothing is sent', async () => {
    const early = await h.registered();
    const refused = await post(early.id, 'adjustment-requests', { blocks: [block] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe(
      'Messages go to the Capacity Provider once the connection is handshaken; it is REGISTERED.',
    );
    expect((await offers(early.id)).adjustment.reason).toBe(refused.json().detail);
    expect(await h.publications(early.id, '?kind=AdjustGroupCapacityForecast')).toHaveLength(0);
  });
});

describe('a compliance error', () => {
  it('refers to an accepted forecast only: the one in force unless another accepted one is named', async () => {
    const { id, peerId } = await h.handshaken();
    const none = await post(id, 'compliance-errors', { message: 'chargers unreachable' });
    expect(none.statusCode).toBe(409);
    expect(none.json().detail).toBe(
      'No forecast has been accepted on this connection: there is nothing to report against.',
    );
    expect((await offers(id)).complianceError).toEqual({
      offered: false,
      reason: none.json().detail,
      forecast: null,
    });

    const forecastId = await forecast(peerId);
    // A later forecast that was rejected does not take the accepted one's place.
    const rejectedId = await forecast(peerId, { unit: 'KWH' });
    expect((await offers(id)).complianceError).toEqual({
      offered: true,
      reason: null,
      forecast: { requestId: forecastId, type: 'CONSUMPTION', at: '2026-03-02T09:00:00.000Z' },
    });

    const sent = await post(id, 'compliance-errors', { message: 'chargers unreachable' });
    expect(sent.statusCode, sent.body).toBe(202);
    expect(sent.json().correlationId).toBe(forecastId);
    const received = await h.peerReceived(
      'the compliance error',
      (m) => m.endpoint === 'group_capacity_compliance_error' && m.peerId === peerId,
    );
    expect(received).toMatchObject({ status: 204, correlationId: forecastId });
    expect(received.body).toEqual({ message: 'chargers unreachable' });

    const aboutRejected = await post(id, 'compliance-errors', {
      message: 'about the rejected one',
      forecastRequestId: rejectedId,
    });
    expect(aboutRejected.statusCode).toBe(409);
    expect(aboutRejected.json().detail).toMatch(
      /was rejected \(.*\): a compliance error refers to an accepted forecast\.$/,
    );
    const aboutUnknown = await post(id, 'compliance-errors', {
      message: 'about an older one',
      forecastRequestId: 'older-forecast',
    });
    expect(aboutUnknown.statusCode).toBe(409);
    expect(aboutUnknown.json().detail).toBe(
      'Forecast older-forecast was not accepted on this connection: a compliance error refers to an accepted forecast.',
    );

    // The accepted forecast, named, after it has passed: still an accepted forecast.
    h.ctx.clock.advance(3 * 3600_000);
    const named = await post(id, 'compliance-errors', {
      message: 'about the morning',
      forecastRequestId: forecastId,
    });
    expect(named.statusCode, named.body).toBe(202);
    expect(named.json().correlationId).toBe(forecastId);
    const reports = await h.auditEvents(id, 'OscpComplianceErrorReported');
    expect(reports.map((e) => e.data.forecastRequestId)).toEqual([forecastId, forecastId]);
    expect((await post(id, 'compliance-errors', { message: '  ' })).statusCode).toBe(400);
  });
});
