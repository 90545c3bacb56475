import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { declaredRoutes, type RouteDeclaration } from './server';

/**
 * Routes whose response schema is still to come: the OSCP and notification routes, which gain
 * theirs with the OSCP context's contract. Remove a line when its route declares one; the test
 * fails while this list and the routes without a response schema differ in either direction.
 */
const AWAITING_RESPONSE_SCHEMA = [
  // oscp/http/connection-routes.ts
  'GET /api/secrets',
  'PUT /api/secrets/:name',
  'DELETE /api/secrets/:name',
  // oscp/http/lifecycle-routes.ts
  'GET /api/oscp-info',
  'POST /api/oscp-connections/:id/retry-registration',
  'POST /api/oscp-connections/:id/retry-handshake',
  'GET /api/oscp-connections/:id/control',
  'POST /api/oscp-connections/:id/disconnect',
  'POST /api/oscp-connections/:id/initial-token',
  'POST /api/oscp-connections/:id/oauth-client',
  'GET /api/oscp-connections/:id/timeline',
  // oscp/http/protocol-routes.ts (the OSCP wire: 204, or 400 with a message)
  'POST /oscp/fp/2.0/register',
  'POST /oscp/fp/2.0/handshake',
  'POST /oscp/fp/2.0/handshake_acknowledge',
  'POST /oscp/fp/2.0/heartbeat',
  'POST /oscp/fp/2.0/update_group_capacity_forecast',
  'POST /oauth2/token',
  // notifications/http/routes.ts
  'GET /api/notifications',
  'POST /api/notifications/:id/acknowledge',
  'GET /api/incidents',
];

/** The Swagger UI's own pages and assets describe the API; they are not part of it. */
const isDocsPage = (route: RouteDeclaration) =>
  route.url === '/api/docs' || route.url.startsWith('/api/docs/');

const label = (route: RouteDeclaration) => `${route.method} ${route.url}`;

const hasSuccessResponse = (route: RouteDeclaration) =>
  Object.keys((route.schema?.response ?? {}) as Record<string, unknown>).some((status) =>
    /^2\d\d$/.test(status),
  );

describe('route contract', () => {
  let ctx: TestContext;
  let routes: RouteDeclaration[];
  beforeAll(async () => {
    ctx = await startTestApp();
    // HEAD routes are Fastify's automatic copies of GET routes.
    routes = declaredRoutes(ctx.app.http).filter((r) => r.method !== 'HEAD' && !isDocsPage(r));
  });
  afterAll(() => ctx.close());

  it('every route declares a success response schema, except exactly the listed ones', () => {
    const missing = routes.filter((r) => !hasSuccessResponse(r)).map(label);
    expect(missing.sort()).toEqual([...AWAITING_RESPONSE_SCHEMA].sort());
  });

  it('every route with path parameters declares their schema', () => {
    const missing = routes.filter((r) => r.url.includes(':') && !r.schema?.params).map(label);
    expect(missing).toEqual([]);
  });

  it('every route that replaces or changes a resource declares its body schema', () => {
    const missing = routes
      .filter((r) => (r.method === 'PUT' || r.method === 'PATCH') && !r.schema?.body)
      .map(label);
    expect(missing).toEqual([]);
  });
});
