import { sql } from 'kysely';
import type { Clock } from '../clock';
import type { Db, Executor, Trx } from '../db/database';
import type { Logger } from '../logging';

/** A unit of due work. `(kind, key)` is unique: scheduling the same key again moves it. */
export interface DueWork {
  id: number;
  kind: string;
  key: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  attempts: number;
}

export type WorkHandler = (trx: Trx, work: DueWork, now: Date) => Promise<void>;

export async function scheduleWork(
  db: Executor,
  work: { kind: string; key: string; dueAt: Date; payload?: Record<string, unknown> },
  now: Date,
): Promise<void> {
  await db
    .insertInto('scheduled_work')
    .values({
      kind: work.kind,
      dedupe_key: work.key,
      due_at: work.dueAt,
      payload: JSON.stringify(work.payload ?? {}) as never,
      created_at: now,
    })
    .onConflict((oc) =>
      oc.columns(['kind', 'dedupe_key']).doUpdateSet((eb) => ({
        due_at: eb.ref('excluded.due_at'),
        payload: eb.ref('excluded.payload'),
        attempts: 0,
        last_error: null,
      })),
    )
    .execute();
}

export async function cancelWork(db: Executor, kind: string, key: string): Promise<void> {
  await db
    .deleteFrom('scheduled_work')
    .where('kind', '=', kind)
    .where('dedupe_key', '=', key)
    .execute();
}

const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;

/**
 * Durable due work. Each claimed row is handled inside the transaction that locked it
 * (`FOR UPDATE SKIP LOCKED`), so several instances share the work with no leader and a crash
 * mid-handler simply leaves the row due. The database, not a timer, is the source of truth:
 * the polling loop only decides how soon we look.
 */
export class Scheduler {
  readonly #handlers = new Map<string, WorkHandler>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  register(kind: string, handler: WorkHandler): void {
    this.#handlers.set(kind, handler);
  }

  /** Runs every item due at the clock's now, one transaction per item. Returns how many ran. */
  async runDue(limit = 100): Promise<number> {
    let ran = 0;
    while (ran < limit) {
      const now = this.clock.now();
      const handled = await this.#runOne(now);
      if (!handled) break;
      ran += 1;
    }
    return ran;
  }

  async #runOne(now: Date): Promise<boolean> {
    if (this.#handlers.size === 0) return false;
    let failed: { id: number; attempts: number; error: unknown } | undefined;
    let claimedAny = false;
    try {
      await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('scheduled_work')
          .selectAll()
          .where('due_at', '<=', now)
          .where('kind', 'in', [...this.#handlers.keys()])
          .orderBy('due_at')
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!row) return;
        claimedAny = true;
        const work: DueWork = {
          id: row.id,
          kind: row.kind,
          key: row.dedupe_key,
          dueAt: row.due_at,
          payload: row.payload,
          attempts: row.attempts,
        };
        // Delete first: a handler that schedules the same key again replaces this row.
        await trx.deleteFrom('scheduled_work').where('id', '=', row.id).execute();
        try {
          await sql`SAVEPOINT due_work`.execute(trx);
          await this.#handlers.get(row.kind)!(trx, work, now);
          await sql`RELEASE SAVEPOINT due_work`.execute(trx);
        } catch (error) {
          await sql`ROLLBACK TO SAVEPOINT due_work`.execute(trx);
          failed = { id: row.id, attempts: row.attempts + 1, error };
          // Put the row back, later, with the error recorded: nothing due is silently dropped.
          const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** row.attempts);
          await trx
            .insertInto('scheduled_work')
            .values({
              kind: row.kind,
              dedupe_key: row.dedupe_key,
              due_at: new Date(now.getTime() + delay),
              payload: JSON.stringify(row.payload) as never,
              attempts: row.attempts + 1,
              last_error: error instanceof Error ? error.message : String(error),
              created_at: row.created_at,
            })
            .onConflict((oc) => oc.columns(['kind', 'dedupe_key']).doNothing())
            .execute();
        }
      });
    } catch (error) {
      this.log.error({ err: error }, 'scheduler transaction failed');
      return false;
    }
    if (failed) {
      this.log.warn(
        { 'job.id': failed.id, attempts: failed.attempts, err: failed.error },
        'due work failed; retry scheduled',
      );
    }
    return claimedAny;
  }

  /** Polls for due work until stop(). */
  /**
   * Polls for due work until stop(). `workers` claim items side by side (SKIP LOCKED keeps them
   * apart): one item at a time is bound by round-trip latency, not by the database.
   */
  start(pollMs: number, workers = 4): void {
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      this.#running = Promise.all(Array.from({ length: workers }, () => this.runDue()))
        .catch((error: unknown) => this.log.error({ err: error }, 'scheduler tick failed'))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, pollMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
