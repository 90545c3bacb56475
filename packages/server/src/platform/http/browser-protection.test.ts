import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../../testing/test-app';

// A signed-in browser sends its cookie with whatever a page of another origin makes it send: the
// management API takes JSON only and only from its own origin. Answers carry the headers that
// keep the console out of frames and stop sniffing. Machine endpoints are left alone.

let ctx: TestContext;
let admin: string;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
  admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
});

const newAdmin = { username: 'mallory', password: 'twelve-chars!', role: 'SYSTEM_ADMIN' };

function createUser(headers: Record<string, string>, payload: string | object = newAdmin) {
  return ctx.app.http.inject({
    method: 'POST',
    url: '/api/users',
    headers: { cookie: admin, host: 'console.test:8080', ...headers },
    payload,
  });
}

async function users(): Promise<string[]> {
  const rows = await ctx.db.selectFrom('users').select('username').orderBy('username').execute();
  return rows.map((r) => r.username);
}

describe('state-changing management requests', () => {
  it('accept JSON only: a form, multipart or text body is 415 and changes nothing', async () => {
    const form = 'username=mallory&password=twelve-chars!&role=SYSTEM_ADMIN';
    for (const contentType of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await createUser({ 'content-type': contentType }, form);
      expect(response.statusCode, contentType).toBe(415);
      expect(response.json().type).toBe('urn:openvelope:problem:unsupported-media-type');
    }
    expect(await users()).toEqual(['root']);
  });

  it('refuse another site or origin with 403 and change nothing', async () => {
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'http://console.test:9999' },
      { origin: 'http://evil.test' },
      { origin: 'http://console.test:9999' },
      { origin: 'null' },
    ];
    for (const headers of refused) {
      const response = await createUser(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json().type).toBe('urn:openvelope:problem:cross-origin');
    }
    expect(await users()).toEqual(['root']);
  });

  it('are served from the console’s own origin, and from tools that send neither header', async () => {
    const fromConsole = await createUser({
      'sec-fetch-site': 'same-origin',
      origin: 'http://console.test:8080',
    });
    expect(fromConsole.statusCode, fromConsole.body).toBe(201);
    const fromScript = await createUser({}, { ...newAdmin, username: 'script' });
    expect(fromScript.statusCode, fromScript.body).toBe(201);
    // A POST without a body (an action) needs no content type.
    const logout = await ctx.app.http.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: admin, 'sec-fetch-site': 'same-origin' },
    });
    expect(logout.statusCode).toBe(204);
  });

  it('leave reading alone and the protocol endpoints to their own rules', async () => {
    const read = await ctx.app.http.inject({
      method: 'GET',
      url: '/api/users',
      headers: { cookie: admin, 'sec-fetch-site': 'cross-site', origin: 'http://evil.test' },
    });
    expect(read.statusCode).toBe(200);
    // An OSCP peer is judged by its token: 401 for none, never 403/415 for where it comes from.
    const oscp = await ctx.app.http.inject({
      method: 'POST',
      url: '/oscp/fp/2.0/heartbeat',
      headers: { origin: 'http://evil.test', 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(oscp.statusCode).toBe(401);
  });
});

describe('security headers', () => {
  it('are on the console’s pages and the API: CSP without inline scripts, no framing, no sniffing, no referrer', async () => {
    for (const url of ['/api/auth/me', '/', '/healthz']) {
      const response = await ctx.app.http.inject({
        method: 'GET',
        url,
        headers: { cookie: admin },
      });
      const csp = String(response.headers['content-security-policy']);
      expect(csp, url).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      // Served over http here: HSTS only when PUBLIC_URL is https.
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('are not put on the machine endpoints', async () => {
    const response = await ctx.app.http.inject({ method: 'POST', url: '/oscp/fp/2.0/heartbeat' });
    expect(response.headers['content-security-policy']).toBeUndefined();
  });
});
