import { CapacityProviderSimulator } from '@openvelope/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleUntil } from '../../testing/app-with-simulator';
import { seedDemo } from '../../testing/demo';
import { StatementCounter } from '../../testing/statement-counter';
import { startTestApp, type TestContext } from '../../testing/test-app';

/*
 * The hot write paths in SQL statements (round trips; the transaction's BEGIN and COMMIT are not
 * counted). At the quarter hour every connection's forecast arrives at once, and every connection
 * heartbeats both ways all the time, so each statement on these paths is paid thousands of times a
 * minute (ADR 0062). A change that adds one must say why here. Runs on PGlite, and on PostgreSQL
 * with DATABASE_URL.
 */

/**
 * A 96-block forecast that replaces the envelope in force: credential, claim with the connection's
 * lock, savepoint, control record and blocks in force, audit, blocks, scope, circuit lock, the old
 * envelope withdrawn, the new one with its blocks, the envelopes' events, the circuit's refresh
 * (envelopes in force, capacity with history, sessions with their allocations, the allocations
 * written, its next boundary), the control's due work and record, release, the inbound problem
 * cleared.
 */
const FORECAST_STATEMENTS = 21;
/** Credential, claim with the connection's lock, the heartbeat, its liveness check, the problem. */
const HEARTBEAT_STATEMENTS = 5;

const START = '2026-03-02T09:00:00Z';
const statements = new StatementCounter();
let ctx: TestContext;
let sim: CapacityProviderSimulator;
let peerId: string;
let scopeId: string;

/** A day of quarter-hour blocks from the start, each at `base` amps and a little more. */
function dayOfBlocks(base: number) {
  return Array.from({ length: 96 }, (_, i) => ({
    start: new Date(Date.parse(START) + i * 900_000),
    end: new Date(Date.parse(START) + (i + 1) * 900_000),
    capacity: base + (i % 5),
    unit: 'A' as const,
    phase: 'ALL' as const,
  }));
}

beforeAll(async () => {
  ctx = await startTestApp(START, {}, [statements]);
  await ctx.listen();
  sim = new CapacityProviderSimulator({ clock: ctx.clock, requestTimeoutMs: 15_000 });
  await sim.start();
  const ids = await seedDemo(ctx);
  scopeId = ids.scopeId;
  const manager = await ctx.signIn('MANAGER');
  const groupId = 'GRP-WRITE-PATHS';
  peerId = sim.addPeer({
    groupId,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: 'initial-token',
    heartbeatIntervalSeconds: 60,
  });
  await ctx.request({
    method: 'PUT',
    url: '/api/secrets/cp-initial',
    cookie: manager,
    body: { value: 'initial-token' },
  });
  const created = await ctx.request({
    method: 'POST',
    url: '/api/oscp-connections',
    cookie: manager,
    body: {
      preset: 'OSCP_STANDARD',
      displayName: 'Grid operator',
      groupId,
      microgridId: ids.microgridId,
      scopeId: ids.scopeId,
      peerBaseUrl: sim.oscpBaseUrl,
      authReferences: { initialToken: 'cp-initial' },
      enabled: true,
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = (created.json() as { id: string }).id;
  const phase = async () =>
    (
      (
        await ctx.request({ method: 'GET', url: `/api/oscp-connections/${id}`, cookie: manager })
      ).json() as { lifecycle: { phase: string } }
    ).lifecycle.phase;
  await settleUntil(ctx, async () => (await phase()) === 'REGISTERED', 'registered');
  await sim.sendHandshake(peerId, { heartbeatIntervalSeconds: 60 });
  await settleUntil(ctx, async () => (await phase()) === 'HANDSHAKEN', 'handshaken');
  await heartbeat();
  await settleUntil(ctx, async () => (await phase()) === 'ONLINE', 'online');
  // The first forecast creates the envelope that the measured ones replace.
  expect(
    await sim.sendForecast(peerId, { type: 'CONSUMPTION', blocks: dayOfBlocks(40) }),
  ).toMatchObject({ status: 'delivered', httpStatus: 204 });
});

afterAll(async () => {
  await sim.stop();
  await ctx.close();
});

/** The scope's open LIMIT envelopes (the one OSCP keeps in force), and every envelope's status. */
async function envelopesOfScope() {
  const rows = await ctx.db
    .selectFrom('envelopes')
    .select(['id', 'role', 'status'])
    .where('scope_id', '=', scopeId)
    .execute();
  const open = rows.filter(
    (r) => r.role === 'LIMIT' && (r.status === 'ACTIVE' || r.status === 'SCHEDULED'),
  );
  return { open: open.map((r) => r.id), status: new Map(rows.map((r) => [r.id, r.status])) };
}

/** A heartbeat whose offline_mode_at is days ahead, so the peer stays ONLINE. */
async function heartbeat() {
  const outcome = await sim.sendHeartbeat(peerId, {
    intervalSeconds: 86_400,
    offlineMultiplier: 2,
  });
  expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
}

describe('the hot write paths', () => {
  it('apply a 96-block forecast that replaces the envelope in force in a fixed number of statements', async () => {
    for (const base of [50, 60]) {
      const before = await envelopesOfScope();
      expect(before.open).toHaveLength(1);
      const { count } = await statements.during(async () => {
        const outcome = await sim.sendForecast(peerId, {
          type: 'CONSUMPTION',
          blocks: dayOfBlocks(base),
        });
        expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
      });
      expect(count).toBe(FORECAST_STATEMENTS);
      // And the statements did the work: the envelope in force was replaced by a new one.
      const after = await envelopesOfScope();
      expect(after.status.get(before.open[0]!)).toBe('WITHDRAWN');
      expect(after.open).toHaveLength(1);
      expect(after.open[0]).not.toBe(before.open[0]);
    }
  });

  it('take an inbound heartbeat in a fixed number of statements', async () => {
    const { count } = await statements.during(heartbeat);
    expect(count).toBe(HEARTBEAT_STATEMENTS);
  });
});
