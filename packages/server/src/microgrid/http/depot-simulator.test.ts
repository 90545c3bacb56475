import { DepotSimulator } from '@openvelope/sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provisionServiceToken } from '../../platform/auth/service-account';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import type { CircuitDetail } from '../contract';

// The depot simulator drives the real API over HTTP, as a charger integration would.
let ctx: TestContext;
let baseUrl: string;
let ids: Awaited<ReturnType<typeof seedDemo>>;
let viewer: string;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
  baseUrl = await ctx.listen();
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
  viewer = await ctx.signIn('VIEWER');
});

async function circuit(): Promise<CircuitDetail> {
  return (
    await ctx.request({ method: 'GET', url: `/api/circuits/${ids.circuitId}`, cookie: viewer })
  ).json();
}

describe('depot simulator', () => {
  it('meters each charging vehicle at min(allocation, its maximum) as the clock advances', async () => {
    const token = await provisionServiceToken(ctx.db, ctx.clock, 'depot-simulator', 'OPERATOR');
    const sim = new DepotSimulator({ baseUrl, token, clock: ctx.clock, sessionSchedule: false });
    await sim.tick();
    ctx.clock.advance(3600_000);
    await sim.tick();

    const detail = await circuit();
    const bay1 = detail.chargers.find((c) => c.name === 'Bay 01')!;
    const van = detail.chargers.find((c) => c.name === 'Bay 03')!;
    // Bay 01 draws its 28.8 A allocation on three phases for an hour at 230 V.
    expect(bay1.lastReading?.currentA).toBe(28.8);
    expect(bay1.session?.energyWh).toBe(Math.round(28.8 * 230 * 3));
    // The van's own maximum (16 A) is what it draws.
    expect(van.lastReading?.currentA).toBe(16);
    // The circuit's measured load is the most loaded phase: five three-phase sessions and one single-phase on L1.
    expect(detail.measuredLoadA).toBeCloseTo(28.8 * 4 + 16 + 28.8, 1);
    const idle = detail.chargers.find((c) => c.name === 'Bay 10')!;
    expect(idle.lastReading).toBeNull();
  });

  it('follows a lower limit: the next readings draw the new allocation', async () => {
    const token = await provisionServiceToken(ctx.db, ctx.clock, 'depot-simulator', 'OPERATOR');
    const sim = new DepotSimulator({ baseUrl, token, clock: ctx.clock, sessionSchedule: false });
    const manager = await ctx.signIn('MANAGER');
    await ctx.request({
      method: 'POST',
      url: `/api/scopes/${ids.scopeId}/envelopes`,
      cookie: manager,
      body: {
        source: 'Test',
        blocks: [
          {
            start: ctx.clock.now().toISOString(),
            end: new Date(ctx.clock.now().getTime() + 7200_000).toISOString(),
            importLimit: { value: 100, unit: 'A' },
          },
        ],
      },
    });
    await sim.tick();
    ctx.clock.advance(60_000);
    await sim.tick();
    const bay1 = (await circuit()).chargers.find((c) => c.name === 'Bay 01')!;
    expect(bay1.lastReading?.currentA).toBe(16.8);
  });
});
