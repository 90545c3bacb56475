import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../testing/demo';
import { startTestApp, TEST_PASSWORD, type TestContext } from '../../testing/test-app';
import { untilSomeoneWaitsOnALock } from '../../testing/test-database';
import { ROLES, type Role } from './roles';
import { hashPassword, newOpaqueToken } from './secrets';
import { countActiveAdmins, insertSession, insertUser, updateUser } from './store';

let ctx: TestContext;
let passwordHash: string;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
  passwordHash = await hashPassword(TEST_PASSWORD);
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

type Response = Awaited<ReturnType<TestContext['request']>>;

function login(username: string, password = TEST_PASSWORD) {
  return ctx.request({ method: 'POST', url: '/api/auth/login', body: { username, password } });
}

function cookieFrom(response: Response): string {
  const cookie = response.cookies.find((c) => c.name === 'ov_session');
  expect(cookie, 'a session cookie').toBeDefined();
  return `ov_session=${cookie!.value}`;
}

function expectProblem(response: Response, status: number) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toContain('application/problem+json');
  const body = response.json();
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^urn:openvelope:problem:/);
  return body as Record<string, unknown>;
}

function me(auth: { cookie?: string; token?: string }) {
  return ctx.request({ method: 'GET', url: '/api/auth/me', ...auth });
}

/**
 * A user with a session, straight through the store: for tests about what a role may do, not about
 * signing in (which verifies an argon2 hash and is slow on purpose).
 */
async function sessionFor(role: Role, username: string): Promise<string> {
  const user = await insertUser(ctx.db, { username, passwordHash, role }, ctx.clock.now());
  const token = newOpaqueToken();
  await insertSession(
    ctx.db,
    { token, userId: user.id, expiresAt: new Date(ctx.clock.now().getTime() + 3600_000) },
    ctx.clock.now(),
  );
  return `ov_session=${token}`;
}

/** A user by name; signIn creates it with TEST_PASSWORD. */
async function userId(username: string): Promise<string> {
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('signing in and out', () => {
  it('sets an httpOnly, SameSite=Strict session cookie that expires with the session', async () => {
    await ctx.signIn('OPERATOR', 'olivia');
    const response = await login('olivia');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      user: { id: await userId('olivia'), username: 'olivia', role: 'OPERATOR' },
    });

    const cookie = response.cookies.find((c) => c.name === 'ov_session')!;
    expect(cookie.value.length).toBeGreaterThanOrEqual(40);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(cookie.path).toBe('/');
    expect(cookie.expires?.toISOString()).toBe('2026-03-02T21:00:00.000Z');
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/;\s*HttpOnly/i);
    expect(header).toMatch(/;\s*SameSite=Strict/i);
    // Only a hash of the session id is stored.
    const stored = await ctx.db.selectFrom('auth_sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie.value);
  });

  it('answers a wrong password and an unknown user with the same 401 problem, and sets no cookie', async () => {
    await ctx.signIn('VIEWER', 'victor');
    const wrong = await login('victor', 'not-the-password');
    const body = expectProblem(wrong, 401);
    expect(body.type).toBe('urn:openvelope:problem:invalid-credentials');
    expect(wrong.cookies).toEqual([]);

    const unknown = await login('nobody', 'not-the-password');
    expect(expectProblem(unknown, 401)).toEqual({ ...body, instance: '/api/auth/login' });
    expect(ctx.log.text).not.toContain('not-the-password');
  });

  it('answers /api/auth/me for the signed-in user and 401 without credentials', async () => {
    const cookie = await ctx.signIn('MANAGER', 'maria');
    const response = await me({ cookie });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      user: { id: await userId('maria'), username: 'maria', role: 'MANAGER' },
    });

    expect(expectProblem(await me({}), 401).type).toBe('urn:openvelope:problem:unauthenticated');
    expectProblem(await me({ cookie: 'ov_session=made-up' }), 401);
  });

  it('invalidates the session on logout', async () => {
    const cookie = await ctx.signIn('VIEWER', 'val');
    const other = cookieFrom(await login('val'));
    const response = await ctx.request({ method: 'POST', url: '/api/auth/logout', cookie });
    expect(response.statusCode).toBe(204);
    const cleared = response.cookies.find((c) => c.name === 'ov_session');
    expect(cleared?.value).toBe('');
    expectProblem(await me({ cookie }), 401);
    // Only that session: the user's other session keeps working.
    expect((await me({ cookie: other })).statusCode).toBe(200);
  });

  it('ends a session after its lifetime (12 hours by default)', async () => {
    const cookie = await ctx.signIn('VIEWER', 'vera');
    ctx.clock.advance(12 * 3600_000 - 1000);
    expect((await me({ cookie })).statusCode).toBe(200);
    ctx.clock.advance(1000);
    expectProblem(await me({ cookie }), 401);
  });
});

