import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../platform/events/event-store';
import { useLifecycleHarness } from '../../testing/lifecycle-harness';

// The protocol has one home (/oscp/fp/2.0/…) and one door: who may call it, and what a refusal
// leaves behind (an audit record and a log line, never the credential).

const h = useLifecycleHarness();

const heartbeatBody = () => ({
  offline_mode_at: new Date(h.ctx.clock.now().getTime() + 60_000).toISOString(),
});

/** Every event in the database (all streams), for "the secret is nowhere" checks. */
async function everyEvent(): Promise<StoredEvent[]> {
  const rows = await h.ctx.db.selectFrom('events').selectAll().execute();
  return rows.map((r) => ({
    streamId: r.stream_id,
    subject: r.subject,
    version: r.version,
    globalPosition: r.global_position,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    recordedAt: r.recorded_at,
  }));
}

async function expectNowhere(secrets: string[]) {
  const events = JSON.stringify(await everyEvent());
  for (const secret of secrets) {
    expect(events, 'an event holds a credential').not.toContain(secret);
    expect(h.ctx.log.text, 'a log line holds a credential').not.toContain(secret);
  }
}

describe('one route for the protocol', () => {
  it('has no aliases: other prefixes answer 404 even to a valid peer token, and change nothing', async () => {
    const { id, peerId } = await h.handshaken();
    const token = h.peerToken(peerId);
    const before = await h.detail(id);
    const body = { token: 'x', version_url: [{ version: '2.0', base_url: h.sim.oscpBaseUrl }] };
    for (const path of [
      '/api/oscp/register',
      '/oscp/register',
      '/oscp/fp/register',
      '/fp/2.0/register',
      '/oscp/2.0/register',
    ]) {
      const response = await h.post(path, { authorization: `Token ${token}`, body });
      expect(response.status, path).toBe(404);
    }
    const after = await h.detail(id);
    expect(after.lifecycle).toEqual(before.lifecycle);
    expect(after.protocolActivity).toEqual(before.protocolActivity);
    // The real route, same credential: accepted.
    const real = await h.post('/oscp/fp/2.0/heartbeat', {
      authorization: `Token ${token}`,
      body: heartbeatBody(),
    });
    expect(real.status).toBe(204);
  });

  it('is documented in /api/openapi.json with how to authenticate, and only under /oscp/fp/2.0', async () => {
    const response = await h.ctx.request({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json() as {
      paths: Record<string, { post?: { description?: string; tags?: string[] } }>;
    };
    const heartbeat = doc.paths['/oscp/fp/2.0/heartbeat']?.post;
    expect(heartbeat?.description).toContain('Authorization: `Token <token we issued you>`');
    expect(heartbeat?.description).toContain('`Bearer <access token from /oauth2/token>`');
    expect(heartbeat?.tags).toEqual(['oscp (protocol)']);
    const protocolPaths = Object.keys(doc.paths).filter((p) => /^\/(api\/)?oscp\//.test(p));
    expect(protocolPaths.sort()).toEqual(
      [
        'handshake',
        'handshake_acknowledge',
        'heartbeat',
        'register',
        'update_group_capacity_forecast',
      ].map((e) => `/oscp/fp/2.0/${e}`),
    );
  });
});

describe('who may call it', () => {
  it('answers 401 without credentials and 403 to unknown, malformed or revoked ones, auditing each refusal without the secret', async () => {
    const { id, peerId } = await h.handshaken();
    const peerToken = h.peerToken(peerId);
    const unknown = 'ovp_unknown-secret-4711';
    const bare = 'ovp_bare-token-without-a-scheme-0815';
    const calls: { authorization?: string; status: number; requestId: string }[] = [
      { status: 401, requestId: 'no-credentials' },
      { authorization: `Token ${unknown}`, status: 403, requestId: 'unknown-token' },
      { authorization: bare, status: 403, requestId: 'bare-token' },
      { authorization: 'Basic dXNlcjpwYXNz', status: 403, requestId: 'basic' },
    ];
    for (const call of calls) {
      const response = await h.post('/oscp/fp/2.0/heartbeat', {
        ...(call.authorization ? { authorization: call.authorization } : {}),
        requestId: call.requestId,
        body: heartbeatBody(),
      });
      expect(response.status, call.requestId).toBe(call.status);
      expect(response.body).toEqual({ message: expect.any(String) });
    }
    // The peer's own token works until the connection is disabled, which revokes it.
    const before = await h.post('/oscp/fp/2.0/heartbeat', {
      authorization: `Token ${peerToken}`,
      body: heartbeatBody(),
    });
    expect(before.status).toBe(204);
    expect((await h.action(id, 'disable')).statusCode).toBe(200);
    const revoked = await h.post('/oscp/fp/2.0/heartbeat', {
      authorization: `Token ${peerToken}`,
      requestId: 'revoked-token',
      body: heartbeatBody(),
    });
    expect(revoked).toEqual({
      status: 403,
      body: { message: 'Unknown, revoked or expired token.' },
    });
    expect(await h.sim.sendHeartbeat(peerId, { intervalSeconds: 30 })).toMatchObject({
      status: 'rejected',
      httpStatus: 403,
    });

    // Every refusal is on record, with the scheme at most.
    const refusals = await h.unattributedRefusals();
    const byRequest = new Map(refusals.map((r) => [r.requestId, r]));
    expect(byRequest.get('no-credentials')).toMatchObject({
      endpoint: 'heartbeat',
      status: 401,
      authorizationScheme: null,
      connectionId: null,
    });
    expect(byRequest.get('unknown-token')).toMatchObject({
      status: 403,
      reason: 'Unknown, revoked or expired token.',
      authorizationScheme: 'Token',
    });
    // A bare token (no scheme word) is neither echoed as the scheme nor quoted in the reason.
    expect(byRequest.get('bare-token')).toMatchObject({
      status: 403,
      reason: 'Unsupported Authorization: use Token <token> or Bearer <token>.',
      authorizationScheme: '(unrecognised)',
    });
    expect(byRequest.get('basic')).toMatchObject({ status: 403, authorizationScheme: 'Basic' });
    expect(byRequest.get('revoked-token')).toMatchObject({
      status: 403,
      reason: 'Unknown, revoked or expired token.',
      authorizationScheme: 'Token',
    });
    for (const requestId of ['no-credentials', 'unknown-token', 'bare-token', 'basic']) {
      expect(
        h.ctx.log.lines.some((l) => l.includes('OSCP call refused') && l.includes(requestId)),
      ).toBe(true);
    }
    await expectNowhere([peerToken, unknown, bare, 'dXNlcjpwYXNz']);
  });

  it('lets a MANAGER or SYSTEM_ADMIN call with a personal API token and ?connection_id=, not a VIEWER or OPERATOR', async () => {
    const { id } = await h.handshaken();
    const tokens = {
      VIEWER: await h.apiToken('VIEWER'),
      OPERATOR: await h.apiToken('OPERATOR'),
      MANAGER: await h.apiToken('MANAGER'),
      SYSTEM_ADMIN: await h.apiToken('SYSTEM_ADMIN'),
    };
    const call = (token: string, query: string, requestId: string) =>
      h.post(`/oscp/fp/2.0/heartbeat${query}`, {
        authorization: `Bearer ${token}`,
        requestId,
        body: heartbeatBody(),
      });
    const viewer = await call(tokens.VIEWER, `?connection_id=${id}`, 'as-viewer');
    expect(viewer).toEqual({
      status: 403,
      body: {
        message: 'Calling OSCP endpoints needs the MANAGER or SYSTEM_ADMIN role; you are VIEWER.',
      },
    });
    expect((await call(tokens.OPERATOR, `?connection_id=${id}`, 'as-operator')).status).toBe(403);
    expect((await h.detail(id)).lifecycle.phase).toBe('HANDSHAKEN');
    expect((await call(tokens.MANAGER, '', 'manager-unnamed')).status).toBe(400);

    expect((await call(tokens.MANAGER, `?connection_id=${id}`, 'as-manager')).status).toBe(204);
    expect((await h.detail(id)).lifecycle.phase).toBe('ONLINE');
    h.ctx.clock.advance(10_000);
    expect((await call(tokens.SYSTEM_ADMIN, `?connection_id=${id}`, 'as-admin')).status).toBe(204);
    expect((await h.detail(id)).lifecycle.heartbeat.lastReceivedAt).toBe(
      h.ctx.clock.now().toISOString(),
    );

    const refusals = new Map((await h.unattributedRefusals()).map((r) => [r.requestId, r]));
    expect(refusals.get('as-viewer')).toMatchObject({ status: 403, authorizationScheme: 'Bearer' });
    expect(refusals.get('as-operator')).toMatchObject({
      status: 403,
      reason: 'Calling OSCP endpoints needs the MANAGER or SYSTEM_ADMIN role; you are OPERATOR.',
    });
    expect(refusals.get('manager-unnamed')).toMatchObject({ status: 400 });
    expect(refusals.has('as-manager')).toBe(false);
    await expectNowhere(Object.values(tokens));
  });
});
