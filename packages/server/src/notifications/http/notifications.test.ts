import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { NotificationService } from '../app/notifications';
import type { Severity } from '../store/notification-store';

// The notifications and incidents API. Other contexts raise notifications and open incidents in
// their own transactions through NotificationService; here they are raised directly, each at its
// own instant of the manual clock, so "newest first" has one right answer.

let ctx: TestContext;
const service = new NotificationService();

const START = '2026-03-02T09:00:00Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

beforeAll(async () => {
  ctx = await startTestApp(START);
});
afterAll(async () => {
  await ctx.close();
});
beforeEach(async () => {
  await ctx.reset();
});

async function raise(minute: number, kind: string, severity: Severity = 'WARNING') {
  return service.raise(
    ctx.db,
    {
      kind,
      severity,
      title: `${kind} at ${minute}`,
      message: `message ${minute}`,
      context: { connectionId: 'c-1', minute },
    },
    at(minute),
  );
}

async function list(cookie: string, query = '') {
  const response = await ctx.request({ method: 'GET', url: `/api/notifications${query}`, cookie });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as {
    total: number;
    unacknowledged: number;
    items: {
      id: string;
      kind: string;
      acknowledgedAt: string | null;
      acknowledgedBy: string | null;
    }[];
  };
}

function acknowledge(id: string, cookie?: string) {
  return ctx.request({
    method: 'POST',
    url: `/api/notifications/${id}/acknowledge`,
    ...(cookie ? { cookie } : {}),
  });
}

describe('GET /api/notifications', () => {
  it('lists newest first with the total and the unacknowledged count, paginated', async () => {
    const viewer = await ctx.signIn('VIEWER');
    // Raised out of order: the order comes from created_at, not insertion.
    const b = await raise(20, 'B', 'INFO');
    const a = await raise(10, 'A');
    const c = await raise(30, 'C', 'ALARM');

    const all = await list(viewer);
    expect(all.total).toBe(3);
    expect(all.unacknowledged).toBe(3);
    expect(all.items).toEqual([
      {
        id: c,
        kind: 'C',
        severity: 'ALARM',
        title: 'C at 30',
        message: 'message 30',
        context: { connectionId: 'c-1', minute: 30 },
        createdAt: iso(30),
        acknowledgedAt: null,
        acknowledgedBy: null,
      },
      expect.objectContaining({ id: b, kind: 'B', severity: 'INFO', createdAt: iso(20) }),
      expect.objectContaining({ id: a, kind: 'A', severity: 'WARNING', createdAt: iso(10) }),
    ]);

    const page1 = await list(viewer, '?limit=2&offset=0');
    const page2 = await list(viewer, '?limit=2&offset=2');
    expect(page1.items.map((n) => n.id)).toEqual([c, b]);
    expect(page2.items.map((n) => n.id)).toEqual([a]);
    expect([page1.total, page2.total]).toEqual([3, 3]);
  });

  it('filters to unacknowledged ones; the count is of all unacknowledged, whatever the page', async () => {
    const operator = await ctx.signIn('OPERATOR', 'olly');
    const a = await raise(10, 'A');
    const b = await raise(20, 'B');
    const c = await raise(30, 'C');
    ctx.clock.set(at(40));
    expect((await acknowledge(b, operator)).statusCode).toBe(204);

    const open = await list(operator, '?unacknowledged=true');
    expect(open.items.map((n) => n.id)).toEqual([c, a]);
    expect(open.total).toBe(2);
    expect(open.unacknowledged).toBe(2);

    const everything = await list(operator, '?unacknowledged=false&limit=1');
    expect(everything.total).toBe(3);
    expect(everything.unacknowledged).toBe(2);
    expect(everything.items.map((n) => n.id)).toEqual([c]);

    const acknowledged = (await list(operator)).items.find((n) => n.id === b)!;
    expect(acknowledged).toMatchObject({ acknowledgedAt: iso(40), acknowledgedBy: 'olly' });
  });

  it('is for signed-in users only, and checks its query', async () => {
    const viewer = await ctx.signIn('VIEWER');
    expect((await ctx.request({ method: 'GET', url: '/api/notifications' })).statusCode).toBe(401);
    for (const query of ['?unacknowledged=yes', '?limit=0', '?limit=201', '?offset=-1']) {
      const response = await ctx.request({
        method: 'GET',
        url: `/api/notifications${query}`,
        cookie: viewer,
      });
      expect([query, response.statusCode]).toEqual([query, 400]);
    }
  });
});