describe('failed sign-in throttling', () => {
  it('refuses the sixth attempt in a minute with 429 and Retry-After, even with the right password, until the minute has passed', async () => {
    await ctx.signIn('OPERATOR', 'theo');
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      expectProblem(await login('theo', `guess-${attempt}`), 401);
      ctx.clock.advance(1000);
    }
    // The window opened at the first failure, 5 s ago.
    const sixth = await login('theo', 'guess-6');
    expect(expectProblem(sixth, 429).type).toBe('urn:openvelope:problem:rate-limited');
    expect(sixth.headers['retry-after']).toBe('55');

    const right = await login('theo');
    expectProblem(right, 429);
    expect(right.cookies).toEqual([]);

    ctx.clock.advance(30_000);
    const stillRefused = await login('theo');
    expectProblem(stillRefused, 429);
    expect(stillRefused.headers['retry-after']).toBe('25');

    ctx.clock.advance(26_000); // 61 s after the first failure
    const after = await login('theo');
    expect(after.statusCode).toBe(200);
    cookieFrom(after);
  });

  it('throttles one user without locking out another from the same address', async () => {
    await ctx.signIn('OPERATOR', 'tara');
    await ctx.signIn('OPERATOR', 'tom');
    for (let attempt = 1; attempt <= 5; attempt += 1) await login('tara', 'wrong-password');
    expectProblem(await login('tara'), 429);
    expect((await login('tom')).statusCode).toBe(200);
  });

  it('counts failures against the socket address: X-Forwarded-For neither escapes nor locks out', async () => {
    await ctx.signIn('OPERATOR', 'tess');
    const from = (forwardedFor: string, password: string, remoteAddress = '203.0.113.7') =>
      ctx.app.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress,
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { username: 'tess', password },
      });
    // Thirty guesses, each claiming another address: throttled after five, as from one place.
    const statuses: number[] = [];
    for (let n = 1; n <= 30; n += 1)
      statuses.push((await from(`198.51.100.${n}`, `guess-${n}`)).statusCode);
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill(401));
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    // Claiming someone else's address locked nobody else out.
    expect((await from('203.0.113.7', TEST_PASSWORD, '192.0.2.50')).statusCode).toBe(200);
  });

  it('forgets earlier failures after a successful sign-in', async () => {
    await ctx.signIn('OPERATOR', 'tina');
    for (let attempt = 1; attempt <= 4; attempt += 1) await login('tina', 'wrong-password');
    expect((await login('tina')).statusCode).toBe(200);
    for (let attempt = 1; attempt <= 4; attempt += 1) await login('tina', 'wrong-password');
    expect((await login('tina')).statusCode).toBe(200);
  });
});

