import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { METER_RETENTION_BATCH, METER_RETENTION_WORK } from './meter-retention';

// Meter readings are kept 7 days (the test app's default), pruned by hourly due work.

let ctx: TestContext;
let chargerId: string;
const DAY = 86_400_000;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  const ids = await seedDemo(ctx);
  chargerId = (
    await ctx.db
      .selectFrom('chargers')
      .select('id')
      .where('circuit_id', '=', ids.circuitId)
      .executeTakeFirstOrThrow()
  ).id;
});

/** `count` readings of the charger, all `ageMs` old. */
async function readings(count: number, ageMs: number) {
  const at = new Date(ctx.clock.now().getTime() - ageMs);
  await sql`
    INSERT INTO meter_readings (charger_id, measured_at, energy_wh, power_w, current_a)
    SELECT ${chargerId}, ${at}, n, 7000, 10 FROM generate_series(1, ${count}) AS n`.execute(ctx.db);
}

const remaining = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('meter_readings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const nextRun = async () =>
  (
    await ctx.db
      .selectFrom('scheduled_work')
      .select('due_at')
      .where('kind', '=', METER_RETENTION_WORK)
      .executeTakeFirstOrThrow()
  ).due_at.getTime();

describe('meter reading retention', () => {
  it('deletes readings older than 7 days a batch per run, keeps the rest, and comes back hourly', async () => {
    await readings(METER_RETENTION_BATCH + 5, 7 * DAY + 1);
    await readings(3, 6 * DAY);
    await ctx.app.microgrid.startRetention(ctx.clock.now());

    // The envelope retention, booked with it, runs too (and books itself an hour later).
    expect(await ctx.app.scheduler.runDue()).toBe(2);
    expect(await remaining()).toBe(5 + 3);
    expect(await nextRun()).toBe(ctx.clock.now().getTime() + 1000);

    ctx.clock.advance(1000);
    expect(await ctx.app.scheduler.runDue()).toBe(1);
    expect(await remaining()).toBe(3);
    expect(await nextRun()).toBe(ctx.clock.now().getTime() + 3_600_000);
  });
});
