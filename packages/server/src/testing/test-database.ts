import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openPglite, openPostgres, type DatabaseHandle, type Db } from '../platform/db/database';
import { migrateToLatest } from '../platform/db/migrator';

/**
 * A migrated database for one test file: PGlite in memory by default, or a fresh database on the
 * PostgreSQL server named by DATABASE_URL (CI runs every suite both ways).
 */
export async function openTestDatabase(): Promise<DatabaseHandle & { reset(): Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  let handle: DatabaseHandle;
  let drop: (() => Promise<void>) | undefined;
  if (serverUrl) {
    const name = `ov_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    handle = await openPostgres(url.toString(), 20);
    drop = async () => {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    };
  } else {
    handle = await openPglite('memory://');
  }
  await migrateToLatest(handle.db);
  return {
    ...handle,
    async reset() {
      const tables = await sql<{ tablename: string }>`
        SELECT tablename FROM pg_tables
        WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%'`.execute(handle.db);
      const list = tables.rows.map((t) => `"${t.tablename}"`).join(', ');
      if (list) await sql.raw(`TRUNCATE ${list} RESTART IDENTITY CASCADE`).execute(handle.db);
    },
    async close() {
      await handle.close();
      await drop?.();
    },
  };
}

/**
 * The connection URL of the server database behind a test database, to open a second, separate
 * pool on it (e.g. two scheduler instances racing). Undefined on PGlite, which has no server.
 */
export async function testDatabaseUrl(db: Db): Promise<string | undefined> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return undefined;
  const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db);
  const url = new URL(serverUrl);
  url.pathname = `/${rows[0]!.name}`;
  return url.toString();
}

/**
 * PostgreSQL only: resolves once some session of the test database waits on a row or table lock,
 * so a test can order two transactions without sleeping. Polls the server, bounded.
 */
export async function untilSomeoneWaitsOnALock(db: Db, maxPolls = 2000): Promise<void> {
  for (let i = 0; i < maxPolls; i += 1) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
    if (rows[0]!.n > 0) return;
  }
  throw new Error('no session ever waited on a lock');
}
