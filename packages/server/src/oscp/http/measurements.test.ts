import { describe, expect, it } from 'vitest';
import { MEASUREMENT_WORK, publicationDelayMs } from '../app/measurements';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// Measurements published to the Capacity Provider at the end of each window, from the scope's
// virtual register (ADR 0040), over real HTTP to the simulator, which checks every series.

const h = useLifecycleHarness();
const MIN = 60_000;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const wire = (ms: number) => new Date(ms).toISOString();

/** The demo circuit's charging sessions, to put meter readings on. */
async function sessions(count: number) {
  const rows = await h.ctx.db
    .selectFrom('charging_sessions as s')
    .innerJoin('chargers as c', 'c.id', 's.charger_id')
    .select(['c.id as chargerId', 's.id as sessionId'])
    .where('c.circuit_id', '=', h.ids.circuitId)
    .where('s.ended_at', 'is', null)
    .orderBy('c.name')
    .limit(count)
    .execute();
  expect(rows).toHaveLength(count);
  return rows;
}

async function meter(chargerId: string, at: number, energyWh: number, powerW = 7_000) {
  await h.ctx.app.microgrid.charging.recordMeterValues(
    [{ chargerId, measuredAt: new Date(at), energyWh, powerW, currentA: powerW / 690 }],
    h.ctx.clock.now(),
  );
}

/** Moves the clock to the publication of the window ending at `end` and waits for message `n`. */
async function published(id: string, peerId: string, endpoint: string, end: number, n: number) {
  h.ctx.clock.set(new Date(end + publicationDelayMs(id, 900)));
  return h.settleUntil(`message ${n} at ${endpoint}`, async () => {
    const got = h.sim.messages({ endpoint, peerId });
    return got.length === n && got[n - 1]!;
  });
}

/** A token-exchange connection handshaken with the peer asking for `configuration`. */
async function handshaken(configuration: 'CONTINUOUS' | 'INTERMITTENT', connection = {}) {
  const made = await h.registered({
    connection: { measurementConfiguration: configuration, ...connection },
    peer: { measurementConfiguration: [configuration] },
  });
  const outcome = await h.sim.sendHandshake(made.peerId, {
    heartbeatIntervalSeconds: 3600,
    measurementConfiguration: [configuration],
  });
  expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
  await h.phaseBecomes(made.id, 'HANDSHAKEN');
  return made;
}

describe('CONTINUOUS: the register that never resets', () => {
  it('reports the scope’s register at each window’s end, across a session ending and a new one, and stops when disabled', async () => {
    const { id, peerId, group } = await handshaken('CONTINUOUS');
    const [a, b] = await sessions(2);
    // A was metered before the first window: that energy is in the register too.
    await meter(a!.chargerId, T0 - MIN, 400);
    await meter(a!.chargerId, T0 + 13 * MIN, 1_400);
    await meter(b!.chargerId, T0 + 14 * MIN, 250);
    await meter(b!.chargerId, T0 + 16 * MIN, 400); // after the first window

    // Each connection sends a fixed while after its window ends: not a moment before.
    h.ctx.clock.set(new Date(T0 + 15 * MIN + publicationDelayMs(id, 900) - 1));
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'update_group_measurements', peerId })).toHaveLength(0);

    const first = await published(id, peerId, 'update_group_measurements', T0 + 15 * MIN, 1);
    expect(first.status).toBe(204);
    expect(first.body).toEqual({
      group_id: group,
      measurements: [
        {
          value: 1_650,
          phase: 'ALL',
          unit: 'WH',
          direction: 'IMPORT',
          measure_time: '2026-03-02T09:15:00.000Z',
        },
      ],
    });

    // A's session ends; the next one on its charger meters from zero. The register goes on.
    h.ctx.clock.set(new Date(T0 + 20 * MIN));
    await h.ctx.app.microgrid.charging.stopSession(a!.sessionId, h.ctx.clock.now());
    await h.ctx.app.microgrid.charging.startSession(a!.chargerId, {}, h.ctx.clock.now());
    await meter(a!.chargerId, T0 + 25 * MIN, 300);
    const second = await published(id, peerId, 'update_group_measurements', T0 + 30 * MIN, 2);
    expect(second.body).toMatchObject({
      measurements: [{ value: 1_650 + 150 + 300, measure_time: '2026-03-02T09:30:00.000Z' }],
    });
    // Nothing used: the register stays where it was.
    const third = await published(id, peerId, 'update_group_measurements', T0 + 45 * MIN, 3);
    expect(third.body).toMatchObject({ measurements: [{ value: 2_100 }] });
    expect(h.sim.peer(peerId).measurements).toMatchObject({ received: 3, violations: [] });

    const disabled = await h.action(id, 'disable');
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
});

