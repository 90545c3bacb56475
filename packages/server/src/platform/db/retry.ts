import type { Db, Trx } from './database';

/**
 * PostgreSQL gave up on the transaction to break a cycle of waits (40P01) or to keep it
 * serialisable (40001): it did nothing, and running it again is the cure.
 */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `work` in a transaction, again (at most `attempts` times in all) when PostgreSQL aborted it
 * for a deadlock or a serialisation failure. PostgreSQL aborts whichever waiter notices a cycle,
 * which can be a transaction merely queued behind it; `work` must therefore be safe to run again
 * from the start, as a rolled-back transaction is.
 */
export async function transactionWithRetry<T>(
  db: Db,
  work: (trx: Trx) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) throw error;
    }
  }
}
