import { sql } from 'kysely';
import type { Trx } from './database';

/**
 * Runs `fn` under a savepoint of the caller's transaction: if it throws, what it wrote is undone
 * and the transaction goes on (to record why, say). `name` is a constant of the caller's.
 */
export async function withSavepoint<T>(trx: Trx, name: string, fn: () => Promise<T>): Promise<T> {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`not a savepoint name: ${name}`);
  await sql.raw(`SAVEPOINT ${name}`).execute(trx);
  try {
    const result = await fn();
    await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(trx);
    return result;
  } catch (error) {
    await sql.raw(`ROLLBACK TO SAVEPOINT ${name}`).execute(trx);
    throw error;
  }
}
