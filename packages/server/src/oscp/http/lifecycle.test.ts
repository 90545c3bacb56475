import { CapacityProviderSimulator } from '@openvelope/sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { eventually } from '../../testing/wait';
import type { ConnectionDetail } from '../contract';

let ctx: TestContext;
let sim: CapacityProviderSimulator;
let manager: string;
let ids: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
  await ctx.listen();
  sim = new CapacityProviderSimulator({ clock: ctx.clock, requestTimeoutMs: 2000 });
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
  await ctx.close();
});
beforeEach(async () => {
  await ctx.reset();
  ids = await seedDemo(ctx);
  manager = await ctx.signIn('MANAGER');
});

async function detail(id: string): Promise<ConnectionDetail> {
  const response = await ctx.request({
    method: 'GET',
    url: `/api/oscp-connections/${id}`,
    cookie: manager,
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

async function phaseBecomes(id: string, phase: string): Promise<ConnectionDetail> {
  return eventually(async () => {
    await ctx.app.settle();
    const d = await detail(id);
    return d.lifecycle.phase === phase ? d : undefined;
  }, `phase ${phase}`);
}

async function tokenExchangeConnection(groupId: string, initialToken: string) {
  await ctx.request({
    method: 'PUT',
    url: '/api/secrets/cp-initial-token',
    cookie: manager,
    body: { value: initialToken },
  });
  const created = await ctx.request({
    method: 'POST',
    url: '/api/oscp-connections',
    cookie: manager,
    body: {
      preset: 'OSCP_STANDARD',
      displayName: 'Simulated CP',
      groupId,
      microgridId: ids.microgridId,
      scopeId: ids.scopeId,
      peerBaseUrl: sim.oscpBaseUrl,
      authReferences: { initialToken: 'cp-initial-token' },
    },
  });
  expect(created.statusCode).toBe(201);
  return created.json().id as string;
}

describe('OSCP lifecycle against the Capacity Provider simulator over real HTTP', () => {
  it('registers, handshakes, goes online, and goes offline when heartbeats stop', async () => {
    const peerId = sim.addPeer({
      groupId: 'DEPOT1',
      mode: 'OSCP_TOKEN',
      initialTokenForFp: 'initial-from-cp',
      heartbeatIntervalSeconds: 30,
    });
    const id = await tokenExchangeConnection('DEPOT1', 'initial-from-cp');
    expect((await detail(id)).lifecycle.phase).toBe('CONFIGURED');

    const enabled = await ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/enable`,
      cookie: manager,
    });
    expect(enabled.statusCode).toBe(200);
    expect(enabled.json().lifecycle.phase).toBe('REGISTERING');
    const pending = await ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${id}/publications`,
      cookie: manager,
    });
    expect(
      pending.json().items.map((p: { kind: string; status: string }) => [p.kind, p.status]),
    ).toEqual([['Register', 'PENDING']]);

    const registered = await phaseBecomes(id, 'REGISTERED');
    expect(registered.lifecycle.registration.selectedVersion).toBe('2.0');

    await sim.sendHandshake(peerId, {
      heartbeatIntervalSeconds: 60,
      measurementConfiguration: ['CONTINUOUS'],
    });
    const handshaken = await phaseBecomes(id, 'HANDSHAKEN');
    expect(handshaken.lifecycle.handshake.peerRequires?.heartbeatIntervalSeconds).toBe(60);
    const ack = sim.messages({ endpoint: 'handshake_acknowledge' });
    expect(ack).toHaveLength(1);

    await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    const online = await phaseBecomes(id, 'ONLINE');
    expect(online.lifecycle.heartbeat.lastReceivedAt).toBe(ctx.clock.now().toISOString());
    await eventually(
      () => sim.messages({ endpoint: 'heartbeat' }).length > 0,
      'our heartbeat at the CP',
    );

    ctx.clock.advance(61_000);
    const offline = await phaseBecomes(id, 'OFFLINE');
    expect(offline.latestError?.message).toContain('offline_mode_at');
  });
});
