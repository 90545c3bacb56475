import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, TEST_PASSWORD, type TestContext } from '../../testing/test-app';

// The settings a deployment behind a proxy sets: PUBLIC_URL (https), TRUST_PROXY and
// METRICS_TOKEN. The default app (every other test file) sets none of them.

const METRICS_TOKEN = 'scrape-me-please-0123456789';
let ctx: TestContext;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z', {
    publicUrl: 'https://openvelope.example',
    trustProxy: ['127.0.0.1'],
    metricsToken: METRICS_TOKEN,
  });
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

function login(forwardedFor: string, password: string, remoteAddress = '127.0.0.1') {
  return ctx.app.http.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress,
    headers: { 'x-forwarded-for': forwardedFor },
    payload: { username: 'pat', password },
  });
}

describe('TRUST_PROXY', () => {
  it('believes X-Forwarded-For from the named proxy only', async () => {
    await ctx.signIn('VIEWER', 'pat');
    for (let n = 1; n <= 5; n += 1)
      expect((await login('198.51.100.1', 'wrong')).statusCode).toBe(401);
    expect((await login('198.51.100.1', TEST_PASSWORD)).statusCode).toBe(429);
    // Another client behind the same proxy is another address.
    expect((await login('198.51.100.2', TEST_PASSWORD)).statusCode).toBe(200);
    // Anyone else's X-Forwarded-For is not believed: their socket address counts.
    for (let n = 1; n <= 5; n += 1)
      expect((await login(`192.0.2.${n}`, 'wrong', '203.0.113.9')).statusCode).toBe(401);
    expect((await login('192.0.2.99', TEST_PASSWORD, '203.0.113.9')).statusCode).toBe(429);
  });
});

describe('METRICS_TOKEN', () => {
  it('is required on /metrics as a Bearer token', async () => {
    const scrape = (authorization?: string) =>
      ctx.app.http.inject({
        method: 'GET',
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
    expect((await scrape()).statusCode).toBe(401);
    expect((await scrape('Bearer not-the-token')).statusCode).toBe(401);
    const scraped = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('http_server_request_duration_seconds');
  });
});

describe('an https PUBLIC_URL', () => {
  it('turns on HSTS and lets its origin change things', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const response = await ctx.app.http.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: admin, origin: 'https://openvelope.example' },
      payload: { username: 'ops', password: 'twelve-chars!', role: 'VIEWER' },
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(String(response.headers['content-security-policy'])).toContain(
      'upgrade-insecure-requests',
    );
  });
});