describe('INTERMITTENT: closed windows, one after the other', () => {
  it('reports each window’s energy from its start, and a window spanning the time the peer was not ready', async () => {
    const { id, peerId } = await handshaken('INTERMITTENT', {
      measurementAlignment: 'CLOCK_HOUR',
      requestedHeartbeatIntervalSeconds: 600,
      rehandshakeAfterOffline: true,
    });
    h.ctx.clock.set(new Date(T0 + MIN));
    // The peer's one heartbeat says it is offline after 09:21 unless it beats again.
    expect(
      await h.sim.sendHeartbeat(peerId, { intervalSeconds: 600, offlineMultiplier: 2 }),
    ).toMatchObject({ status: 'delivered' });
    const [a] = await sessions(1);
    await meter(a!.chargerId, T0 + 5 * MIN, 500);
    const first = await published(id, peerId, 'update_group_measurements', T0 + 15 * MIN, 1);
    expect(first.body).toMatchObject({
      measurements: [
        {
          value: 500,
          measure_time: '2026-03-02T09:15:00.000Z',
          initial_measure_time: '2026-03-02T09:00:00.000Z',
        },
      ],
    });

    // Silent: OFFLINE at 09:21, and a new handshake is needed before business, so the 09:30
    // window is not published. What was used meanwhile is not lost.
    await meter(a!.chargerId, T0 + 20 * MIN, 900);
    h.ctx.clock.set(new Date(T0 + 22 * MIN));
    await h.phaseBecomes(id, 'OFFLINE');
    h.ctx.clock.set(new Date(T0 + 31 * MIN));
    await h.ctx.app.settle();
    expect(h.sim.messages({ endpoint: 'update_group_measurements', peerId })).toHaveLength(1);

    h.ctx.clock.set(new Date(T0 + 33 * MIN));
    const again = await h.sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 3600,
      measurementConfiguration: ['INTERMITTENT'],
    });
    expect(again).toMatchObject({ status: 'delivered' });
    await h.phaseBecomes(id, 'HANDSHAKEN');
    await meter(a!.chargerId, T0 + 40 * MIN, 1_000);

    const second = await published(id, peerId, 'update_group_measurements', T0 + 45 * MIN, 2);
    // From where the last published window ended: 09:15 to 09:45, all 500 Wh of it.
    expect(second.body).toMatchObject({
      measurements: [
        {
          value: 500,
          measure_time: '2026-03-02T09:45:00.000Z',
          initial_measure_time: '2026-03-02T09:15:00.000Z',
        },
      ],
    });
    expect(h.sim.peer(peerId).measurements).toMatchObject({ received: 2, violations: [] });
  });

  it('publishes every 300 s when the profile says so, each window five minutes long', async () => {
    const { id, peerId } = await handshaken('INTERMITTENT', {
      measurementPublicationIntervalSeconds: 300,
    });
    const [a] = await sessions(1);
    await meter(a!.chargerId, T0 + 2 * MIN, 100);
    await meter(a!.chargerId, T0 + 7 * MIN, 250);
    const windows = [];
    for (let n = 1; n <= 3; n += 1) {
      const end = T0 + n * 5 * MIN;
      h.ctx.clock.set(new Date(end + publicationDelayMs(id, 300)));
      const message = await h.settleUntil(`window ${n}`, async () => {
        const got = h.sim.messages({ endpoint: 'update_group_measurements', peerId });
        return got.length === n && got[n - 1]!;
      });
      const [m] = (message.body as { measurements: Record<string, unknown>[] }).measurements;
      windows.push([m!.initial_measure_time, m!.measure_time, m!.value]);
    }
    expect(windows).toEqual([
      [wire(T0), wire(T0 + 5 * MIN), 100],
      [wire(T0 + 5 * MIN), wire(T0 + 10 * MIN), 150],
      [wire(T0 + 10 * MIN), wire(T0 + 15 * MIN), 0],
    ]);
    // A spread of a tenth of the interval at most: each went within 30 s of its window's end.
    expect(publicationDelayMs(id, 300)).toBeLessThan(30_000);
    expect(h.sim.peer(peerId).measurements.violations).toEqual([]);
  });
});

describe('Vector’s asset profile', () => {
  it('sends one asset per site with the window’s energy and its peak load in kW', async () => {
    const { id, peerId, group } = await h.vector({ peer: { autoAcknowledge: false } });
    await h.enable(id);
    await h.peerReceived('our Handshake', (m) => m.endpoint === 'handshake' && m.peerId === peerId);
    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    const [a, b] = await sessions(2);
    // Uneven instants: A at 11 kW, B joins at 7.4 kW (18.4 kW), A drops to 3 kW, B rises to 9 kW.
    await meter(a!.chargerId, T0 + 1 * MIN + 3_000, 100, 11_000);
    await meter(b!.chargerId, T0 + 4 * MIN + 17_500, 50, 7_400);
    await meter(a!.chargerId, T0 + 9 * MIN + 1_000, 500, 3_000);
    await meter(b!.chargerId, T0 + 14 * MIN + 59_000, 300, 9_000);

    const sent = await published(id, peerId, 'update_asset_measurements', T0 + 15 * MIN, 1);
    expect(sent.status).toBe(204);
    expect(sent.body).toEqual({
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
    expect(h.sim.peer(peerId).measurements.violations).toEqual([]);
  });

  it('reports the peak in W when the profile sets W', async () => {
    const { id, peerId } = await h.vector({
      peer: { autoAcknowledge: false },
      connection: { instantaneousMeasurementUnit: 'W' },
    });
    await h.enable(id);
    await h.peerReceived('our Handshake', (m) => m.endpoint === 'handshake' && m.peerId === peerId);
    expect(await h.sim.acknowledgeHandshake(peerId)).toMatchObject({ status: 'delivered' });
    const [a] = await sessions(1);
    await meter(a!.chargerId, T0 + 3 * MIN, 100, 11_040.4);
    const sent = await published(id, peerId, 'update_asset_measurements', T0 + 15 * MIN, 1);
    expect(sent.body).toMatchObject({
      measurements: [{ instantaneous_measurement: { value: 11_040, unit: 'W' } }],
    });
  });
});
