import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../app';
import { ManualClock } from '../../platform/clock';
import { createLogger } from '../../platform/logging';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { METER_RETENTION_WORK, REGISTER_DETAIL_MS } from './meter-retention';

// The virtual site register of a managed scope (ADR 0040): what its chargers' sessions advance,
// counted from meter readings, never decreasing and never reset.

let ctx: TestContext;
let ids: Awaited<ReturnType<typeof seedDemo>>;
const T0 = Date.parse('2026-03-02T09:00:00Z');
const SEC = 1000;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
});

/** The demo circuit's chargers that are charging, with their open sessions. */
async function charging(count: number) {
  const rows = await ctx.db
    .selectFrom('charging_sessions as s')
    .innerJoin('chargers as c', 'c.id', 's.charger_id')
    .select(['c.id as chargerId', 's.id as sessionId'])
    .where('c.circuit_id', '=', ids.circuitId)
    .where('s.ended_at', 'is', null)
    .orderBy('c.name')
    .limit(count)
    .execute();
  expect(rows).toHaveLength(count);
  return rows;
}

const meter = (chargerId: string, atMs: number, energyWh: number, powerW = 0) =>
  ctx.app.microgrid.charging.recordMeterValues(
    [{ chargerId, measuredAt: new Date(atMs), energyWh, powerW, currentA: powerW / 690 }],
    ctx.clock.now(),
  );

const metering = (from: number, to: number, app = ctx.app) =>
  app.microgrid.queries.scopeMetering(ids.scopeId, new Date(from), new Date(to));
const registerAt = async (at: number, app = ctx.app) =>
  (await metering(at - SEC, at, app))!.registerAtEndWh;

