import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchDatabase {
  engine: 'pglite' | 'postgres';
  /** Environment for server-process.ts. */
  env: Record<string, string>;
  /** Where it lives, without credentials. */
  description: string;
  /** A few server settings that change how numbers read (PostgreSQL only). */
  settings?: Record<string, string>;
  drop(): Promise<void>;
}

/** A fresh embedded PGlite database in a temp folder, removed afterwards. */
export function freshPglite(): BenchDatabase {
  const dir = mkdtempSync(join(os.tmpdir(), 'openvelope-bench-'));
  return {
    engine: 'pglite',
    env: { BENCH_PGLITE_DIR: dir },
    description: `PGlite in ${dir}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function withoutPassword(url: URL): string {
  const copy = new URL(url);
  copy.password = '';
  return copy.toString();
}

async function withAdmin<T>(
  serverUrl: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the server named by `serverUrl` (its admin connection), dropped afterwards. */
export async function freshPostgres(serverUrl: string): Promise<BenchDatabase> {
  const name = `ov_bench_${randomBytes(6).toString('hex')}`;
  const settings = await withAdmin(serverUrl, async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
    const rows = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
       WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')`,
    );
    return Object.fromEntries(rows.rows.map((r) => [r.name, r.setting]));
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    env: { BENCH_DB_URL: url.toString() },
    description: `PostgreSQL ${withoutPassword(url)}`,
    settings,
    drop: () =>
      withAdmin(
        serverUrl,
        async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
      ),
  };
}
