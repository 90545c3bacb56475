import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import { createApp, type App, type AppOptions } from '../app';
import { hashPassword } from '../platform/auth/secrets';
import { insertUser } from '../platform/auth/store';
import type { Role } from '../platform/auth/roles';
import { ManualClock } from '../platform/clock';
import { createLogger } from '../platform/logging';
import type { Db } from '../platform/db/database';
import { openTestDatabase } from './test-database';

export const TEST_PASSWORD = 'correct-horse-battery';

/** Log lines the app wrote, for assertions (e.g. that no secret is ever logged). */
export class CapturedLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestContext {
  app: App;
  clock: ManualClock;
  log: CapturedLog;
  db: Db;
  /** The key the app's secrets are stored with (a second app on the same database needs it). */
  secretsKey: Buffer;
  /** Listens on a loopback port (for real HTTP peers) and returns the base URL. */
  listen(): Promise<string>;
  /** Truncates every table and restarts the clock: each test starts from nothing. */
  reset(): Promise<void>;
  close(): Promise<void>;
  /** Creates a user with the role and returns a cookie header for it. */
  signIn(role: Role, username?: string): Promise<string>;
  request(options: {
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
    url: string;
    cookie?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse>;
}

/**
 * The whole app in-process on a fresh database with a manual clock. One per test file; `settings`
 * are deployment settings (PUBLIC_URL, TRUST_PROXY, METRICS_TOKEN…) for the files about them.
 */
export async function startTestApp(
  start = '2026-03-02T09:00:00Z',
  settings: Pick<AppOptions, 'publicUrl' | 'trustProxy' | 'metricsToken'> = {},
  /** Kysely plugins on the app's database only (e.g. a StatementCounter); the test's `db` has none. */
  observers: readonly KyselyPlugin[] = [],
): Promise<TestContext> {
  const database = await openTestDatabase();
  const appDb = observers.reduce<Db>((db, plugin) => db.withPlugin(plugin), database.db);
  const clock = new ManualClock(start);
  const log = new CapturedLog();
  const secretsKey = randomBytes(32);
  const app = await createApp({
    db: appDb,
    clock,
    log: createLogger('debug', log),
    loginFailuresPerMinute: 5,
    secretsKey,
    ...settings,
    oscp: {
      requestTimeoutMs: 2000,
      maxDeliveryAttempts: 3,
      retryBaseDelayMs: 1000,
      registrationReplyTimeoutMs: 30_000,
      // Long enough that tests which move the clock by minutes see no resent handshake unless
      // they wait for one on purpose.
      handshakeAcknowledgementTimeoutMs: 600_000,
    },
    // A charger that never answers is given up on quickly.
    ocpp: { callTimeoutMs: 1000 },
  });
  const passwordHash = await hashPassword(TEST_PASSWORD);
  let userCount = 0;

  const context: TestContext = {
    app,
    clock,
    log,
    db: database.db,
    secretsKey,
    async reset() {
      await database.reset();
      clock.set(start);
      log.lines.length = 0;
    },
    async listen() {
      const address = await app.http.listen({ port: 0, host: '127.0.0.1' });
      app.setPublicUrl(address);
      return address;
    },
    async close() {
      await app.http.close();
      await database.close();
    },
    async signIn(role, username) {
      userCount += 1;
      const name = username ?? `${role.toLowerCase()}-${userCount}`;
      await insertUser(database.db, { username: name, passwordHash, role }, clock.now());
      const response = await app.http.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: name, password: TEST_PASSWORD },
      });
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === 'ov_session');
      return `ov_session=${cookie!.value}`;
    },
    request({ method, url, cookie, token, body, headers }) {
      return app.http.inject({
        method,
        url,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
    },
  };
  return context;
}
