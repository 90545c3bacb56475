import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addScopeWithOwnCircuit } from '../../testing/depot-seeding';
import { StatementCounter } from '../../testing/statement-counter';
import { startTestApp, type TestContext } from '../../testing/test-app';
import type { ConnectionSummary } from '../contract';

/*
 * The console polls the connection list and a connection's pages every 2 seconds. Each of those
 * reads must cost a fixed number of SQL statements, however many connections the network has: a
 * read per connection (or a listing of the whole depot per connection) turns a distribution
 * network of 1,000 connections into thousands of round trips per poll. Runs on PGlite, and on
 * PostgreSQL with DATABASE_URL.
 */

const CIRCUITS_PER_MICROGRID = 10;

let ctx: TestContext;
let cookie: string;
const statements = new StatementCounter();
/** Connections seeded so far, in order; each on its own scope and circuit. */
const seeded: { id: string; scopeId: string; microgridId: string }[] = [];
let currentMicrogrid: string | undefined;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z', {}, [statements]);
  cookie = await ctx.signIn('VIEWER');
});
afterAll(async () => ctx.close());

/** Adds connections (enabled: each has a control row and a Register waiting to be sent). */
async function seedUpTo(total: number): Promise<void> {
  const { model } = ctx.app.microgrid;
  const now = ctx.clock.now();
  while (seeded.length < total) {
    const i = seeded.length;
    if (i % CIRCUITS_PER_MICROGRID === 0) {
      currentMicrogrid = (
        await model.createMicrogrid(
          { name: `Depot ${i / CIRCUITS_PER_MICROGRID + 1}`, timezone: 'Pacific/Auckland' },
          now,
        )
      ).id;
    }
    const microgridId = currentMicrogrid!;
    const { scopeId } = await addScopeWithOwnCircuit(ctx, microgridId, i);
    await ctx.app.secrets.put(ctx.db, `token-${i}`, `initial-token-${i}`, 'test', now);
    const id = await ctx.app.oscp.connections.create(
      {
        preset: 'OSCP_STANDARD',
        displayName: `CP ${i}`,
        groupId: `GRP${String(i).padStart(4, '0')}`,
        microgridId,
        scopeId,
        peerBaseUrl: 'https://cp.example.com/oscp/cp/2.0',
        authReferences: { initialToken: `token-${i}` },
        enabled: true,
      },
      'test',
      now,
    );
    seeded.push({ id, scopeId, microgridId });
  }
}

/** The console's reads: the list page, and the pages of one connection. */
function readPaths(id: string): Record<string, string> {
  return {
    list: '/api/oscp-connections',
    listPage: '/api/oscp-connections?limit=5',
    names: '/api/oscp-connection-names',
    detail: `/api/oscp-connections/${id}`,
    control: `/api/oscp-connections/${id}/control`,
    publications: `/api/oscp-connections/${id}/publications`,
    timeline: `/api/oscp-connections/${id}/timeline`,
  };
}

async function statementsPerRead(id: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, url] of Object.entries(readPaths(id))) {
    const { count } = await statements.during(async () => {
      const response = await ctx.request({ method: 'GET', url, cookie });
      expect(response.statusCode, `${name}: ${response.body}`).toBe(200);
    });
    counts[name] = count;
  }
  return counts;
}

describe('read paths of the console', () => {
  it('cost the same number of SQL statements with 100 connections as with 10', async () => {
    await seedUpTo(10);
    const withTen = await statementsPerRead(seeded[3]!.id);
    await seedUpTo(100);
    const withHundred = await statementsPerRead(seeded[3]!.id);

    expect(withHundred).toEqual(withTen);
    // And few: a list is one read per kind of fact, a page a handful.
    for (const [name, count] of Object.entries(withHundred)) {
      expect(count, name).toBeLessThanOrEqual(12);
    }
  });

  it("the list's batched reads give each connection its own binding, activity and control", async () => {
    await seedUpTo(100);
    const response = await ctx.request({ method: 'GET', url: '/api/oscp-connections', cookie });
    const { connections } = response.json() as { connections: ConnectionSummary[] };
    expect(connections).toHaveLength(seeded.length);
    const byId = new Map(connections.map((c) => [c.id, c]));
    for (const [i, s] of seeded.entries()) {
      const summary = byId.get(s.id)!;
      expect(summary.binding.scope).toEqual({ id: s.scopeId, name: `Scope ${i}` });
      expect(summary.binding.microgrid?.id).toBe(s.microgridId);
      expect(summary.binding.circuit?.name).toBe(`Board ${i}`);
      expect(summary.lastOutbound).toMatchObject({ kind: 'Register', status: 'PENDING' });
      expect(summary.lastHeartbeatSent).toBeNull();
      expect(summary.control.mode).toBeTruthy();
      // The same facts as the connection's own page, which reads them one connection at a time.
      const detail = await ctx.request({
        method: 'GET',
        url: `/api/oscp-connections/${s.id}`,
        cookie,
      });
      const { binding, lastOutbound, lastHeartbeatSent, control } =
        detail.json() as ConnectionSummary;
      expect({ binding, lastOutbound, lastHeartbeatSent, control }).toEqual({
        binding: summary.binding,
        lastOutbound: summary.lastOutbound,
        lastHeartbeatSent: summary.lastHeartbeatSent,
        control: summary.control,
      });
    }
  });
});