describe('the virtual site register of a managed scope', () => {
  it('keeps counting across a session ending, a new session and a restart, and never goes back', async () => {
    const [a, b] = await charging(2);
    await meter(a!.chargerId, T0 + 10 * SEC, 400);
    await meter(a!.chargerId, T0 + 20 * SEC, 1_400);
    await meter(b!.chargerId, T0 + 15 * SEC, 250);
    expect(await registerAt(T0 + 20 * SEC)).toBe(1_650);
    // At an earlier instant the register held only what was measured by then.
    expect(await registerAt(T0 + 15 * SEC)).toBe(650);

    // Session A ends; its charger's next session meters from zero again. The register does not.
    ctx.clock.set(new Date(T0 + 30 * SEC));
    await ctx.app.microgrid.charging.stopSession(a!.sessionId, ctx.clock.now());
    const next = await ctx.app.microgrid.charging.startSession(a!.chargerId, {}, ctx.clock.now());
    expect(next.sessionId).not.toBe(a!.sessionId);
    await meter(a!.chargerId, T0 + 40 * SEC, 100);
    expect(await registerAt(T0 + 40 * SEC)).toBe(1_750);

    // A repeated reading and one lower than its session had reached add nothing.
    await meter(b!.chargerId, T0 + 41 * SEC, 250);
    await meter(b!.chargerId, T0 + 42 * SEC, 200);
    expect(await registerAt(T0 + 42 * SEC)).toBe(1_750);

    // A restart: another instance of the product on the same database reads the same register
    // and counts on from it.
    const restarted = await createApp({
      db: ctx.db,
      clock: new ManualClock(new Date(T0 + 50 * SEC)),
      log: createLogger('silent'),
      secretsKey: randomBytes(32),
    });
    try {
      expect(await registerAt(T0 + 42 * SEC, restarted)).toBe(1_750);
      await restarted.microgrid.charging.recordMeterValues(
        [
          {
            chargerId: b!.chargerId,
            measuredAt: new Date(T0 + 60 * SEC),
            energyWh: 300,
            powerW: 0,
            currentA: 0,
          },
        ],
        ctx.clock.now(),
      );
      expect(await registerAt(T0 + 60 * SEC, restarted)).toBe(1_800);
    } finally {
      await restarted.http.close();
    }

    // Removing a charger (its sessions and readings go with it) leaves what it used counted.
    const removed = await ctx.request({
      method: 'DELETE',
      url: `/api/chargers/${a!.chargerId}`,
      cookie: await ctx.signIn('MANAGER'),
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await registerAt(T0 + 60 * SEC)).toBe(1_800);
  });

  it('counts a session’s energy once when many of its readings arrive at the same time', async () => {
    // On PostgreSQL these transactions run side by side; the session's row lock orders them.
    const [a] = await charging(1);
    await Promise.all(
      Array.from({ length: 16 }, (_, i) => meter(a!.chargerId, T0 + (i + 1) * SEC, (i + 1) * 100)),
    );
    expect(await registerAt(T0 + 16 * SEC)).toBe(1_600);
    const counted = await ctx.db
      .selectFrom('scope_energy_seconds')
      .select((eb) => eb.fn.sum<number>('energy_wh').as('wh'))
      .executeTakeFirstOrThrow();
    expect(Number(counted.wh)).toBe(1_600);
  });

  it('folds old seconds into the total without changing what the register reads', async () => {
    const [a] = await charging(1);
    await meter(a!.chargerId, T0 + 10 * SEC, 500);
    await meter(a!.chargerId, T0 + 20 * SEC, 800);
    const seconds = () => ctx.db.selectFrom('scope_energy_seconds').selectAll().execute();
    expect(await seconds()).toHaveLength(2);

    ctx.clock.set(new Date(T0 + REGISTER_DETAIL_MS + 15 * SEC));
    await ctx.app.microgrid.startRetention(ctx.clock.now());
    await ctx.app.scheduler.runDue();
    // The first second is older than the detail kept; the second is not yet.
    expect((await seconds()).map((s) => s.second_end.getTime())).toEqual([T0 + 20 * SEC]);
    expect(await registerAt(T0 + 20 * SEC)).toBe(800);
    expect(await registerAt(ctx.clock.now().getTime())).toBe(800);
    const booked = await ctx.db
      .selectFrom('scheduled_work')
      .select('kind')
      .where('kind', '=', METER_RETENTION_WORK)
      .execute();
    expect(booked).toHaveLength(1);
  });

  it('reads a window’s peak as the largest sum of every charger’s latest reading, at uneven instants', async () => {
    const [a, b, c] = await charging(3);
    const from = T0;
    const to = T0 + 900 * SEC;
    const at = (s: number) => T0 + s * SEC;
    // Before the window: not counted, even though A was drawing then.
    await meter(a!.chargerId, at(-5), 0, 20_000);
    await meter(a!.chargerId, at(3), 0, 11_000);
    await meter(b!.chargerId, at(7.5), 0, 7_000); // A 11 + B 7 = 18 kW
    await meter(a!.chargerId, at(61), 0, 4_000); // A 4 + B 7 = 11 kW
    await meter(c!.chargerId, at(62.25), 0, 9_000); // 4 + 7 + 9 = 20 kW
    await meter(b!.chargerId, at(400), 0, 10_500); // 4 + 10.5 + 9 = 23.5 kW: the peak
    await meter(c!.chargerId, at(401), 0, 0); // 14.5 kW
    // At one instant A rises as B stops: both count together, 22 + 0 + 0 = 22 kW.
    await meter(a!.chargerId, at(899), 0, 22_000);
    await meter(b!.chargerId, at(899), 0, 0);
    // After the window: belongs to the next one.
    await meter(c!.chargerId, at(901), 0, 40_000);

    const window = await metering(from, to);
    expect(window).toMatchObject({
      maxLoadW: 23_500,
      maxLoadAt: new Date(at(400)),
      readings: 8,
    });

    // A window with no readings has no peak.
    expect(await metering(at(1000), at(1100))).toMatchObject({
      maxLoadW: 0,
      maxLoadAt: null,
      readings: 0,
    });
  });
});