describe('POST /api/notifications/:id/acknowledge', () => {
  it('an OPERATOR acknowledges once; again → 404', async () => {
    const operator = await ctx.signIn('OPERATOR', 'olly');
    const id = await raise(10, 'FALLBACK_ENTERED');
    ctx.clock.set(at(12));

    const first = await acknowledge(id, operator);
    expect(first.statusCode).toBe(204);
    expect(first.body).toBe('');
    expect((await list(operator)).items[0]).toMatchObject({
      acknowledgedAt: iso(12),
      acknowledgedBy: 'olly',
    });

    ctx.clock.set(at(15));
    const second = await acknowledge(id, operator);
    expect(second.statusCode).toBe(404);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(second.json().detail).toContain(id);
    // The first acknowledgement stands.
    expect((await list(operator)).items[0]).toMatchObject({
      acknowledgedAt: iso(12),
      acknowledgedBy: 'olly',
    });
  });

  it('a VIEWER may not (403), and nothing changes', async () => {
    const viewer = await ctx.signIn('VIEWER');
    const id = await raise(10, 'FALLBACK_ENTERED');
    const response = await acknowledge(id, viewer);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ type: 'urn:openvelope:problem:forbidden' });
    expect(response.json().detail).toContain('VIEWER');
    const after = await list(viewer);
    expect(after.unacknowledged).toBe(1);
    expect(after.items[0]).toMatchObject({ acknowledgedAt: null, acknowledgedBy: null });
  });

  it.each(['MANAGER', 'SYSTEM_ADMIN'] as const)('a %s may too', async (role) => {
    const cookie = await ctx.signIn(role, `${role.toLowerCase()}-x`);
    const id = await raise(10, 'X');
    expect((await acknowledge(id, cookie)).statusCode).toBe(204);
    expect((await list(cookie)).items[0]!.acknowledgedBy).toBe(`${role.toLowerCase()}-x`);
  });

  it('acknowledges only the one named', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const a = await raise(10, 'A');
    const b = await raise(20, 'B');
    expect((await acknowledge(a, operator)).statusCode).toBe(204);
    const items = (await list(operator)).items;
    expect(items.find((n) => n.id === b)!.acknowledgedAt).toBeNull();
    expect(items.find((n) => n.id === a)!.acknowledgedAt).not.toBeNull();
  });

  it('an unknown id → 404, a malformed one → 400, no sign-in → 401', async () => {
    const operator = await ctx.signIn('OPERATOR');
    const id = await raise(10, 'A');
    expect((await acknowledge(randomUUID(), operator)).statusCode).toBe(404);
    expect((await acknowledge('not-a-uuid', operator)).statusCode).toBe(400);
    expect((await acknowledge(id)).statusCode).toBe(401);
    expect((await list(operator)).unacknowledged).toBe(1);
  });
});

describe('GET /api/incidents', () => {
  it('lists by status, newest first, with resolution details', async () => {
    const viewer = await ctx.signIn('VIEWER');
    const first = await service.openIncident(
      ctx.db,
      { kind: 'OSCP_FALLBACK', title: 'first', context: { connectionId: 'c-1', scopeId: 's-1' } },
      at(10),
    );
    const second = await service.openIncident(
      ctx.db,
      { kind: 'OSCP_FALLBACK', title: 'second', context: { connectionId: 'c-2', scopeId: 's-2' } },
      at(20),
    );
    const third = await service.openIncident(
      ctx.db,
      { kind: 'OSCP_FALLBACK', title: 'third', context: { connectionId: 'c-3', scopeId: 's-3' } },
      at(30),
    );
    await service.resolveIncident(ctx.db, second, 'Recovered: capacity forecast in force', at(40));
    // Resolving again changes nothing: the first resolution stands.
    await service.resolveIncident(ctx.db, second, 'again', at(50));

    const get = async (query: string) => {
      const response = await ctx.request({
        method: 'GET',
        url: `/api/incidents${query}`,
        cookie: viewer,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as { total: number; items: Record<string, unknown>[] };
    };

    const open = await get('?status=OPEN');
    expect(open.total).toBe(2);
    expect(open.items.map((i) => i.id)).toEqual([third, first]);
    expect(open.items[0]).toEqual({
      id: third,
      kind: 'OSCP_FALLBACK',
      status: 'OPEN',
      title: 'third',
      context: { connectionId: 'c-3', scopeId: 's-3' },
      openedAt: iso(30),
      resolvedAt: null,
      resolution: null,
    });

    const resolved = await get('?status=RESOLVED');
    expect(resolved.total).toBe(1);
    expect(resolved.items).toEqual([
      expect.objectContaining({
        id: second,
        status: 'RESOLVED',
        openedAt: iso(20),
        resolvedAt: iso(40),
        resolution: 'Recovered: capacity forecast in force',
      }),
    ]);

    const all = await get('');
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.id)).toEqual([third, second, first]);
    const paged = await get('?limit=1&offset=1');
    expect([paged.total, paged.items.map((i) => i.id)]).toEqual([3, [second]]);

    const bad = await ctx.request({
      method: 'GET',
      url: '/api/incidents?status=CLOSED',
      cookie: viewer,
    });
    expect(bad.statusCode).toBe(400);
    expect((await ctx.request({ method: 'GET', url: '/api/incidents' })).statusCode).toBe(401);
  });
});
