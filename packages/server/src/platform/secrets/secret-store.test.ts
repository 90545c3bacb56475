import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../testing/test-database';
import type { Db } from '../db/database';
import { loadSecretsKey, SecretStore } from './secret-store';

/*
 * SecretStore against a real database (PGlite, or PostgreSQL with DATABASE_URL), and the key loading
 * against a temporary directory.
 */

type TestDatabase = Awaited<ReturnType<typeof openTestDatabase>>;

let database: TestDatabase;
const key = randomBytes(32);
const store = new SecretStore(key);
const T0 = new Date('2026-03-02T09:00:00Z');
const T1 = new Date('2026-03-02T10:30:00Z');

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => closeQuietly(database.db, () => database.close()));
beforeEach(async () => database.reset());

/**
 * Works around the shared harness on PostgreSQL: its close() drops the test database WITH (FORCE)
 * right after ending the pool, which can kill backends that are still exiting; the pool has no error
 * listener, so that surfaces as an unhandled "terminating connection" error. Ending the pool first
 * and waiting until its sessions are gone avoids it.
 */
async function closeQuietly(db: Db, close: () => Promise<void>): Promise<void> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const { rows } = await sql<{ name: string }>`SELECT current_database() AS name`.execute(db);
    await db.destroy();
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const deadline = performance.now() + 10_000;
      for (;;) {
        const sessions = await admin.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [rows[0]!.name],
        );
        if (sessions.rows[0]!.n === 0 || performance.now() > deadline) break;
      }
    } finally {
      await admin.end();
    }
  }
  await close();
}

const row = (name: string) =>
  database.db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

describe('SecretStore', () => {
  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretStore(randomBytes(16))).toThrow('The secrets key must be 32 bytes');
    expect(() => new SecretStore(Buffer.alloc(0))).toThrow('The secrets key must be 32 bytes');
  });

  it('reveals what was put, and nothing for an unknown name', async () => {
    const value = 'Bearer eyJhbGciOi… ünïcödé ✓';
    await store.put(database.db, 'cp-token', value, 'alice', T0);
    expect(await store.reveal(database.db, 'cp-token')).toBe(value);
    expect(await store.reveal(database.db, 'unknown')).toBeUndefined();
  });

  it('stores only ciphertext: the value is neither in the row’s text nor in its bytes', async () => {
    const value = `secret-${randomBytes(12).toString('hex')}`;
    await store.put(database.db, 'client-secret', value, 'alice', T0);
    const stored = await row('client-secret');
    expect(stored).toMatchObject({ name: 'client-secret', updated_by: 'alice' });
    for (const column of [stored.ciphertext, stored.iv, stored.auth_tag]) {
      expect(column).not.toContain(value);
      expect(Buffer.from(column, 'base64').includes(Buffer.from(value))).toBe(false);
    }
    expect(Buffer.from(stored.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(stored.auth_tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(stored.ciphertext, 'base64')).toHaveLength(Buffer.byteLength(value));
  });

  it('uses a fresh IV each time: the same value never gives the same ciphertext', async () => {
    await store.put(database.db, 'a', 'same value', null, T0);
    await store.put(database.db, 'b', 'same value', null, T0);
    const [a, b] = [await row('a'), await row('b')];
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    await store.put(database.db, 'a', 'same value', null, T0);
    expect((await row('a')).iv).not.toBe(a.iv);
  });

  it('replaces a value, keeping when it was created and recording who changed it when', async () => {
    await store.put(database.db, 'cp-token', 'first', 'alice', T0);
    await store.put(database.db, 'cp-token', 'second', 'bob', T1);
    expect(await store.reveal(database.db, 'cp-token')).toBe('second');
    const stored = await row('cp-token');
    expect(stored.created_at).toEqual(T0);
    expect(stored.updated_at).toEqual(T1);
    expect(stored.updated_by).toBe('bob');
    expect(await store.list(database.db)).toEqual([
      { name: 'cp-token', updatedAt: T1, updatedBy: 'bob' },
    ]);
  });

  it('lists names in order with who set them when, and no value', async () => {
    await store.put(database.db, 'zeta', 'z-value', 'alice', T0);
    await store.put(database.db, 'alpha', 'a-value', null, T1);
    const listed = await store.list(database.db);
    expect(listed).toEqual([
      { name: 'alpha', updatedAt: T1, updatedBy: null },
      { name: 'zeta', updatedAt: T0, updatedBy: 'alice' },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/[az]-value/);
  });

  it('tells which of some names are set', async () => {
    await store.put(database.db, 'one', '1', null, T0);
    await store.put(database.db, 'two', '2', null, T0);
    expect(await store.which(database.db, ['one', 'three', 'two'])).toEqual(
      new Set(['one', 'two']),
    );
    expect(await store.which(database.db, ['three'])).toEqual(new Set());
    expect(await store.which(database.db, [])).toEqual(new Set());
  });

  it('removes a secret once', async () => {
    await store.put(database.db, 'cp-token', 'value', null, T0);
    expect(await store.remove(database.db, 'cp-token')).toBe(true);
    expect(await store.remove(database.db, 'cp-token')).toBe(false);
    expect(await store.reveal(database.db, 'cp-token')).toBeUndefined();
    expect(await store.which(database.db, ['cp-token'])).toEqual(new Set());
  });

  it('cannot be read with another key (GCM authentication fails)', async () => {
    await store.put(database.db, 'cp-token', 'value', null, T0);
    await expect(new SecretStore(randomBytes(32)).reveal(database.db, 'cp-token')).rejects.toThrow(
      /authenticate/,
    );
    // The right key, in a new store instance, still reads it.
    expect(await new SecretStore(Buffer.from(key)).reveal(database.db, 'cp-token')).toBe('value');
  });

  it('detects a tampered ciphertext or tag', async () => {
    await store.put(database.db, 'cp-token', 'a value long enough', null, T0);
    const original = await row('cp-token');
    const flipped = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0]! ^= 0x01;
      return bytes.toString('base64');
    };
    for (const change of [
      { ciphertext: flipped(original.ciphertext) },
      { auth_tag: flipped(original.auth_tag) },
    ]) {
      await database.db
        .updateTable('secrets')
        .set({ ...original, ...change })
        .where('name', '=', 'cp-token')
        .execute();
      await expect(store.reveal(database.db, 'cp-token')).rejects.toThrow(/authenticate/);
    }
  });

  it('binds a value to its name: a row copied under another name cannot be read', async () => {
    await store.put(database.db, 'client-secret', 'value', null, T0);
    const original = await row('client-secret');
    await database.db
      .insertInto('secrets')
      .values({ ...original, name: 'initial-token' })
      .execute();
    await expect(store.reveal(database.db, 'initial-token')).rejects.toThrow(/authenticate/);
    expect(await store.reveal(database.db, 'client-secret')).toBe('value');
  });
});

