import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { RETENTION_BATCH, RETENTION_WORK } from './retention';

// Retention of OSCP records with the test app's defaults: heartbeats 24 h, measurements 400 days,
// everything else 30 days.

let ctx: TestContext;
const connectionId = randomUUID();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

const ago = (ms: number) => new Date(ctx.clock.now().getTime() - ms);

async function outbound(kind: string, status: string, age: number): Promise<string> {
  const at = ago(age);
  const id = randomUUID();
  await ctx.db
    .insertInto('outbound_messages')
    .values({
      id,
      connection_id: connectionId,
      kind,
      body: '{}' as never,
      request_id: randomUUID(),
      status,
      max_attempts: 5,
      next_attempt_at: at,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

async function inbound(endpoint: string, age: number): Promise<string> {
  const requestId = randomUUID();
  await ctx.db
    .insertInto('oscp_inbound_requests')
    .values({ connection_id: connectionId, request_id: requestId, endpoint, received_at: ago(age) })
    .execute();
  return requestId;
}

const remainingOutbound = async () =>
  (await ctx.db.selectFrom('outbound_messages').select('id').execute()).map((r) => r.id).sort();
const remainingInbound = async () =>
  (await ctx.db.selectFrom('oscp_inbound_requests').select('request_id').execute())
    .map((r) => r.request_id)
    .sort();
const nextRun = async () =>
  (
    await ctx.db
      .selectFrom('scheduled_work')
      .select('due_at')
      .where('kind', '=', RETENTION_WORK)
      .executeTakeFirstOrThrow()
  ).due_at;

describe('retention of OSCP records', () => {
  it('prunes finished heartbeats after a day and other finished records after 30 days, never unfinished ones', async () => {
    const keep = [
      await outbound('Heartbeat', 'DELIVERED', 23 * HOUR),
      await outbound('Heartbeat', 'PENDING', 3 * DAY),
      await outbound('Heartbeat', 'RETRYING', 3 * DAY),
      await outbound('Register', 'DELIVERED', 29 * DAY),
      await outbound('Register', 'RETRYING', 40 * DAY),
    ];
    await outbound('Heartbeat', 'DELIVERED', 25 * HOUR);
    await outbound('Heartbeat', 'FAILED', 25 * HOUR);
    await outbound('Register', 'FAILED', 31 * DAY);
    await outbound('HandshakeAcknowledge', 'DELIVERED', 31 * DAY);
    const keepInbound = [
      await inbound('heartbeat', 23 * HOUR),
      await inbound('register', 29 * DAY),
    ];
    await inbound('heartbeat', 25 * HOUR);
    await inbound('update_group_capacity_forecast', 31 * DAY);

    await ctx.app.oscp.startRetention(ctx.clock.now());
    await ctx.app.settle();

    expect(await remainingOutbound()).toEqual(keep.sort());
    expect(await remainingInbound()).toEqual(keepInbound.sort());
    expect((await nextRun()).getTime()).toBe(ctx.clock.now().getTime() + HOUR);
  });

  it('keeps measurement publications and their records 400 days, apart from the other records', async () => {
    const measurement = async (age: number) => {
      const outboundId = await outbound('UpdateAssetMeasurements', 'DELIVERED', age);
      const end = ago(age);
      await ctx.db
        .insertInto('oscp_measurements')
        .values({
          id: randomUUID(),
          connection_id: connectionId,
          scope_id: randomUUID(),
          group_id: 'G1',
          kind: 'UpdateAssetMeasurements',
          configuration: 'INTERMITTENT',
          window_start: new Date(end.getTime() - 900_000),
          window_end: end,
          energy_wh: 1,
          register_wh: 1,
          max_load_w: 1,
          max_load_at: null,
          readings: 1,
          outbound_message_id: outboundId,
          request_id: randomUUID(),
          body: '{}' as never,
          created_at: end,
        })
        .execute();
      return outboundId;
    };
    const kept = [await measurement(31 * DAY), await measurement(399 * DAY)];
    await measurement(401 * DAY);
    await outbound('Register', 'DELIVERED', 31 * DAY);

    await ctx.app.oscp.startRetention(ctx.clock.now());
    await ctx.app.settle();

    expect(await remainingOutbound()).toEqual(kept.sort());
    const records = await ctx.db
      .selectFrom('oscp_measurements')
      .select('outbound_message_id')
      .execute();
    expect(records.map((r) => r.outbound_message_id).sort()).toEqual(kept.sort());
  });

  it('works through a large backlog a batch per run, coming back a second later until it is done', async () => {
    const at = ago(2 * DAY);
    await sql`
      INSERT INTO outbound_messages (id, connection_id, kind, body, request_id, status, max_attempts,
        next_attempt_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${connectionId}, 'Heartbeat', '{}'::jsonb, 'r-' || n, 'DELIVERED', 1,
        ${at}, ${at}, ${at}
      FROM generate_series(1, ${RETENTION_BATCH + 10}) AS n`.execute(ctx.db);

    await ctx.app.oscp.startRetention(ctx.clock.now());
    expect(await ctx.app.scheduler.runDue()).toBe(1);
    expect(await remainingOutbound()).toHaveLength(10);
    expect((await nextRun()).getTime()).toBe(ctx.clock.now().getTime() + 1000);

    ctx.clock.advance(1000);
    expect(await ctx.app.scheduler.runDue()).toBe(1);
    expect(await remainingOutbound()).toHaveLength(0);
    expect((await nextRun()).getTime()).toBe(ctx.clock.now().getTime() + HOUR);
  });
});
