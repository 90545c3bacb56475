import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Executor } from '../db/database';

/**
 * Secrets (tokens, client secrets, static headers) encrypted at rest with AES-256-GCM.
 * Values go in through `put` and out only to the code that uses them (`reveal`); the API and the
 * console see names and "set"/"not set", and no value is ever logged.
 */
export class SecretStore {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('The secrets key must be 32 bytes');
  }

  async put(
    db: Executor,
    name: string,
    value: string,
    by: string | null,
    now: Date,
  ): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const row = {
      name,
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      auth_tag: cipher.getAuthTag().toString('base64'),
      created_at: now,
      updated_at: now,
      updated_by: by,
    };
    await db
      .insertInto('secrets')
      .values(row)
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          ciphertext: row.ciphertext,
          iv: row.iv,
          auth_tag: row.auth_tag,
          updated_at: now,
          updated_by: by,
        }),
      )
      .execute();
  }

  async reveal(db: Executor, name: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('secrets')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(row.iv, 'base64'));
    decipher.setAAD(Buffer.from(name));
    decipher.setAuthTag(Buffer.from(row.auth_tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(row.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }

  async list(db: Executor): Promise<{ name: string; updatedAt: Date; updatedBy: string | null }[]> {
    const rows = await db
      .selectFrom('secrets')
      .select(['name', 'updated_at', 'updated_by'])
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ name: r.name, updatedAt: r.updated_at, updatedBy: r.updated_by }));
  }

  async which(db: Executor, names: readonly string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const rows = await db.selectFrom('secrets').select('name').where('name', 'in', names).execute();
    return new Set(rows.map((r) => r.name));
  }

  async remove(db: Executor, name: string): Promise<boolean> {
    const result = await db.deleteFrom('secrets').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

/**
 * The key comes from SECRETS_KEY (base64, 32 bytes) or from a key file created on first start.
 * A generated key file is a convenience for one machine: the warning says to move it to the environment.
 */
export function loadSecretsKey(
  fromEnv: string | undefined,
  keyFile: string,
  warn: (message: string) => void,
): Buffer {
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error('SECRETS_KEY must be 32 bytes, base64-encoded');
    return key;
  }
  if (existsSync(keyFile)) {
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
    if (key.length !== 32)
      throw new Error(`The secrets key file ${keyFile} must hold 32 bytes, base64-encoded`);
    return key;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600 });
  warn(
    `No SECRETS_KEY set: generated a secrets key in ${keyFile}. Back it up, or set SECRETS_KEY, or stored secrets cannot be read.`,
  );
  return key;
}
