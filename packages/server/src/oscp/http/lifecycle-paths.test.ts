import { CapacityProviderSimulator } from '@openvelope/sim';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readBySubject } from '../../platform/events/event-store';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { eventually } from '../../testing/wait';
import type { ConnectionDetail } from '../contract';
import type { RefusalView } from '../store/refusals';

// Registration, handshake, heartbeat and protocol-route paths, failures included, against the
// Capacity Provider simulator over real HTTP with a manual clock.

let ctx: TestContext;
let sim: CapacityProviderSimulator;
let baseUrl: string;
let manager: string;
let ids: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
  baseUrl = await ctx.listen();
  sim = new CapacityProviderSimulator({ clock: ctx.clock, requestTimeoutMs: 2000 });
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
  await ctx.close();
});
beforeEach(async () => {
  await ctx.reset();
  sim.clearFaults();
  sim.clearMessages();
  ids = await seedDemo(ctx);
  manager = await ctx.signIn('MANAGER');
});

let groupCounter = 0;
const nextGroup = () => `PATH${(groupCounter += 1)}`;

/** The refusal log, newest first (of one connection when named). */
async function refusalLog(connectionId?: string): Promise<RefusalView[]> {
  const response = await ctx.request({
    method: 'GET',
    url: `/api/oscp-refusals?limit=200${connectionId ? `&connectionId=${connectionId}` : ''}`,
    cookie: manager,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

async function detail(id: string): Promise<ConnectionDetail> {
  return (
    await ctx.request({ method: 'GET', url: `/api/oscp-connections/${id}`, cookie: manager })
  ).json();
}

async function phaseBecomes(id: string, phase: string): Promise<ConnectionDetail> {
  return eventually(async () => {
    await ctx.app.settle();
    const d = await detail(id);
    return d.lifecycle.phase === phase ? d : undefined;
  }, `phase ${phase}`);
}

async function createConnection(
  group: string,
  initialToken: string | null,
  overrides: Record<string, unknown> = {},
) {
  if (initialToken) {
    await ctx.request({
      method: 'PUT',
      url: `/api/secrets/init-${group}`,
      cookie: manager,
      body: { value: initialToken },
    });
  }
  const response = await ctx.request({
    method: 'POST',
    url: '/api/oscp-connections',
    cookie: manager,
    body: {
      preset: 'OSCP_STANDARD',
      displayName: `CP ${group}`,
      groupId: group,
      microgridId: ids.microgridId,
      scopeId: ids.scopeId,
      peerBaseUrl: sim.oscpBaseUrl,
      authReferences: { initialToken: `init-${group}` },
      ...overrides,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
}

const enable = (id: string) =>
  ctx.request({ method: 'POST', url: `/api/oscp-connections/${id}/enable`, cookie: manager });

async function publications(id: string) {
  return (
    await ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${id}/publications`,
      cookie: manager,
    })
  ).json().items as {
    kind: string;
    status: string;
    attempts: number;
    requestId: string;
    correlationId: string | null;
  }[];
}

async function registeredAndHandshaken() {
  const group = nextGroup();
  const peerId = sim.addPeer({
    groupId: group,
    mode: 'OSCP_TOKEN',
    initialTokenForFp: `init-${group}`,
  });
  const id = await createConnection(group, `init-${group}`);
  await enable(id);
  await phaseBecomes(id, 'REGISTERED');
  await sim.sendHandshake(peerId, {
    heartbeatIntervalSeconds: 60,
    measurementConfiguration: ['CONTINUOUS'],
  });
  await phaseBecomes(id, 'HANDSHAKEN');
  return { id, peerId, group };
}

describe('registration failures are visible, kept and retryable', () => {
  it('fails after the attempts when the peer cannot be reached, and keeps the record', async () => {
    const group = nextGroup();
    const id = await createConnection(group, 'whatever', {
      peerBaseUrl: 'http://127.0.0.1:9/oscp/cp/2.0',
    });
    await enable(id);
    await ctx.app.settle();
    expect((await publications(id))[0]).toMatchObject({
      kind: 'Register',
      status: 'RETRYING',
      attempts: 1,
    });
    for (let i = 0; i < 3; i += 1) {
      ctx.clock.advance(5_000);
      await ctx.app.settle();
    }
    const failed = await detail(id);
    expect(failed.lifecycle.phase).toBe('REGISTRATION_FAILED');
    expect(failed.lifecycle.registration.failure?.reason).toContain('could not be delivered');
    expect(failed.latestError).toMatchObject({ url: 'http://127.0.0.1:9/oscp/cp/2.0/register' });
    expect((await publications(id))[0]).toMatchObject({
      kind: 'Register',
      status: 'FAILED',
      attempts: 3,
    });
  });

  it('fails at once on a 4xx, and a retry succeeds once the peer accepts', async () => {
    const group = nextGroup();
    sim.addPeer({ groupId: group, mode: 'OSCP_TOKEN', initialTokenForFp: `init-${group}` });
    sim.setFault({ endpoint: 'register', status: 403, message: 'not today' });
    const id = await createConnection(group, `init-${group}`);
    await enable(id);
    const failed = await phaseBecomes(id, 'REGISTRATION_FAILED');
    expect(failed.latestError).toMatchObject({ status: '403', message: 'not today' });
    expect((await publications(id))[0]).toMatchObject({ status: 'FAILED', attempts: 1 });

    sim.clearFaults();
    const retry = await ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/retry-registration`,
      cookie: manager,
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().lifecycle.phase).toBe('REGISTERING');
    const registered = await phaseBecomes(id, 'REGISTERED');
    expect(registered.latestError?.clearedAt).toBeTruthy();
    const audit = await readBySubject(ctx.db, `oscp-connection-${id}`, {
      limit: 50,
      offset: 0,
      types: ['OscpRegistrationFailed'],
    });
    expect(audit.total).toBe(1);
  });

  it('records a timeout and retries with the same X-Request-ID', async () => {
    const group = nextGroup();
    sim.addPeer({ groupId: group, mode: 'OSCP_TOKEN', initialTokenForFp: `init-${group}` });
    sim.setFault({ endpoint: 'register', delayMs: 3000, times: 1 });
    const id = await createConnection(group, `init-${group}`);
    await enable(id);
    await ctx.app.settle();
    const first = await detail(id);
    expect(first.latestError).toMatchObject({ status: 'timeout' });
    ctx.clock.advance(5_000);
    await phaseBecomes(id, 'REGISTERED');
    // Two attempts of one message, and what reached the peer carries that message's request id.
    const [register] = await publications(id);
    expect(register).toMatchObject({ kind: 'Register', status: 'DELIVERED', attempts: 2 });
    const seen = sim.messages({ endpoint: 'register' }).map((m) => m.requestId);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([register!.requestId]));
  });

  it('fails when the peer does not register back in time', async () => {
    const group = nextGroup();
    sim.addPeer({
      groupId: group,
      mode: 'OSCP_TOKEN',
      initialTokenForFp: `init-${group}`,
      autoRegisterBack: false,
    });
    const id = await createConnection(group, `init-${group}`);
    await enable(id);
    await ctx.app.settle();
    expect((await detail(id)).lifecycle.phase).toBe('REGISTERING');
    ctx.clock.advance(31_000);
    const failed = await phaseBecomes(id, 'REGISTRATION_FAILED');
    expect(failed.lifecycle.registration.failure?.reason).toContain(
      'No Register from the peer within 30 s',
    );
  });

  it('accepts a peer that registers first with an initial token we issued, and retires that token', async () => {
    const group = nextGroup();
    const id = await createConnection(group, null, {
      authReferences: { initialToken: `unused-${group}` },
    });
    const issued = await ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/initial-token`,
      cookie: manager,
    });
    const token = issued.json().token as string;
    await enable(id);
    await ctx.app.settle();
    const peerId = sim.addPeer({
      groupId: group,
      mode: 'OSCP_TOKEN',
      initialTokenFromFp: token,
      fpBaseUrl: `${baseUrl}/oscp/fp/2.0`,
    });
    const outcome = await sim.register(peerId);
    expect(outcome.status).toBe('delivered');
    await phaseBecomes(id, 'REGISTERED');
    const theirs = sim.sentMessages({ endpoint: 'register' }).at(-1)!;
    const back = (await publications(id)).find((p) => p.correlationId !== null);
    expect(back?.correlationId).toBe(theirs.requestId);
    const again = await fetch(`${baseUrl}/oscp/fp/2.0/register`, {
      method: 'POST',
      headers: {
        authorization: `Token ${token}`,
        'content-type': 'application/json',
        'x-request-id': 'again-1',
      },
      body: JSON.stringify({
        token: 'x',
        version_url: [{ version: '2.0', base_url: sim.oscpBaseUrl }],
      }),
    });
    expect(again.status).toBe(403);
  });

  it('answers 501 when no version is common', async () => {
    const group = nextGroup();
    const id = await createConnection(group, null, {
      authReferences: { initialToken: `unused-${group}` },
    });
    await enable(id);
    const token = (
      await ctx.request({
        method: 'POST',
        url: `/api/oscp-connections/${id}/initial-token`,
        cookie: manager,
      })
    ).json().token;
    const response = await fetch(`${baseUrl}/oscp/fp/2.0/register`, {
      method: 'POST',
      headers: {
        authorization: `Token ${token}`,
        'content-type': 'application/json',
        'x-request-id': 'v3-1',
      },
      body: JSON.stringify({
        token: 'peer-token',
        version_url: [{ version: '3.0', base_url: 'http://127.0.0.1:1/oscp/3.0' }],
      }),
    });
    expect(response.status).toBe(501);
    expect(((await response.json()) as { message: string }).message).toContain(
      'No common OSCP version',
    );
  });
});

describe('handshake and business messages', () => {
  it('refuses a handshake it cannot satisfy with 400, records it, and stays unready for business', async () => {
    const group = nextGroup();
    const peerId = sim.addPeer({
      groupId: group,
      mode: 'OSCP_TOKEN',
      initialTokenForFp: `init-${group}`,
    });
    const id = await createConnection(group, `init-${group}`);
    await enable(id);
    await phaseBecomes(id, 'REGISTERED');
    const refused = await sim.sendHandshake(peerId, { measurementConfiguration: ['INTERMITTENT'] });
    expect(refused).toMatchObject({ status: 'rejected', httpStatus: 400 });
    expect(refused.status === 'rejected' && refused.message).toContain(
      'INTERMITTENT is not supported',
    );
    const rejected = await readBySubject(ctx.db, `oscp-connection-${id}`, {
      limit: 10,
      offset: 0,
      types: ['OscpHandshakeRejected'],
    });
    expect(rejected.total).toBe(1);
    const forecast = await sim.sendForecast(peerId, {
      type: 'CONSUMPTION',
      blocks: [
        {
          start: ctx.clock.now(),
          end: new Date(ctx.clock.now().getTime() + 3600_000),
          capacity: 50,
          unit: 'A',
          phase: 'ALL',
        },
      ],
    });
    expect(forecast).toMatchObject({ status: 'rejected', httpStatus: 403 });
    const [latestRefusal] = await refusalLog(id);
    expect(latestRefusal?.reason).toContain('Complete the handshake');
  });

  it('acknowledges a handshake with the correlation id and sends heartbeats at the asked cadence', async () => {
    const { id } = await registeredAndHandshaken();
    const handshake = sim.sentMessages({ endpoint: 'handshake' }).at(-1)!;
    const ack = sim.messages({ endpoint: 'handshake_acknowledge' }).at(-1)!;
    expect(ack.correlationId).toBe(handshake.requestId);
    const negotiated = (await detail(id)).lifecycle.handshake;
    expect(negotiated.peerRequires?.heartbeatIntervalSeconds).toBe(60);
    expect(negotiated.weRequire?.heartbeatIntervalSeconds).toBe(60);

    await eventually(async () => {
      await ctx.app.settle();
      return sim.messages({ endpoint: 'heartbeat' }).length === 1;
    }, 'first heartbeat');
    const first = sim.messages({ endpoint: 'heartbeat' })[0]!;
    expect((first.body as { offline_mode_at: string }).offline_mode_at).toBe(
      new Date(ctx.clock.now().getTime() + 180_000).toISOString(),
    );
    ctx.clock.advance(30_000);
    await ctx.app.settle();
    expect(sim.messages({ endpoint: 'heartbeat' })).toHaveLength(1);
    ctx.clock.advance(30_000);
    await eventually(async () => {
      await ctx.app.settle();
      return sim.messages({ endpoint: 'heartbeat' }).length === 2;
    }, 'second heartbeat');
    expect((await detail(id)).lastHeartbeatSent).toMatchObject({ status: 'DELIVERED' });
  });
});

describe('the one OSCP route and who may call it', () => {
  it.each([
    '/api/oscp/heartbeat',
    '/oscp/heartbeat',
    '/oscp/fp/heartbeat',
    '/fp/2.0/heartbeat',
    '/oscp/2.0/heartbeat',
  ])('%s is not an alias', async (path) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
  });

  it('answers 401 without credentials and 403 for unknown or revoked tokens, auditing each without the secret', async () => {
    const post = (authorization?: string) =>
      fetch(`${baseUrl}/oscp/fp/2.0/heartbeat`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': crypto.randomUUID(),
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ offline_mode_at: '2026-03-02T10:00:00Z' }),
      });
    expect((await post()).status).toBe(401);
    expect((await post('Token not-a-real-token-123')).status).toBe(403);
    expect((await post('Basic abc')).status).toBe(403);
    const refusals = (await refusalLog()).filter((r) => r.connectionId === null);
    expect(refusals).toHaveLength(3);
    expect(JSON.stringify(refusals)).not.toContain('not-a-real-token-123');
    expect(ctx.log.text).not.toContain('not-a-real-token-123');
  });

  it('lets MANAGER and SYSTEM_ADMIN API tokens call with a connection id, not VIEWER or OPERATOR', async () => {
    const { id } = await registeredAndHandshaken();
    const tokenFor = async (role: 'VIEWER' | 'OPERATOR' | 'MANAGER' | 'SYSTEM_ADMIN') => {
      const cookie = await ctx.signIn(role);
      return (
        await ctx.request({
          method: 'POST',
          url: '/api/auth/tokens',
          cookie,
          body: { name: 'script' },
        })
      ).json().token as string;
    };
    const call = (token: string) =>
      fetch(`${baseUrl}/oscp/fp/2.0/heartbeat?connection_id=${id}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-request-id': crypto.randomUUID(),
        },
        body: JSON.stringify({
          offline_mode_at: new Date(ctx.clock.now().getTime() + 60_000).toISOString(),
        }),
      });
    expect((await call(await tokenFor('VIEWER'))).status).toBe(403);
    expect((await call(await tokenFor('OPERATOR'))).status).toBe(403);
    expect((await call(await tokenFor('MANAGER'))).status).toBe(204);
    expect((await call(await tokenFor('SYSTEM_ADMIN'))).status).toBe(204);
    expect((await detail(id)).lifecycle.phase).toBe('ONLINE');
  });

  it('stops honouring the peer token once the connection is disabled', async () => {
    const { id, peerId } = await registeredAndHandshaken();
    await ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/disable`,
      cookie: manager,
    });
    const outcome = await sim.sendHeartbeat(peerId, { intervalSeconds: 30 });
    expect(outcome).toMatchObject({ status: 'rejected', httpStatus: 403 });
  });

  it('documents the protocol routes and their authentication', async () => {
    const doc = (await ctx.request({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/oscp/fp/2.0/heartbeat'].post.description).toContain('Authorization: `Token');
  });
});
