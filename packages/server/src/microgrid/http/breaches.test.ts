import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readStream } from '../../platform/events/event-store';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { circuitBreachStream } from '../app/streams';
import type { CircuitBreaches, CircuitDetail } from '../contract';

// Breach detection on the demo depot's switchboard (3 × 160 A), fed through the meter-values API,
// with the manual clock: readings book a check at once, the hold time is due work.

let ctx: TestContext;
let manager: string;
let ids: Awaited<ReturnType<typeof seedDemo>>;
let chargerId: Record<string, string>;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
  manager = await ctx.signIn('MANAGER');
  const detail = (
    await ctx.request({ method: 'GET', url: `/api/circuits/${ids.circuitId}`, cookie: manager })
  ).json() as CircuitDetail;
  chargerId = Object.fromEntries(detail.chargers.map((c) => [c.name, c.id]));
});

async function breaches(): Promise<CircuitBreaches> {
  const response = await ctx.request({
    method: 'GET',
    url: `/api/circuits/${ids.circuitId}/breaches`,
    cookie: manager,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** A limit of `amps` per phase for the next two hours, from a manual envelope. */
async function limit(amps: number) {
  const now = ctx.clock.now().getTime();
  const response = await ctx.request({
    method: 'POST',
    url: `/api/scopes/${ids.scopeId}/envelopes`,
    cookie: manager,
    body: {
      source: 'Test limit',
      blocks: [
        {
          start: new Date(now).toISOString(),
          end: new Date(now + 2 * 3600_000).toISOString(),
          importLimit: { value: amps, unit: 'A' },
        },
      ],
    },
  });
  expect(response.statusCode, response.body).toBe(201);
}

/**
 * Bay 01 and Bay 02 (three-phase) report their current now; nothing else draws. L1, L2 and L3
 * each carry their sum. Then due work runs.
 */
async function draw(bay01: number, bay02 = 0) {
  const measuredAt = ctx.clock.now().toISOString();
  const response = await ctx.request({
    method: 'POST',
    url: '/api/meter-values',
    cookie: manager,
    body: {
      readings: [
        { chargerId: chargerId['Bay 01'], measuredAt, energyWh: 1, powerW: 0, currentA: bay01 },
        { chargerId: chargerId['Bay 02'], measuredAt, energyWh: 1, powerW: 0, currentA: bay02 },
      ],
    },
  });
  expect(response.statusCode, response.body).toBe(202);
  await ctx.app.settle();
}

async function after(seconds: number) {
  ctx.clock.advance(seconds * 1000);
  await ctx.app.settle();
}

const at = (seconds: number) =>
  new Date(Date.parse('2026-03-02T09:00:00Z') + seconds * 1000).toISOString();

async function breachEvents() {
  return (await readStream(ctx.db, circuitBreachStream(ids.circuitId))).map((e) => ({
    type: e.type,
    ...e.data,
  }));
}

async function notifications(kind: string) {
  const response = await ctx.request({
    method: 'GET',
    url: '/api/notifications?limit=50',
    cookie: manager,
  });
  return (response.json().items as { kind: string; severity: string; title: string }[]).filter(
    (n) => n.kind === kind,
  );
}

describe('a breach on a circuit', () => {
  it('is suspected at once and starts when the load stayed over the limit for the hold time', async () => {
    await limit(60);
    // 40 + 30 = 70 A on each phase against 60 A: over by more than the 3 A tolerance.
    await draw(40, 30);
    let seen = await breaches();
    expect(seen).toMatchObject({
      status: 'SUSPECTED',
      limitA: 60,
      toleranceA: 3,
      envelopeInForce: true,
      overSince: at(0),
      holdEndsAt: at(60),
      open: null,
    });
    expect(seen.phases).toEqual([
      { phase: 'L1', measuredA: 70, overLimit: true },
      { phase: 'L2', measuredA: 70, overLimit: true },
      { phase: 'L3', measuredA: 70, overLimit: true },
    ]);

    await after(59);
    expect((await breaches()).status).toBe('SUSPECTED');
    // No new reading: the hold time's due work decides.
    await after(1);
    seen = await breaches();
    expect(seen.status).toBe('OPEN');
    expect(seen.open).toMatchObject({
      phase: 'L1',
      limitA: 60,
      measuredA: 70,
      since: at(0),
      startedAt: at(60),
      endedAt: null,
      limitLabel: 'Envelope: Test limit',
    });
    expect(await breachEvents()).toEqual([
      expect.objectContaining({
        type: 'CircuitBreachStarted',
        phase: 'L1',
        limitA: 60,
        measuredA: 70,
        since: at(0),
        at: at(60),
      }),
    ]);
    expect(await notifications('BREACH_STARTED')).toEqual([
      expect.objectContaining({ severity: 'ALARM', title: 'Breach on Main switchboard' }),
    ]);
  });

  it('does not start for a spike shorter than the hold time', async () => {
    await limit(60);
    await draw(40, 30);
    await after(30);
    await draw(40, 10);
    expect((await breaches()).status).toBe('NORMAL');
    await after(120);
    const seen = await breaches();
    expect(seen).toMatchObject({ status: 'NORMAL', overSince: null, episodes: [] });
    expect(await breachEvents()).toEqual([]);
  });

  it('does not start while no envelope is in force, however high the load', async () => {
    await draw(150, 60);
    await after(120);
    await draw(150, 60);
    expect(await breaches()).toMatchObject({
      status: 'NORMAL',
      envelopeInForce: false,
      limitA: 160,
    });
  });

  it('worsens, then ends once the load stayed under the limit for the hold time', async () => {
    await limit(60);
    await draw(40, 30);
    await after(60);
    // 6 A more over the limit is not worse by the 10 % margin; 7 A more is.
    await after(10);
    await draw(40, 36);
    await after(10);
    await draw(40, 37.5);
    expect((await breaches()).open?.worsened).toEqual({
      at: at(80),
      phase: 'L1',
      measuredA: 77.5,
      limitA: 60,
    });

    await after(10);
    await draw(30, 30);
    let seen = await breaches();
    expect(seen).toMatchObject({ status: 'OPEN', withinSince: at(90), holdEndsAt: at(150) });
    await after(60);
    seen = await breaches();
    expect(seen.status).toBe('NORMAL');
    expect(seen.episodes).toEqual([
      expect.objectContaining({ since: at(0), endedAt: at(90), peakA: 77.5 }),
    ]);
    expect((await breachEvents()).map((e) => e.type)).toEqual([
      'CircuitBreachStarted',
      'CircuitBreachWorsened',
      'CircuitBreachEnded',
    ]);
    expect(await notifications('BREACH_ENDED')).toEqual([
      expect.objectContaining({ severity: 'INFO', title: 'Breach ended on Main switchboard' }),
    ]);
  });
});

describe('concurrent checks', () => {
  it('start one episode however many evaluate the circuit at once (PostgreSQL runs them together)', async () => {
    await limit(60);
    await draw(40, 30);
    ctx.clock.advance(60_000);
    const now = ctx.clock.now();
    await Promise.all(
      Array.from({ length: 16 }, () =>
        ctx.db
          .transaction()
          .execute((trx) => ctx.app.microgrid.breachDetector.evaluate(trx, ids.circuitId, now)),
      ),
    );
    expect((await breaches()).episodes).toHaveLength(1);
    expect((await breachEvents()).map((e) => e.type)).toEqual(['CircuitBreachStarted']);
  });
});

describe('breach settings', () => {
  const put = (body: unknown, cookie = manager) =>
    ctx.request({
      method: 'PUT',
      url: `/api/circuits/${ids.circuitId}/breach-settings`,
      cookie,
      body,
    });

  it('are the defaults until changed, and a shorter hold time applies to the next check', async () => {
    expect((await breaches()).settings).toEqual({
      tolerancePercent: 5,
      toleranceA: 2,
      holdSeconds: 60,
      worseningPercent: 10,
    });
    await limit(60);
    await draw(40, 30);
    const changed = await put({
      tolerancePercent: 10,
      toleranceA: 1,
      holdSeconds: 10,
      worseningPercent: 20,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ toleranceA: 6, holdEndsAt: at(10) });
    await after(10);
    expect((await breaches()).status).toBe('OPEN');
  });

  it('are checked, and only managers change them', async () => {
    const bad = await put({
      tolerancePercent: 5,
      toleranceA: 2,
      holdSeconds: 0,
      worseningPercent: 10,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      expect.objectContaining({ field: 'holdSeconds', message: 'must be at least 1 s' }),
    ]);
    const viewer = await ctx.signIn('VIEWER');
    const refused = await put(
      { tolerancePercent: 5, toleranceA: 2, holdSeconds: 30, worseningPercent: 10 },
      viewer,
    );
    expect(refused.statusCode).toBe(403);
    expect((await breaches()).settings.holdSeconds).toBe(60);
  });
});
