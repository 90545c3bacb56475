import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addScopeWithOwnCircuit } from '../../testing/depot-seeding';
import { startTestApp, type TestContext } from '../../testing/test-app';
import type { ConnectionName, ConnectionSummary } from '../contract';

/*
 * The connection list as the console reads it with a network of connections: one page at a time
 * by name, a search over names and group ids, and every name for pickers. Runs on PGlite, and on
 * PostgreSQL with DATABASE_URL.
 */

let ctx: TestContext;
let viewer: string;
/** Display names by id, in the order seeded. */
const seeded: { id: string; name: string; groupId: string }[] = [];
let deletedId: string;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
  viewer = await ctx.signIn('VIEWER');
  const now = ctx.clock.now();
  const microgridId = (
    await ctx.app.microgrid.model.createMicrogrid({ name: 'Depot', timezone: 'UTC' }, now)
  ).id;
  // Seeded out of name order, so the list's order is the server's doing.
  for (const n of [5, 2, 7, 1, 4, 3, 6]) {
    const { scopeId } = await addScopeWithOwnCircuit(ctx, microgridId, n);
    const name = n === 4 ? 'Grid 100% renewable' : `Grid operator ${n}`;
    const groupId = `GRP-${n}`;
    const id = await ctx.app.oscp.connections.create(
      {
        preset: 'OSCP_STANDARD',
        displayName: name,
        groupId,
        microgridId,
        scopeId,
        peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
        enabled: false,
      },
      'test',
      now,
    );
    seeded.push({ id, name, groupId });
  }
  deletedId = seeded.find((s) => s.name === 'Grid operator 7')!.id;
  await ctx.app.oscp.connections.delete(deletedId, 'test', now);
});
afterAll(async () => ctx.close());

async function list(query: string) {
  const response = await ctx.request({
    method: 'GET',
    url: `/api/oscp-connections${query}`,
    cookie: viewer,
  });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json() as { connections: ConnectionSummary[]; total: number };
  return { names: body.connections.map((c) => c.displayName), total: body.total };
}

const live = ['Grid 100% renewable', ...[1, 2, 3, 5, 6].map((n) => `Grid operator ${n}`)];

describe('the connection list', () => {
  it('answers every connection by name without a limit, as before paging', async () => {
    expect(await list('')).toEqual({ names: live, total: 6 });
  });

  it('pages by name with limit and offset, the total counting every match', async () => {
    expect(await list('?limit=4')).toEqual({ names: live.slice(0, 4), total: 6 });
    expect(await list('?limit=4&offset=4')).toEqual({ names: live.slice(4), total: 6 });
    expect(await list('?limit=4&offset=8')).toEqual({ names: [], total: 6 });
    expect(await list('?limit=10')).toEqual({ names: live, total: 6 });
  });

  it('pages the deleted ones too when asked', async () => {
    const all = await list('?include=deleted&limit=3&offset=6');
    expect(all).toEqual({ names: ['Grid operator 7'], total: 7 });
  });

  it('finds a part of the name or of the group id, whatever the case, and % only literally', async () => {
    expect(await list('?q=OPERATOR%203')).toEqual({ names: ['Grid operator 3'], total: 1 });
    expect(await list('?q=grp-5')).toEqual({ names: ['Grid operator 5'], total: 1 });
    expect(await list('?q=100%25')).toEqual({ names: ['Grid 100% renewable'], total: 1 });
    expect(await list('?q=%25')).toEqual({ names: ['Grid 100% renewable'], total: 1 });
    expect(await list('?q=_')).toEqual({ names: [], total: 0 });
    expect(await list('?q=operator&limit=2&offset=2')).toEqual({
      names: ['Grid operator 3', 'Grid operator 5'],
      total: 5,
    });
    expect(await list('?q=grp-7')).toEqual({ names: [], total: 0 });
    expect(await list('?q=grp-7&include=deleted')).toEqual({
      names: ['Grid operator 7'],
      total: 1,
    });
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=501', 'limit'],
    ['?limit=abc', 'limit'],
    ['?limit=5&offset=-1', 'offset'],
    ['?offset=5', 'offset pages the list only with limit'],
    [`?q=${'x'.repeat(101)}`, 'q'],
    ['?include=everything', 'include'],
  ])('refuses %s with a specific message', async (query, mentions) => {
    const response = await ctx.request({
      method: 'GET',
      url: `/api/oscp-connections${query}`,
      cookie: viewer,
    });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain(mentions);
  });
});

describe('connection names', () => {
  it("lists every connection's name and group id, deleted ones marked, for any user", async () => {
    const response = await ctx.request({
      method: 'GET',
      url: '/api/oscp-connection-names',
      cookie: viewer,
    });
    expect(response.statusCode).toBe(200);
    const { connections } = response.json() as { connections: ConnectionName[] };
    expect(connections.map((c) => [c.displayName, c.groupId, c.deletedAt !== null])).toEqual([
      ['Grid 100% renewable', 'GRP-4', false],
      ...[1, 2, 3, 5, 6].map((n) => [`Grid operator ${n}`, `GRP-${n}`, false]),
      ['Grid operator 7', 'GRP-7', true],
    ]);
    expect(connections.find((c) => c.deletedAt)!.id).toBe(deletedId);
  });

  it('is for signed-in users only', async () => {
    const response = await ctx.request({ method: 'GET', url: '/api/oscp-connection-names' });
    expect(response.statusCode).toBe(401);
  });
});