describe('personal API tokens', () => {
  it('shows a token once, never lists it, accepts it as Bearer, and refuses it once revoked', async () => {
    const cookie = await ctx.signIn('OPERATOR', 'otto');
    const created = await ctx.request({
      method: 'POST',
      url: '/api/auth/tokens',
      cookie,
      body: { name: 'CI script' },
    });
    expect(created.statusCode).toBe(201);
    const { id, token, name } = created.json();
    expect(name).toBe('CI script');
    expect(token).toMatch(/^ovt_[A-Za-z0-9_-]{40,}$/);

    const list = await ctx.request({ method: 'GET', url: '/api/auth/tokens', cookie });
    expect(list.statusCode).toBe(200);
    expect(list.json().tokens).toEqual([
      expect.objectContaining({ id, name: 'CI script', revokedAt: null }),
    ]);
    expect(list.body).not.toContain(token);
    expect(list.json().tokens[0]).not.toHaveProperty('token');
    const stored = await ctx.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const asBearer = await me({ token });
    expect(asBearer.statusCode).toBe(200);
    expect(asBearer.json().user).toMatchObject({ username: 'otto', role: 'OPERATOR' });
    expect((await ctx.request({ method: 'GET', url: '/api/microgrids', token })).statusCode).toBe(
      200,
    );

    const revoked = await ctx.request({ method: 'DELETE', url: `/api/auth/tokens/${id}`, cookie });
    expect(revoked.statusCode).toBe(204);
    expectProblem(await me({ token }), 401);
    expectProblem(await ctx.request({ method: 'GET', url: '/api/microgrids', token }), 401);
    const after = await ctx.request({ method: 'GET', url: '/api/auth/tokens', cookie });
    expect(after.json().tokens[0].revokedAt).toBe('2026-03-02T09:00:00.000Z');
    // Revoking again, or someone else's token, is "not found".
    expectProblem(
      await ctx.request({ method: 'DELETE', url: `/api/auth/tokens/${id}`, cookie }),
      404,
    );
  });

  it('shows when a token was last used, to the minute', async () => {
    const cookie = await ctx.signIn('OPERATOR', 'otto');
    const { token } = (
      await ctx.request({ method: 'POST', url: '/api/auth/tokens', cookie, body: { name: 'job' } })
    ).json();
    const lastUsed = async () =>
      (await ctx.request({ method: 'GET', url: '/api/auth/tokens', cookie })).json().tokens[0]
        .lastUsedAt;
    expect(await lastUsed()).toBeNull();

    expect((await me({ token })).statusCode).toBe(200);
    expect(await lastUsed()).toBe('2026-03-02T09:00:00.000Z');
    ctx.clock.advance(30_000);
    expect((await me({ token })).statusCode).toBe(200);
    expect(await lastUsed()).toBe('2026-03-02T09:00:00.000Z');
    ctx.clock.advance(60_000);
    expect((await me({ token })).statusCode).toBe(200);
    expect(await lastUsed()).toBe('2026-03-02T09:01:30.000Z');
  });

  it('does not let one user revoke another user’s token', async () => {
    const owner = await ctx.signIn('OPERATOR', 'owner');
    const other = await ctx.signIn('SYSTEM_ADMIN', 'other');
    const { id, token } = (
      await ctx.request({
        method: 'POST',
        url: '/api/auth/tokens',
        cookie: owner,
        body: { name: 'mine' },
      })
    ).json();
    expectProblem(
      await ctx.request({ method: 'DELETE', url: `/api/auth/tokens/${id}`, cookie: other }),
      404,
    );
    expect((await me({ token })).statusCode).toBe(200);
  });

  it('refuses a made-up Bearer token even next to a valid cookie', async () => {
    const cookie = await ctx.signIn('OPERATOR');
    expectProblem(await me({ token: 'ovt_made-up' }), 401);
    expectProblem(await me({ cookie, token: 'ovt_made-up' }), 401);
  });

  it('requires a token name', async () => {
    const cookie = await ctx.signIn('OPERATOR');
    const response = await ctx.request({
      method: 'POST',
      url: '/api/auth/tokens',
      cookie,
      body: { name: '  ' },
    });
    expect(expectProblem(response, 400).errors).toEqual([
      { field: 'name', message: 'is required' },
    ]);
  });
});

