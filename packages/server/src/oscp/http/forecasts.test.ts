import { CapacityProviderSimulator } from '@openvelope/sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CircuitDetail } from '../../microgrid/contract';
import { readBySubject } from '../../platform/events/event-store';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { settleUntil as settleUntilSettled } from '../../testing/app-with-simulator';

let ctx: TestContext;
let sim: CapacityProviderSimulator;
let manager: string;
let ids: Awaited<ReturnType<typeof seedDemo>>;
let connectionId: string;
let peerId: string;

const START = '2026-03-02T09:00:00Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000);

beforeAll(async () => {
  ctx = await startTestApp(START);
  await ctx.listen();
  sim = new CapacityProviderSimulator({ clock: ctx.clock, requestTimeoutMs: 2000 });
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
  await ctx.close();
});

async function circuit(): Promise<CircuitDetail> {
  return (
    await ctx.request({ method: 'GET', url: `/api/circuits/${ids.circuitId}`, cookie: manager })
  ).json();
}

async function control() {
  return (
    await ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${connectionId}/control`,
      cookie: manager,
    })
  ).json();
}

async function phase(): Promise<string> {
  return (
    await ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${connectionId}`,
      cookie: manager,
    })
  ).json().lifecycle.phase;
}

const settleUntil = <T>(check: () => Promise<T | undefined | false>, what: string) =>
  settleUntilSettled(ctx, check, what);

function forecast(
  type: string,
  fromMinute: number,
  toMinute: number,
  capacity: number,
  unit = 'A',
) {
  return sim.sendForecast(peerId, {
    type: type as never,
    blocks: [
      { start: at(fromMinute), end: at(toMinute), capacity, unit: unit as never, phase: 'ALL' },
    ],
  });
}

beforeEach(async () => {
  await ctx.reset();
  sim.clearMessages();
  ids = await seedDemo(ctx);
  manager = await ctx.signIn('MANAGER');
  const group = `G${Math.floor(Math.random() * 1e9)}`;
  peerId = sim.addPeer({
    groupId: group,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: `init-${group}`,
    heartbeatIntervalSeconds: 30,
  });
  await ctx.request({
    method: 'PUT',
    url: '/api/secrets/cp-initial',
    cookie: manager,
    body: { value: `init-${group}` },
  });
  const created = await ctx.request({
    method: 'POST',
    url: '/api/oscp-connections',
    cookie: manager,
    body: {
      preset: 'OSCP_STANDARD',
      displayName: 'Grid operator',
      groupId: group,
      microgridId: ids.microgridId,
      scopeId: ids.scopeId,
      peerBaseUrl: sim.oscpBaseUrl,
      authReferences: { initialToken: 'cp-initial' },
      safeDefaultCapacity: { value: 32, unit: 'A' },
      enabled: true,
    },
  });
  expect(created.statusCode).toBe(201);
  connectionId = created.json().id;
  await settleUntil(async () => (await phase()) === 'REGISTERED', 'registered');
  await sim.sendHandshake(peerId, {
    heartbeatIntervalSeconds: 60,
    measurementConfiguration: ['CONTINUOUS'],
  });
  await settleUntil(async () => (await phase()) === 'HANDSHAKEN', 'handshaken');
  await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
  await settleUntil(async () => (await phase()) === 'ONLINE', 'online');
});

describe('forecasts become limits', () => {
  it('applies an accepted forecast covering now to the circuit at once, and records it', async () => {
    expect((await forecast('CONSUMPTION', 0, 60, 90)).status).toBe('delivered');
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(90);
    expect(detail.source.label).toContain('OSCP forecast');
    expect(detail.source.fallbackReason).toBeUndefined();
    const view = await control();
    expect(view.mode).toBe('NORMAL');
    expect(view.lastForecast.outcome).toBe('ACCEPTED');
    const audit = await readBySubject(ctx.db, `oscp-connection-${connectionId}`, {
      limit: 50,
      offset: 0,
      types: ['OscpForecastAccepted'],
    });
    expect(audit.total).toBe(1);
  });

  it('converts kW for the whole group into amps per phase with the circuit voltage', async () => {
    await forecast('CONSUMPTION', 0, 60, 69, 'KW');
    // 69 kW over three phases at 230 V = 100 A per phase.
    expect((await circuit()).effectiveCapacityA).toBe(100);
  });

  it('rejects energy units with 400 naming the block, and changes nothing', async () => {
    const outcome = await forecast('CONSUMPTION', 0, 60, 50, 'KWH');
    expect(outcome.status).toBe('rejected');
    expect(outcome.status === 'rejected' && outcome.message).toContain('forecasted_blocks[0]');
    expect((await circuit()).effectiveCapacityA).toBe(160);
    expect((await control()).lastForecast.outcome).toBe('REJECTED');
  });

  it('enters yellow fallback when the peer goes offline with a fallback block, and exits when it is back', async () => {
    await forecast('CONSUMPTION', 0, 240, 120);
    await forecast('FALLBACK_CONSUMPTION', 0, 240, 40);
    expect((await circuit()).effectiveCapacityA).toBe(120);

    ctx.clock.advance(61_000);
    await settleUntil(async () => (await phase()) === 'OFFLINE', 'offline');
    const fallback = await circuit();
    expect(fallback.effectiveCapacityA).toBe(40);
    expect(fallback.source.fallbackReason).toContain('offline');
    expect((await control()).mode).toBe('FALLBACK_OFFLINE');
    const incidents = (
      await ctx.request({ method: 'GET', url: '/api/incidents?status=OPEN', cookie: manager })
    ).json();
    expect(incidents.items).toHaveLength(1);
    expect(incidents.items[0].context.connectionId).toBe(connectionId);
    expect(incidents.items[0].context.scopeId).toBe(ids.scopeId);

    await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    await settleUntil(async () => (await phase()) === 'ONLINE', 'online again');
    expect((await circuit()).effectiveCapacityA).toBe(120);
    expect((await control()).mode).toBe('NORMAL');
    const resolved = (
      await ctx.request({ method: 'GET', url: '/api/incidents?status=RESOLVED', cookie: manager })
    ).json();
    expect(resolved.items).toHaveLength(1);
  });

  it('applies the gap policy when no forecast covers now, and normal operation when one arrives', async () => {
    await forecast('CONSUMPTION', 0, 30, 100);
    ctx.clock.set(at(30));
    await ctx.app.settle();
    const gap = await circuit();
    expect(gap.effectiveCapacityA).toBe(32);
    expect(gap.source.fallbackReason).toContain('gap policy');
    expect((await control()).mode).toBe('GAP_POLICY');
    await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    await ctx.app.settle();
    await forecast('CONSUMPTION', 30, 90, 110);
    expect((await circuit()).effectiveCapacityA).toBe(110);
    expect((await control()).mode).toBe('NORMAL');
  });

  it('disconnects on purpose: OSCP limits are withdrawn at once and local control resumes', async () => {
    await forecast('CONSUMPTION', 0, 240, 80);
    expect((await circuit()).effectiveCapacityA).toBe(80);
    const response = await ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${connectionId}/disconnect`,
      cookie: manager,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().lifecycle.phase).toBe('DISCONNECTED');
    const detail = await circuit();
    expect(detail.effectiveCapacityA).toBe(160);
    expect(detail.source.kind).toBe('STATIC');
    const handover = await readBySubject(ctx.db, `oscp-connection-${connectionId}`, {
      limit: 10,
      offset: 0,
      types: ['OscpControlHandedOver'],
    });
    expect(handover.events[0]?.data).toMatchObject({ how: 'DISCONNECTED', scopeId: ids.scopeId });
  });
});