describe('loadSecretsKey', () => {
  let dir: string;
  let warnings: string[];
  const warn = (message: string) => warnings.push(message);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ov-secrets-'));
    warnings = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the key from SECRETS_KEY (base64 of 32 bytes) and touches no file', () => {
    const expected = randomBytes(32);
    const file = join(dir, 'secrets.key');
    expect(loadSecretsKey(expected.toString('base64'), file, warn)).toEqual(expected);
    expect(existsSync(file)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('prefers SECRETS_KEY over an existing key file', () => {
    const file = join(dir, 'secrets.key');
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`);
    const expected = randomBytes(32);
    expect(loadSecretsKey(expected.toString('base64'), file, warn)).toEqual(expected);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['text that is not base64 of 32 bytes', 'my-secret-key'],
  ])('refuses a SECRETS_KEY of %s', (_what, value) => {
    expect(() => loadSecretsKey(value, join(dir, 'secrets.key'), warn)).toThrow(
      'SECRETS_KEY must be 32 bytes, base64-encoded',
    );
    expect(existsSync(join(dir, 'secrets.key'))).toBe(false);
  });

  it('creates a key file with a warning when there is none, then reuses it silently', () => {
    const file = join(dir, 'nested', 'data', 'secrets.key');
    const created = loadSecretsKey(undefined, file, warn);
    expect(created).toHaveLength(32);
    expect(readFileSync(file, 'utf8')).toBe(`${created.toString('base64')}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    expect(warnings[0]).toContain('SECRETS_KEY');

    expect(loadSecretsKey(undefined, file, warn)).toEqual(created);
    expect(warnings).toHaveLength(1);
  });

  it('reads a key file that is already there', () => {
    const file = join(dir, 'secrets.key');
    const expected = randomBytes(32);
    writeFileSync(file, `  ${expected.toString('base64')}\n\n`);
    expect(loadSecretsKey(undefined, file, warn)).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('refuses a key file that does not hold 32 bytes, naming it', () => {
    const file = join(dir, 'secrets.key');
    writeFileSync(file, `${randomBytes(8).toString('base64')}\n`);
    expect(() => loadSecretsKey(undefined, file, warn)).toThrow(file);
    writeFileSync(file, '');
    expect(() => loadSecretsKey(undefined, file, warn)).toThrow(/32 bytes/);
  });

  it('gives a key that encrypts and decrypts', async () => {
    const file = join(dir, 'secrets.key');
    const first = new SecretStore(loadSecretsKey(undefined, file, warn));
    await first.put(database.db, 'cp-token', 'value', null, T0);
    const afterRestart = new SecretStore(loadSecretsKey(undefined, file, warn));
    expect(await afterRestart.reveal(database.db, 'cp-token')).toBe('value');
  });
});
