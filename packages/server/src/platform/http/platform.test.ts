import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { seedDemo } from '../../testing/demo';
import { CapturedLog } from '../../testing/test-app';
import { ManualClock } from '../clock';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/schema';
import { createLogger } from '../logging';
import { registerHealthRoutes } from './health';
import { createMetrics } from './metrics';
import { ProblemError } from './problem';
import { createHttpServer, type HttpApp } from './server';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  const body = response.json() as Record<string, unknown>;
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^urn:openvelope:problem:/);
  expect(typeof body.title).toBe('string');
  return body;
}

describe('operations endpoints', () => {
  it('answers /healthz without credentials', async () => {
    const response = await ctx.request({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the database checked', async () => {
    const response = await ctx.request({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', database: 'ok' });
  });

  it('exposes request durations and rebalances on /metrics', async () => {
    const ids = await seedDemo(ctx);
    const operator = await ctx.signIn('OPERATOR');
    const rebalance = await ctx.request({
      method: 'POST',
      url: `/api/circuits/${ids.circuitId}/rebalance`,
      cookie: operator,
    });
    expect(rebalance.statusCode).toBe(200);

    const response = await ctx.request({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toMatch(
      /http_server_request_duration_seconds_count\{http_request_method="POST",http_route="\/api\/circuits\/:id\/rebalance",http_response_status_code="200"\} 1\b/,
    );
    expect(text).toContain('# TYPE openvelope_rebalances_total counter');
    expect(text).toMatch(/openvelope_rebalances_total\{trigger="on-demand"\} [1-9]/);
  });
});

describe('API documentation', () => {
  it('serves a valid-looking OpenAPI 3 document listing the management API', async () => {
    const response = await ctx.request({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Openvelope API');
    expect(typeof doc.info.version).toBe('string');
    expect(doc.paths['/api/microgrids']).toHaveProperty('get');
    expect(doc.paths['/api/microgrids']).toHaveProperty('post');
    const envelopes = doc.paths['/api/scopes/{id}/envelopes'];
    expect(envelopes).toHaveProperty('get');
    expect(envelopes).toHaveProperty('post');
    expect(envelopes.post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true })]),
    );
    expect(envelopes.post.requestBody.content['application/json'].schema).toBeTruthy();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiToken', 'session']);
    // Operations endpoints are hidden, and no path keeps Fastify's :param syntax.
    expect(doc.paths).not.toHaveProperty('/healthz');
    expect(Object.keys(doc.paths).filter((p) => p.includes(':'))).toEqual([]);
  });

  it('serves the docs page', async () => {
    let response = await ctx.request({ method: 'GET', url: '/api/docs' });
    if (response.statusCode >= 300 && response.statusCode < 400) {
      const location = String(response.headers.location);
      expect(location).toMatch(/\/api\/docs\/?/);
      response = await ctx.request({
        method: 'GET',
        url: new URL(location, 'http://x/api/docs').pathname,
      });
    }
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body.toLowerCase()).toContain('swagger');
  });
});

describe('errors are problem details', () => {
  it('answers an unknown route with 404 problem+json', async () => {
    const body = expectProblem(
      await ctx.request({ method: 'GET', url: '/api/no-such-thing?x=1' }),
      404,
    );
    expect(body.detail).toBe('No route GET /api/no-such-thing.');
    expect(body.instance).toBe('/api/no-such-thing');
    expectProblem(await ctx.request({ method: 'DELETE', url: '/nowhere' }), 404);
  });

  it('answers a malformed JSON body with 400 problem+json, not 500', async () => {
    const manager = await ctx.signIn('MANAGER');
    const response = await ctx.request({
      method: 'POST',
      url: '/api/microgrids',
      cookie: manager,
      headers: { 'content-type': 'application/json' },
      body: '{"name": "Depot", "timezone": ',
    });
    const body = expectProblem(response, 400);
    expect(body.type).not.toBe('urn:openvelope:problem:internal');
    expect(ctx.log.text).not.toContain('unhandled error');
  });

  it('answers an unsupported content type with 415 problem+json', async () => {
    const manager = await ctx.signIn('MANAGER');
    const response = await ctx.request({
      method: 'POST',
      url: '/api/microgrids',
      cookie: manager,
      headers: { 'content-type': 'text/csv' },
      body: 'name,timezone\nDepot,UTC',
    });
    expectProblem(response, 415);
  });

  it('names the invalid field of a body that does not match the schema', async () => {
    const manager = await ctx.signIn('MANAGER');
    const response = await ctx.request({
      method: 'POST',
      url: '/api/microgrids',
      cookie: manager,
      body: { name: 'Depot', timezone: 'Mars/Olympus_Mons' },
    });
    const body = expectProblem(response, 400);
    expect(body.type).toBe('urn:openvelope:problem:validation');
    expect(body.errors).toEqual([
      { field: 'timezone', message: 'must be an IANA time zone such as Pacific/Auckland' },
    ]);
  });
});

describe('the HTTP server on its own', () => {
  async function server(): Promise<{ app: HttpApp; log: CapturedLog }> {
    const log = new CapturedLog();
    const app = await createHttpServer({
      log: createLogger('debug', log),
      metrics: createMetrics(),
      clock: new ManualClock('2026-03-02T09:00:00Z'),
    });
    return { app, log };
  }

  it('refuses to build an /api route that does not say who may call it', async () => {
    const { app } = await server();
    try {
      expect(() => app.get('/api/forgotten', async () => ({ ok: true }))).toThrow(
        'Route GET /api/forgotten does not declare who may call it',
      );
      expect(() =>
        app.post('/api/also-forgotten', { schema: { body: z.object({}) } }, async () => ({})),
      ).toThrow(/does not declare who may call it/);
      // Only the docs themselves are exempt, not everything that starts with the same letters.
      expect(() => app.get('/api/docsearch', async () => ({}))).toThrow(
        /does not declare who may call it/,
      );
      expect(() =>
        app.get('/api/declared', { config: { allow: 'public' } }, async () => ({})),
      ).not.toThrow();
      expect(() => app.get('/outside-api', async () => ({}))).not.toThrow();
    } finally {
      await app.close();
    }
  });

  it('refuses an undeclared route registered in a plugin with a prefix', async () => {
    const { app } = await server();
    try {
      await expect(
        app.register(
          async (scope) => {
            scope.get('/forgotten', async () => ({}));
          },
          { prefix: '/api/plugin' },
        ),
      ).rejects.toThrow('Route GET /api/plugin/forgotten does not declare who may call it');
    } finally {
      await app.close();
    }
  });

  it('turns an unexpected error into a 500 problem that quotes the request id and leaks nothing', async () => {
    const { app, log } = await server();
    try {
      app.get('/api/explode', { config: { allow: 'public' } }, async () => {
        throw new Error('secret database detail');
      });
      app.get('/api/teapot', { config: { allow: 'public' } }, async () => {
        throw new ProblemError(418, 'teapot', 'I am a teapot', 'Short and stout.', { spout: true });
      });
      await app.ready();
      const response = await app.inject({
        method: 'GET',
        url: '/api/explode',
        headers: { 'x-request-id': 'req-123' },
      });
      const body = expectProblem(response, 500);
      expect(body.type).toBe('urn:openvelope:problem:internal');
      expect(body.detail).toContain('req-123');
      expect(response.body).not.toContain('secret database detail');
      expect(log.text).toContain('secret database detail');

      const teapot = expectProblem(await app.inject({ method: 'GET', url: '/api/teapot' }), 418);
      expect(teapot).toEqual({
        type: 'urn:openvelope:problem:teapot',
        title: 'I am a teapot',
        status: 418,
        detail: 'Short and stout.',
        instance: '/api/teapot',
        spout: true,
      });
    } finally {
      await app.close();
    }
  });

  it('says the database is unreachable without naming its address, and logs why once per change', async () => {
    const { app, log } = await server();
    const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    pool.on('error', () => {});
    const unreachable = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      registerHealthRoutes(app, unreachable, createMetrics(), { log: createLogger('debug', log) });
      await app.ready();
      for (let probe = 0; probe < 3; probe += 1) {
        const response = await app.inject({ method: 'GET', url: '/readyz' });
        expect(response.statusCode).toBe(503);
        expect(response.json()).toEqual({ status: 'not ready', database: 'unreachable' });
        expect(response.body).not.toContain('127.0.0.1');
      }
      const warnings = log.lines.filter((l) => l.includes('database unreachable'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('127.0.0.1:1');
    } finally {
      await app.close();
      await unreachable.destroy();
    }
  });
});