describe('every management route declares who may call it', () => {
  const ANY = ROLES;
  const OPERATORS: readonly Role[] = ['OPERATOR', 'MANAGER', 'SYSTEM_ADMIN'];
  const MANAGERS: readonly Role[] = ['MANAGER', 'SYSTEM_ADMIN'];
  const ADMINS: readonly Role[] = ['SYSTEM_ADMIN'];
  type Ids = Awaited<ReturnType<typeof seedDemo>> & { chargerId: string };

  interface Row {
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
    url: (ids: Ids) => string;
    allow: readonly Role[];
    body?: (ids: Ids, role: Role) => unknown;
  }
  const hour = (h: number) =>
    new Date(Date.parse('2026-03-02T09:00:00Z') + h * 3600_000).toISOString();
  const rows: Row[] = [
    { method: 'GET', url: () => '/api/microgrids', allow: ANY },
    {
      method: 'POST',
      url: () => '/api/microgrids',
      allow: MANAGERS,
      body: (_ids, role) => ({ name: `Depot of ${role}`, timezone: 'UTC' }),
    },
    {
      method: 'PATCH',
      url: (ids) => `/api/microgrids/${ids.microgridId}`,
      allow: MANAGERS,
      body: () => ({ timezone: 'UTC' }),
    },
    { method: 'DELETE', url: (ids) => `/api/microgrids/${ids.microgridId}`, allow: MANAGERS },
    { method: 'GET', url: (ids) => `/api/circuits/${ids.circuitId}`, allow: ANY },
    {
      method: 'PATCH',
      url: (ids) => `/api/circuits/${ids.circuitId}`,
      allow: MANAGERS,
      body: () => ({ staticCapacityA: 150 }),
    },
    { method: 'POST', url: (ids) => `/api/circuits/${ids.circuitId}/rebalance`, allow: OPERATORS },
    {
      method: 'POST',
      url: (ids) => `/api/circuits/${ids.circuitId}/chargers`,
      allow: MANAGERS,
      body: (_ids, role) => ({ name: `Bay of ${role}`, phases: ['L1'], maxCurrentA: 16 }),
    },
    {
      method: 'PATCH',
      url: (ids) => `/api/chargers/${ids.chargerId}`,
      allow: MANAGERS,
      body: () => ({ priority: 1 }),
    },
    {
      method: 'POST',
      url: (ids) => `/api/chargers/${ids.chargerId}/sessions`,
      allow: OPERATORS,
      body: () => ({}),
    },
    {
      method: 'POST',
      url: () => '/api/meter-values',
      allow: OPERATORS,
      body: (ids) => ({
        readings: [
          { chargerId: ids.chargerId, measuredAt: hour(0), energyWh: 0, powerW: 0, currentA: 0 },
        ],
      }),
    },
    { method: 'GET', url: (ids) => `/api/scopes/${ids.scopeId}/envelopes`, allow: ANY },
    {
      method: 'POST',
      url: (ids) => `/api/scopes/${ids.scopeId}/envelopes`,
      allow: MANAGERS,
      body: () => ({
        source: 'Table test',
        blocks: [{ start: hour(0), end: hour(1), importLimit: { value: 100, unit: 'A' } }],
      }),
    },
    { method: 'GET', url: () => '/api/users', allow: ADMINS },
    {
      method: 'POST',
      url: () => '/api/users',
      allow: ADMINS,
      body: (_ids, role) => ({
        username: `new-${role.toLowerCase()}`,
        password: 'long-enough-password',
        role: 'VIEWER',
      }),
    },
    { method: 'GET', url: () => '/api/auth/me', allow: ANY },
    { method: 'GET', url: () => '/api/auth/tokens', allow: ANY },
  ];

  async function setUp(): Promise<{ ids: Ids; cookies: Record<Role, string> }> {
    const seeded = await seedDemo(ctx);
    const manager = await sessionFor('MANAGER', 'setup-manager');
    const detail = (
      await ctx.request({
        method: 'GET',
        url: `/api/circuits/${seeded.circuitId}`,
        cookie: manager,
      })
    ).json();
    const idle = detail.chargers.find((c: { session: unknown }) => c.session === null);
    const cookies = {} as Record<Role, string>;
    for (const role of ROLES) cookies[role] = await sessionFor(role, `as-${role.toLowerCase()}`);
    return { ids: { ...seeded, chargerId: idle.id }, cookies };
  }

  it.each(
    rows.map(
      (row) =>
        [
          `${row.method} ${row.url({ microgridId: ':id', circuitId: ':id', scopeId: ':id', chargerId: ':id' })}`,
          row,
        ] as const,
    ),
  )(
    '%s: 401 without credentials, 403 naming the roles for a wrong role, served for a right one',
    async (_name, row) => {
      const { ids, cookies } = await setUp();
      const url = row.url(ids);

      const anonymous = await ctx.request({
        method: row.method,
        url,
        body: row.body?.(ids, 'VIEWER'),
      });
      expect(expectProblem(anonymous, 401).type).toBe('urn:openvelope:problem:unauthenticated');

      for (const role of ROLES.filter((r) => !row.allow.includes(r))) {
        const response = await ctx.request({
          method: row.method,
          url,
          cookie: cookies[role],
          body: row.body?.(ids, role),
        });
        const body = expectProblem(response, 403);
        expect(body.type).toBe('urn:openvelope:problem:forbidden');
        expect(body.detail).toBe(
          `This action needs one of the roles ${row.allow.join(', ')}; you are ${role}.`,
        );
      }

      // The allowed roles last, so a change one of them makes cannot hide a refusal above.
      for (const role of ROLES.filter((r) => row.allow.includes(r))) {
        const response = await ctx.request({
          method: row.method,
          url: row.url(ids),
          cookie: cookies[role],
          body: row.body?.(ids, role),
        });
        expect([401, 403], `${role}: ${response.statusCode} ${response.body}`).not.toContain(
          response.statusCode,
        );
        expect(response.statusCode, `${role}: ${response.body}`).toBeLessThan(500);
        if (row.method === 'DELETE' || url.endsWith('/sessions')) break; // the second call would find nothing left to do
      }
    },
  );

  it('refuses an anonymous caller before looking at the request body', async () => {
    const ids = await seedDemo(ctx);
    const viewer = await ctx.signIn('VIEWER');
    for (const url of ['/api/microgrids', `/api/scopes/${ids.scopeId}/envelopes`, '/api/users']) {
      expectProblem(await ctx.request({ method: 'POST', url, body: { nonsense: true } }), 401);
      expectProblem(
        await ctx.request({ method: 'POST', url, cookie: viewer, body: { nonsense: true } }),
        403,
      );
    }
    expectProblem(
      await ctx.request({ method: 'POST', url: '/api/scopes/not-a-uuid/envelopes' }),
      401,
    );
  });

  it('answers every documented non-public /api operation with 401 for an anonymous caller', async () => {
    const doc = (await ctx.request({ method: 'GET', url: '/api/openapi.json' })).json();
    const publicOperations = new Set(['POST /api/auth/login', 'POST /api/auth/logout']);
    const checked: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        // The management API only: the OSCP endpoints and the peers' token endpoint authenticate
        // peers their own way and are tested with them.
        if (
          !path.startsWith('/api/') ||
          !['get', 'post', 'put', 'patch', 'delete'].includes(method) ||
          publicOperations.has(name)
        )
          continue;
        const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000001');
        const response = await ctx.request({ method: method.toUpperCase() as Row['method'], url });
        expect(response.statusCode, `${name}: ${response.body}`).toBe(401);
        checked.push(name);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        'GET /api/microgrids',
        'POST /api/scopes/{id}/envelopes',
        'GET /api/users',
      ]),
    );
  });
});

