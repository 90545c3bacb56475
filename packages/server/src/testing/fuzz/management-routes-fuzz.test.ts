import fc from 'fast-check';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredRoutes, type RouteDeclaration } from '../../platform/http/server';
import { seedDemo } from '../demo';
import { startTestApp, type TestContext } from '../test-app';
import { arbitraryFromZod, hostileValues, mutated } from './arbitraries';
import { FUZZ_RUNS, FUZZ_SEED, FUZZ_TIME_PER_PROPERTY_MS } from './settings';
import { changedTables, storedState } from './snapshot';

// Every management route, called by a system admin with parameters, queries and bodies drawn from
// the route's own schemas and then made hostile. Whatever comes in: never a 5xx, and a refused
// request (4xx) changes nothing stored, but for the one record kept on purpose: an envelope
// rejected for an existing scope is an EnvelopeRejected event ("why did my limit not apply?"). Seeded and bounded (settings.ts); runs on PGlite and, in
// CI, on PostgreSQL.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());

interface World {
  cookie: string;
  ids: string[];
}

/** A fresh depot with one of everything the routes name by id. */
async function freshWorld(): Promise<World> {
  await ctx.reset();
  const depot = await seedDemo(ctx);
  const cookie = await ctx.signIn('SYSTEM_ADMIN', 'fuzz-admin');
  const call = async (method: 'POST' | 'PUT', url: string, body: unknown) => {
    const response = await ctx.request({ method, url, cookie, body });
    expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(300);
    return response.body ? (response.json() as Record<string, unknown>) : {};
  };
  const circuit = await ctx.request({
    method: 'GET',
    url: `/api/circuits/${depot.circuitId}`,
    cookie,
  });
  const chargers = circuit.json().chargers as { id: string; session: { id: string } | null }[];
  const free = chargers.find((c) => !c.session)!;
  const session = await call('POST', `/api/chargers/${free.id}/sessions`, {});
  const now = ctx.clock.now().getTime();
  const envelope = await call('POST', `/api/scopes/${depot.scopeId}/envelopes`, {
    source: 'fuzz',
    blocks: [
      {
        start: new Date(now).toISOString(),
        end: new Date(now + 3_600_000).toISOString(),
        importLimit: { value: 40, unit: 'A' },
      },
    ],
  });
  await call('PUT', '/api/secrets/fuzz-secret', { value: 'shh' });
  const connection = await call('POST', '/api/oscp-connections', {
    preset: 'OSCP_STANDARD',
    displayName: 'Fuzz CP',
    groupId: 'FUZZ',
    microgridId: depot.microgridId,
    scopeId: depot.scopeId,
    peerBaseUrl: 'http://127.0.0.1:9/oscp/cp/2.0',
  });
  const token = await call('POST', '/api/auth/tokens', { name: 'fuzz' });
  const admin = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', 'fuzz-admin')
    .executeTakeFirstOrThrow();
  return {
    cookie,
    ids: [
      depot.microgridId,
      depot.circuitId,
      depot.scopeId,
      free.id,
      session.id as string,
      envelope.id as string,
      connection.id as string,
      token.id as string,
      admin.id,
    ],
  };
}

/** What a refused management request records on purpose. */
const KEPT_ON_REFUSAL = { events: ['EnvelopeRejected'] };

const isDocsPage = (route: RouteDeclaration) =>
  route.url === '/api/docs' || route.url.startsWith('/api/docs/');

function schemaOf(route: RouteDeclaration, part: 'params' | 'querystring' | 'body') {
  return (route.schema as Record<string, z.ZodType | undefined> | undefined)?.[part];
}

/** A path parameter: something that exists, a random id, or something hostile. */
function paramArbitrary(name: string, world: World): fc.Arbitrary<string> {
  const hostile = fc.constantFrom(...hostileValues.filter((v) => typeof v === 'string'));
  const existing = name === 'name' ? fc.constant('fuzz-secret') : fc.constantFrom(...world.ids);
  return fc.oneof(existing, fc.uuid(), fc.string({ maxLength: 40 }), hostile);
}

function queryString(query: unknown): string {
  if (!query || typeof query !== 'object') return query === undefined ? '' : `?${String(query)}`;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value])
      search.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function requestArbitrary(route: RouteDeclaration, world: World) {
  const context = { ids: world.ids, now: ctx.clock.now() };
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const params = fc.tuple(...names.map((n) => paramArbitrary(n, world)));
  const fromSchema = (schema: z.ZodType | undefined) => {
    if (!schema) return fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined });
    const plausible = arbitraryFromZod(schema, context);
    return fc.oneof(plausible, plausible.chain(mutated));
  };
  const querySchema = schemaOf(route, 'querystring');
  return fc.record({
    params,
    query: querySchema ? fromSchema(querySchema) : fc.constant(undefined),
    body: route.method === 'GET' ? fc.constant(undefined) : fromSchema(schemaOf(route, 'body')),
    contentType: fc.oneof(
      { weight: 9, arbitrary: fc.constant('application/json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
    ),
  });
}

describe('fuzzing every management route', () => {
  it('never answers 5xx, and a refused request changes nothing stored', async () => {
    const routes = declaredRoutes(ctx.app.http).filter(
      (r) => r.url.startsWith('/api/') && r.method !== 'HEAD' && !isDocsPage(r),
    );
    expect(routes.length).toBeGreaterThan(40);
    const failures: string[] = [];
    let requests = 0;
    const statuses = new Map<number, number>();
    for (const route of routes) {
      const world = await freshWorld();
      const property = fc.asyncProperty(requestArbitrary(route, world), async (request) => {
        // Taken before each request (not carried over), so a shrinking run judges only its own.
        const before = await storedState(ctx.db, KEPT_ON_REFUSAL);
        let url = route.url;
        for (const value of request.params) url = url.replace(/:\w+/, encodeURIComponent(value));
        url += queryString(request.query);
        const response = await ctx.app.http.inject({
          method: route.method as 'GET',
          url,
          headers: {
            cookie: world.cookie,
            ...(request.body !== undefined ? { 'content-type': request.contentType } : {}),
          },
          ...(request.body !== undefined ? { payload: JSON.stringify(request.body) } : {}),
        });
        requests += 1;
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        const what = `${route.method} ${url} ${JSON.stringify(request.body)?.slice(0, 300)}`;
        expect(response.statusCode, `${what} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
        const after = await storedState(ctx.db, KEPT_ON_REFUSAL);
        if (response.statusCode >= 400)
          expect(changedTables(before, after), `${what} → ${response.statusCode}`).toEqual([]);
      });
      try {
        await fc.assert(property, {
          seed: FUZZ_SEED,
          numRuns: FUZZ_RUNS,
          interruptAfterTimeLimit: FUZZ_TIME_PER_PROPERTY_MS,
        });
      } catch (error) {
        failures.push(`${route.method} ${route.url}: ${(error as Error).message.slice(0, 1500)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(routes.length);
    const tally = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
    console.log(
      `fuzzed ${routes.length} management routes, ${requests} requests: ${tally.join(' ')}`,
    );
  }, 600_000);
});
