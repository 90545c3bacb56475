import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { declaredRoutes, type RouteDeclaration } from './server';

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

  it('every route declares a success response schema', () => {
    const missing = routes.filter((r) => !hasSuccessResponse(r)).map(label);
    expect(missing).toEqual([]);
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