describe('user administration', () => {
  async function createUser(
    admin: string,
    username: string,
    role: Role = 'VIEWER',
    password = 'first-password-1',
  ) {
    return ctx.request({
      method: 'POST',
      url: '/api/users',
      cookie: admin,
      body: { username, password, role },
    });
  }

  it('lets a system admin create a user who can then sign in, storing only an argon2 hash', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const response = await createUser(admin, 'new.user', 'OPERATOR');
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      id: expect.any(String),
      username: 'new.user',
      role: 'OPERATOR',
      disabled: false,
      createdAt: '2026-03-02T09:00:00.000Z',
    });
    expect(response.body).not.toContain('first-password-1');

    const row = await ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('username', '=', 'new.user')
      .executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('$argon2')).toBe(true);
    expect(row.password_hash).not.toContain('first-password-1');
    expect((await login('new.user', 'first-password-1')).statusCode).toBe(200);

    const list = await ctx.request({ method: 'GET', url: '/api/users', cookie: admin });
    expect(list.json().users.map((u: { username: string }) => u.username)).toEqual([
      'new.user',
      'root',
    ]);
    expect(list.body).not.toContain('$argon2');
    expect(ctx.log.text).not.toContain('first-password-1');
  });

  it('stores every password as an argon2 hash, the test users’ too', async () => {
    await ctx.signIn('VIEWER', 'hashed');
    const rows = await ctx.db.selectFrom('users').select('password_hash').execute();
    for (const row of rows) {
      expect(row.password_hash).toMatch(/^\$argon2(id|i|d)\$/);
      expect(row.password_hash).not.toContain(TEST_PASSWORD);
    }
  });

  it('refuses a duplicate username with 409 and an invalid one with 400 naming the field', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    await createUser(admin, 'dup');
    const duplicate = await createUser(admin, 'dup', 'MANAGER');
    expect(expectProblem(duplicate, 409)).toMatchObject({
      field: 'username',
      detail: 'A user named dup already exists.',
    });
    const invalid = await createUser(admin, 'has space');
    expect(expectProblem(invalid, 400).errors).toEqual([
      { field: 'username', message: 'may contain letters, digits, dot, dash and underscore only' },
    ]);
    const short = await createUser(admin, 'shorty', 'VIEWER', 'short');
    expect(expectProblem(short, 400).errors).toEqual([
      { field: 'password', message: 'must be at least 8 characters' },
    ]);
  });

  it('changes a role, and the user’s existing session follows at once', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const cookie = await ctx.signIn('VIEWER', 'promoted');
    const response = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${await userId('promoted')}`,
      cookie: admin,
      body: { role: 'MANAGER' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      username: 'promoted',
      role: 'MANAGER',
      disabled: false,
    });
    expect((await me({ cookie })).json().user.role).toBe('MANAGER');
  });

  it('changes a password: the new one works, the old one does not', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    await ctx.signIn('VIEWER', 'forgetful');
    const id = await userId('forgetful');
    const before = await ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const response = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${id}`,
      cookie: admin,
      body: { password: 'brand-new-password' },
    });
    expect(response.statusCode).toBe(200);
    const after = await ctx.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(after.password_hash).not.toBe(before.password_hash);
    expect(after.password_hash.startsWith('$argon2')).toBe(true);
    expect((await login('forgetful', 'brand-new-password')).statusCode).toBe(200);
    expectProblem(await login('forgetful'), 401);
  });

  it('a new password signs out the user’s sessions and revokes their API tokens, and says how many', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const laptop = await ctx.signIn('VIEWER', 'leaky');
    const phone = cookieFrom(await login('leaky'));
    const created = await ctx.request({
      method: 'POST',
      url: '/api/auth/tokens',
      cookie: laptop,
      body: { name: 'script' },
    });
    const token = created.json().token as string;
    const id = await userId('leaky');

    const response = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${id}`,
      cookie: admin,
      body: { password: 'brand-new-password' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().revoked).toEqual({ sessions: 2, apiTokens: 1 });
    expectProblem(await me({ cookie: laptop }), 401);
    expectProblem(await me({ cookie: phone }), 401);
    expectProblem(await me({ token }), 401);
    expect((await me({ cookie: admin })).statusCode).toBe(200);

    // A role change alone revokes nothing.
    const again = cookieFrom(await login('leaky', 'brand-new-password'));
    const promoted = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${id}`,
      cookie: admin,
      body: { role: 'OPERATOR' },
    });
    expect(promoted.json().revoked).toBeUndefined();
    expect((await me({ cookie: again })).statusCode).toBe(200);
  });

  it('a user changing their own password stays signed in where they did it, and only there', async () => {
    const here = await ctx.signIn('SYSTEM_ADMIN', 'self');
    const elsewhere = cookieFrom(await login('self'));
    const response = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${await userId('self')}`,
      cookie: here,
      body: { password: 'my-own-new-password' },
    });
    expect(response.json().revoked).toEqual({ sessions: 1, apiTokens: 0 });
    expect((await me({ cookie: here })).statusCode).toBe(200);
    expectProblem(await me({ cookie: elsewhere }), 401);
  });

  it('accepts an empty change and changes nothing', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    await ctx.signIn('VIEWER', 'steady');
    const response = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${await userId('steady')}`,
      cookie: admin,
      body: {},
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ username: 'steady', role: 'VIEWER', disabled: false });
  });

  it('disables a user: their session, their tokens and signing in stop working; enabling restores sign-in', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const cookie = await ctx.signIn('OPERATOR', 'leaver');
    const { token } = (
      await ctx.request({
        method: 'POST',
        url: '/api/auth/tokens',
        cookie,
        body: { name: 'script' },
      })
    ).json();
    const id = await userId('leaver');

    const disabled = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${id}`,
      cookie: admin,
      body: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabled).toBe(true);
    expectProblem(await me({ cookie }), 401);
    expectProblem(await me({ token }), 401);
    expectProblem(await login('leaver'), 401);

    await ctx.request({
      method: 'PATCH',
      url: `/api/users/${id}`,
      cookie: admin,
      body: { disabled: false },
    });
    expect((await login('leaver')).statusCode).toBe(200);
  });

  it('deletes a user, ending their sessions', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const cookie = await ctx.signIn('VIEWER', 'gone');
    const id = await userId('gone');
    const response = await ctx.request({
      method: 'DELETE',
      url: `/api/users/${id}`,
      cookie: admin,
    });
    expect(response.statusCode).toBe(204);
    expectProblem(await me({ cookie }), 401);
    expectProblem(await login('gone'), 401);
    expectProblem(
      await ctx.request({ method: 'DELETE', url: `/api/users/${id}`, cookie: admin }),
      404,
    );
    expectProblem(
      await ctx.request({
        method: 'PATCH',
        url: `/api/users/${id}`,
        cookie: admin,
        body: { role: 'VIEWER' },
      }),
      404,
    );
  });

  it('refuses user administration to everyone but system admins', async () => {
    await ctx.signIn('VIEWER', 'target');
    const id = await userId('target');
    for (const role of ['VIEWER', 'OPERATOR', 'MANAGER'] as const) {
      const cookie = await ctx.signIn(role);
      expectProblem(await ctx.request({ method: 'GET', url: '/api/users', cookie }), 403);
      expectProblem(await createUser(cookie, `by-${role.toLowerCase()}`), 403);
      expectProblem(
        await ctx.request({
          method: 'PATCH',
          url: `/api/users/${id}`,
          cookie,
          body: { role: 'SYSTEM_ADMIN' },
        }),
        403,
      );
      expectProblem(await ctx.request({ method: 'DELETE', url: `/api/users/${id}`, cookie }), 403);
    }
    const users = await ctx.db
      .selectFrom('users')
      .select(['username', 'role'])
      .where('id', '=', id)
      .execute();
    expect(users).toEqual([{ username: 'target', role: 'VIEWER' }]);
  });

  it('keeps the last active system admin: no demoting, disabling or deleting them', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    const id = await userId('root');
    const demote = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${id}`,
      cookie: admin,
      body: { role: 'MANAGER' },
    });
    expect(expectProblem(demote, 409).detail).toContain('last active system admin');
    expectProblem(
      await ctx.request({
        method: 'PATCH',
        url: `/api/users/${id}`,
        cookie: admin,
        body: { disabled: true },
      }),
      409,
    );
    expectProblem(
      await ctx.request({ method: 'DELETE', url: `/api/users/${id}`, cookie: admin }),
      409,
    );
    expect((await me({ cookie: admin })).json().user.role).toBe('SYSTEM_ADMIN');

    // With a second admin, one may be demoted; then the other is the last one again.
    const second = await ctx.signIn('SYSTEM_ADMIN', 'second');
    const demoted = await ctx.request({
      method: 'PATCH',
      url: `/api/users/${await userId('second')}`,
      cookie: admin,
      body: { role: 'VIEWER' },
    });
    expect(demoted.statusCode).toBe(200);
    expectProblem(
      await ctx.request({
        method: 'PATCH',
        url: `/api/users/${id}`,
        cookie: admin,
        body: { role: 'VIEWER' },
      }),
      409,
    );
    expectProblem(await ctx.request({ method: 'GET', url: '/api/users', cookie: second }), 403);
  });

  // PGlite runs one transaction at a time; on a server two admins could demote each other at once.
  it.runIf(!!process.env.DATABASE_URL)(
    'makes a concurrent last-admin check wait for the other one (needs PostgreSQL)',
    async () => {
      await ctx.signIn('SYSTEM_ADMIN', 'first');
      await ctx.signIn('SYSTEM_ADMIN', 'second');
      const secondId = await userId('second');
      let counted!: () => void;
      const firstCounted = new Promise<void>((resolve) => (counted = resolve));
      let finish!: () => void;
      const mayFinish = new Promise<void>((resolve) => (finish = resolve));

      const first = ctx.db.transaction().execute(async (trx) => {
        const admins = await countActiveAdmins(trx);
        counted();
        await mayFinish;
        await updateUser(trx, secondId, { role: 'VIEWER' });
        return admins;
      });
      await firstCounted;
      const second = ctx.db.transaction().execute((trx) => countActiveAdmins(trx));
      try {
        await untilSomeoneWaitsOnALock(ctx.db);
      } finally {
        finish();
      }
      // The second check sees the first demotion: only one admin is left to protect.
      expect(await Promise.all([first, second])).toEqual([2, 1]);
    },
  );

  it('lets an admin delete another admin while one active admin remains, and a disabled admin at any time', async () => {
    const admin = await ctx.signIn('SYSTEM_ADMIN', 'root');
    await ctx.signIn('SYSTEM_ADMIN', 'co-admin');
    await ctx.signIn('SYSTEM_ADMIN', 'dormant');
    await ctx.request({
      method: 'PATCH',
      url: `/api/users/${await userId('dormant')}`,
      cookie: admin,
      body: { disabled: true },
    });

    expect(
      (
        await ctx.request({
          method: 'DELETE',
          url: `/api/users/${await userId('co-admin')}`,
          cookie: admin,
        })
      ).statusCode,
    ).toBe(204);
    // root is now the only active admin; removing a disabled admin takes nothing away.
    const response = await ctx.request({
      method: 'DELETE',
      url: `/api/users/${await userId('dormant')}`,
      cookie: admin,
    });
    expect(response.statusCode, response.body).toBe(204);
  });
});
