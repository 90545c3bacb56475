import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Metrics } from '../http/metrics';
import { ProblemError, problems } from '../http/problem';
import { requireUser } from '../http/route-access';
import type { HttpApp } from '../http/server';
import { noContent } from '../http/wire';
import { SESSION_COOKIE } from './authenticate';
import * as c from './contract';
import { LoginThrottle } from './login-throttle';
import { ADMINS, ANY_USER, type Role } from './roles';
import { hashPassword, newOpaqueToken, passwordHashOfNoOne, verifyPassword } from './secrets';
import * as store from './store';

export interface AuthRouteDeps {
  db: Db;
  clock: Clock;
  metrics: Metrics;
  sessionTtlHours: number;
  loginFailuresPerMinute: number;
  secureCookies: boolean;
}

/** The Bearer credential a request came with, if any. */
function bearerOf(request: {
  headers: { authorization?: string | undefined };
}): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
}

export function registerAuthRoutes(app: HttpApp, deps: AuthRouteDeps): void {
  const { db, clock } = deps;
  const throttle = new LoginThrottle(clock, deps.loginFailuresPerMinute);
  // Sign-in verifies against this hash for unknown users: make it before the first sign-in.
  void passwordHashOfNoOne();

  app.post(
    '/api/auth/login',
    {
      config: { allow: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets an httpOnly session cookie',
        body: c.loginBody,
        response: { 200: c.sessionAnswer },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const key = `${username.toLowerCase()}|${request.ip}`;
      const wait = throttle.retryAfterSeconds(key);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new ProblemError(
          429,
          'rate-limited',
          'Too many failed sign-ins',
          `Too many failed sign-ins for this user from your address. Try again in ${wait} s.`,
        );
      }
      const user = await store.findUserForLogin(db, username);
      // One verification whoever asks: an unknown name takes as long as a wrong password.
      const matches = await verifyPassword(
        user?.password_hash ?? (await passwordHashOfNoOne()),
        password,
      );
      const ok = matches && user !== undefined && !user.disabled;
      if (!ok || !user) {
        throttle.recordFailure(key);
        deps.metrics.loginFailures.inc();
        request.log.info({ 'user.name': username }, 'sign-in failed');
        throw new ProblemError(
          401,
          'invalid-credentials',
          'Sign-in failed',
          'Unknown user or wrong password.',
        );
      }
      throttle.recordSuccess(key);
      const token = newOpaqueToken();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + deps.sessionTtlHours * 3600_000);
      await store.insertSession(db, { token, userId: user.id, expiresAt }, now);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        expires: expiresAt,
      });
      return { user: { id: user.id, username: user.username, role: user.role as Role } };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { allow: 'public' },
      schema: { tags: ['auth'], summary: 'Sign out', response: { 204: noContent } },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await store.deleteSession(db, token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/me',
    {
      config: { allow: ANY_USER },
      schema: { tags: ['auth'], summary: 'Who am I', response: { 200: c.sessionAnswer } },
    },
    async (request) => {
      const p = requireUser(request);
      return { user: { id: p.userId, username: p.username, role: p.role } };
    },
  );

  // Personal API tokens: the secret is shown once, at creation.
  app.get(
    '/api/auth/tokens',
    {
      config: { allow: ANY_USER },
      schema: { tags: ['auth'], summary: 'My API tokens', response: { 200: c.apiTokenList } },
    },
    async (request) => ({ tokens: await store.listApiTokens(db, requireUser(request).userId) }),
  );
  app.post(
    '/api/auth/tokens',
    {
      config: { allow: ANY_USER },
      schema: {
        tags: ['auth'],
        summary: 'Create a personal API token (shown once)',
        body: c.createTokenBody,
        response: { 201: c.createdApiToken },
      },
    },
    async (request, reply) => {
      const secret = newOpaqueToken('ovt_');
      const row = await store.insertApiToken(
        db,
        { userId: requireUser(request).userId, name: request.body.name, secret },
        clock.now(),
      );
      return reply.code(201).send({ ...row, token: secret });
    },
  );
  app.delete(
    '/api/auth/tokens/:id',
    {
      config: { allow: ANY_USER },
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of my API tokens',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      const revoked = await store.revokeApiToken(
        db,
        requireUser(request).userId,
        request.params.id,
        clock.now(),
      );
      if (!revoked) throw problems.notFound('API token', request.params.id);
      return reply.code(204).send();
    },
  );

  // User management (system admins).
  app.get(
    '/api/users',
    {
      config: { allow: ADMINS },
      schema: {
        tags: ['users'],
        summary: 'List users',
        response: { 200: c.userList },
      },
    },
    async () => ({ users: await store.listUsers(db) }),
  );
  app.post(
    '/api/users',
    {
      config: { allow: ADMINS },
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: c.createUserBody,
        response: { 201: c.userView },
      },
    },
    async (request, reply) => {
      const { username, password, role } = request.body;
      const duplicate = () =>
        problems.conflict(`A user named ${username} already exists.`, { field: 'username' });
      let user;
      try {
        user = await store.insertUser(
          db,
          { username, passwordHash: await hashPassword(password), role },
          clock.now(),
        );
      } catch (error) {
        // Two creations of one name at once: the unique index decides, the loser gets the 409 too.
        if ((error as { code?: string }).code === '23505') throw duplicate();
        throw error;
      }
      return reply.code(201).send(user);
    },
  );
  app.patch(
    '/api/users/:id',
    {
      config: { allow: ADMINS },
      schema: {
        tags: ['users'],
        summary:
          'Change a user’s role, password or disabled flag; a new password signs out their other sessions and revokes their API tokens',
        params: c.idParams,
        body: c.updateUserBody,
        response: { 200: c.updatedUser },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { role, password, disabled } = request.body;
      const caller = requireUser(request);
      return db.transaction().execute(async (trx) => {
        const existing = await store.findUserById(trx, id);
        if (!existing) throw problems.notFound('User', id);
        const losesAdmin =
          existing.role === 'SYSTEM_ADMIN' &&
          !existing.disabled &&
          ((role && role !== 'SYSTEM_ADMIN') || disabled === true);
        if (losesAdmin && (await store.countActiveAdmins(trx)) <= 1) {
          throw problems.conflict('This is the last active system admin; keep at least one.');
        }
        const updated = await store.updateUser(trx, id, {
          ...(role ? { role } : {}),
          ...(password ? { passwordHash: await hashPassword(password) } : {}),
          ...(disabled !== undefined ? { disabled } : {}),
        });
        if (!password) return updated!;
        // Whoever knew the old password may hold a session or a token made with it.
        const own = caller.userId === id;
        const revoked = await store.revokeCredentialsOf(
          trx,
          id,
          own ? { sessionToken: request.cookies[SESSION_COOKIE], apiToken: bearerOf(request) } : {},
          clock.now(),
        );
        request.log.info(
          {
            'user.id': id,
            'auth.sessions_ended': revoked.sessions,
            'auth.tokens_revoked': revoked.apiTokens,
          },
          'password changed; other credentials revoked',
        );
        return { ...updated!, revoked };
      });
    },
  );
  app.delete(
    '/api/users/:id',
    {
      config: { allow: ADMINS },
      schema: {
        tags: ['users'],
        summary: 'Delete a user',
        params: c.idParams,
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (id === requireUser(request).userId)
        throw problems.conflict('You cannot delete yourself.');
      await db.transaction().execute(async (trx) => {
        const existing = await store.findUserById(trx, id);
        if (!existing) throw problems.notFound('User', id);
        // Only an active admin counts: deleting a disabled one takes no admin away.
        const losesAdmin = existing.role === 'SYSTEM_ADMIN' && !existing.disabled;
        if (losesAdmin && (await store.countActiveAdmins(trx)) <= 1) {
          throw problems.conflict('This is the last active system admin; keep at least one.');
        }
        await store.deleteUser(trx, id);
      });
      return reply.code(204).send();
    },
  );
}
