import { describe, expect, it } from 'vitest';
import { MEASUREMENT_WORK, nextPeriodEnd, publicationDelayMs } from '../app/measurements';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// Measurements published to the Capacity Provider at the end of each period (900 s, on the clock
// quarter hours), from the depot's meter readings, over real HTTP to the simulator.

const h = useLifecycleHarness();
const MIN = 60_000;

/** Two of the demo circuit's charging sessions, to put meter readings on. */
async function twoSessions() {
  const rows = await h.ctx.db
    .selectFrom('charging_sessions as s')
    .innerJoin('chargers as c', 'c.id', 's.charger_id')
    .select(['c.id as chargerId', 's.id as sessionId'])
    .where('c.circuit_id', '=', h.ids.circuitId)
    .where('s.ended_at', 'is', null)
    .orderBy('c.name')
    .limit(2)
    .execute();
  expect(rows).toHaveLength(2);
  return rows;
}

async function meter(chargerId: string, at: number, energyWh: number, powerW: number) {
  await h.ctx.app.microgrid.charging.recordMeterValues(
    [{ chargerId, measuredAt: new Date(at), energyWh, powerW, currentA: powerW / 690 }],
    h.ctx.clock.now(),
  );
}

/** The handshake happened at 09:00:00: the first period ends at 09:15. */
const periodEnd = Date.parse('2026-03-02T09:15:00Z');
const periodStart = periodEnd - 15 * MIN;

describe('measurements to the Capacity Provider', () => {
  it('sends the energy used in each period as a group measurement, zero when nothing was used, and stops when disabled', async () => {
    const { id, peerId } = await h.handshaken({ heartbeatIntervalSeconds: 3600 });
    const [a, b] = await twoSessions();
    // Session A was metered before the period: only what it used within counts (1400 − 400).
    await meter(a!.chargerId, periodStart - MIN, 400, 11_000);
    await meter(a!.chargerId, periodEnd - 2 * MIN, 1_400, 11_000);
    // Session B's first reading is within the period: all of it counts.
    await meter(b!.chargerId, periodEnd - MIN, 250, 7_000);
    // After the period: belongs to the next one.
    await meter(b!.chargerId, periodEnd + MIN, 400, 7_000);

    // Each connection sends a fixed while after the period ends (spread over a minute).
    const delay = publicationDelayMs(id, 900);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThan(60_000);
    h.ctx.clock.advance(periodEnd + delay - h.ctx.clock.now().getTime() - 1);
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'update_group_measurements', peerId })).toHaveLength(0);

    h.ctx.clock.advance(1);
    const [first] = await h.settleUntil('the first measurements at the peer', async () => {
      const got = h.sim.messages({ endpoint: 'update_group_measurements', peerId });
      return got.length === 1 && got;
    });
    expect(first!.status).toBe(204);
    expect(first!.body).toEqual({
      group_id: expect.any(String),
      measurements: [
        {
          value: 1_250,
          phase: 'ALL',
          unit: 'WH',
          direction: 'IMPORT',
          measure_time: '2026-03-02T09:15:00.000Z',
          initial_measure_time: '2026-03-02T09:00:00.000Z',
        },
      ],
    });

    h.ctx.clock.advance(15 * MIN);
    const second = await h.settleUntil('the second measurements', async () => {
      const got = h.sim.messages({ endpoint: 'update_group_measurements', peerId });
      return got.length === 2 && got[1];
    });
    // B used 150 Wh more in the second period; A nothing.
    expect(second.body).toMatchObject({
      measurements: [{ value: 150, initial_measure_time: '2026-03-02T09:15:00.000Z' }],
    });
    h.ctx.clock.advance(15 * MIN);
    const third = await h.settleUntil('the third measurements', async () => {
      const got = h.sim.messages({ endpoint: 'update_group_measurements', peerId });
      return got.length === 3 && got[2];
    });
    expect(third.body).toMatchObject({ measurements: [{ value: 0 }] });

    const disabled = await h.ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/disable`,
      cookie: h.manager,
    });
    expect(disabled.statusCode).toBe(200);
    const due = await h.ctx.db
      .selectFrom('scheduled_work')
      .select('kind')
      .where('kind', '=', MEASUREMENT_WORK)
      .where('dedupe_key', '=', id)
      .execute();
    expect(due).toHaveLength(0);
    h.ctx.clock.advance(30 * MIN);
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'update_group_measurements', peerId })).toHaveLength(3);
  });

  it('sends Vector one asset per site with its energy and its power in kW, which Vector accepts', async () => {
    const { id, peerId, group } = await h.vector({ peer: { autoAcknowledge: false } });
    await h.enable(id);
    await h.peerReceived('our Handshake', (m) => m.endpoint === 'handshake' && m.peerId === peerId);
    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    const [a, b] = await twoSessions();
    await meter(a!.chargerId, periodEnd - 2 * MIN, 500, 11_000);
    await meter(b!.chargerId, periodEnd - MIN, 300, 7_400);

    h.ctx.clock.advance(periodEnd + publicationDelayMs(id, 900) - h.ctx.clock.now().getTime());
    const [sent] = await h.settleUntil('asset measurements at Vector', async () => {
      const got = h.sim.messages({ endpoint: 'update_asset_measurements', peerId });
      return got.length === 1 && got;
    });
    expect(sent!.status).toBe(204);
    expect(sent!.body).toEqual({
      group_id: group,
      measurements: [
        {
          asset_id: `${group}-CHARGING`,
          asset_category: 'CHARGING',
          energy_measurement: {
            value: 800,
            phase: 'ALL',
            unit: 'WH',
            direction: 'IMPORT',
            measure_time: '2026-03-02T09:15:00.000Z',
            initial_measure_time: '2026-03-02T09:00:00.000Z',
          },
          instantaneous_measurement: {
            value: 18.4,
            phase: 'ALL',
            unit: 'KW',
            measure_time: '2026-03-02T09:15:00.000Z',
          },
        },
      ],
    });
    expect(h.sim.messages({ endpoint: 'update_group_measurements', peerId })).toHaveLength(0);
  });
});

describe('publication times', () => {
  it('spreads connections over the first minute after a period, the same for a connection every time', async () => {
    expect(nextPeriodEnd(new Date('2026-03-02T09:00:00Z'), 900).toISOString()).toBe(
      '2026-03-02T09:15:00.000Z',
    );
    expect(nextPeriodEnd(new Date('2026-03-02T09:14:59.999Z'), 900).toISOString()).toBe(
      '2026-03-02T09:15:00.000Z',
    );
    expect(nextPeriodEnd(new Date('2026-03-02T09:07:00Z'), 300).toISOString()).toBe(
      '2026-03-02T09:10:00.000Z',
    );
    const delays = Array.from({ length: 200 }, (_, i) => publicationDelayMs(`conn-${i}`, 900));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(60_000);
    expect(new Set(delays.map((d) => Math.floor(d / 10_000))).size).toBe(6);
    expect(publicationDelayMs('conn-1', 900)).toBe(publicationDelayMs('conn-1', 900));
    // A short period keeps its sends within its first tenth.
    expect(
      Math.max(...Array.from({ length: 50 }, (_, i) => publicationDelayMs(`c${i}`, 60))),
    ).toBeLessThan(6_000);
  });
});
