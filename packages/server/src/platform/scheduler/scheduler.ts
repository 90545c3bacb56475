import { sql } from 'kysely';
import type { Clock } from '../clock';
import type { Db, Executor, Trx } from '../db/database';
import type { Logger } from '../logging';
import { OutageWatch } from '../outage';

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

type WorkToSchedule = { kind: string; key: string; dueAt: Date; payload?: Record<string, unknown> };

export function scheduleWork(db: Executor, work: WorkToSchedule, now: Date): Promise<void> {
  return scheduleWorks(db, [work], now);
}

/**
 * Books several units of work in one statement (one round trip on a hot path). Should the same
 * key come twice, the last one counts, as if they had been booked one after the other.
 */
export async function scheduleWorks(
  db: Executor,
  works: readonly WorkToSchedule[],
  now: Date,
): Promise<void> {
  const byKey = new Map(works.map((w) => [`${w.kind}\u0000${w.key}`, w]));
  if (byKey.size === 0) return;
  await db
    .insertInto('scheduled_work')
    .values(
      [...byKey.values()].map((work) => ({
        kind: work.kind,
        dedupe_key: work.key,
        due_at: work.dueAt,
        payload: JSON.stringify(work.payload ?? {}) as never,
        created_at: now,
      })),
    )
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

/**
 * Books the work unless its row is already due by `work.dueAt`; a row due later is moved earlier.
 * The common case (already due) is a plain read: frequent callers on one key, such as every meter
 * reading of a circuit, do not queue on the row's lock. A row claimed while we read it is handled
 * by its claimer, which may miss what we commit after its reads: the next call books it again.
 */
export async function ensureWorkDueBy(
  db: Executor,
  work: { kind: string; key: string; dueAt: Date },
  now: Date,
): Promise<void> {
  const existing = await db
    .selectFrom('scheduled_work')
    .select('due_at')
    .where('kind', '=', work.kind)
    .where('dedupe_key', '=', work.key)
    .executeTakeFirst();
  if (existing && existing.due_at <= work.dueAt) return;
  await scheduleWork(db, work, now);
}

export async function cancelWork(db: Executor, kind: string, key: string): Promise<void> {
  await db
    .deleteFrom('scheduled_work')
    .where('kind', '=', kind)
    .where('dedupe_key', '=', key)
    .execute();
}

/** The booked item of `(kind, key)`, if any: when it is due and what it carries. */
export async function findWork(
  db: Executor,
  kind: string,
  key: string,
): Promise<{ dueAt: Date; payload: Record<string, unknown> } | undefined> {
  const row = await db
    .selectFrom('scheduled_work')
    .select(['due_at', 'payload'])
    .where('kind', '=', kind)
    .where('dedupe_key', '=', key)
    .executeTakeFirst();
  return row && { dueAt: row.due_at, payload: row.payload };
}

const RETRY_BASE_MS = 1000;
const DEFAULT_BATCH_SIZE = 10;
const RETRY_MAX_MS = 60_000;

/**
 * How long a due item waits for a lock (a connection's, a circuit's) before it steps aside. A
 * claimed item holds its own row until it commits, and a request holding that connection or
 * circuit may be waiting to book the same row again (a heartbeat moving its liveness check): were
 * the item to wait as long as PostgreSQL's deadlock check (1 s), one of the two would fail.
 * Stepping aside first means the request never does (ADR 0033).
 */
export const DUE_WORK_LOCK_WAIT_MS = 200;
/** When an item that stepped aside is due again; it does not count as a failed attempt. */
const STEPPED_ASIDE_DELAY_MS = 500;

/** PostgreSQL's lock_not_available: a lock was not granted within the transaction's lock_timeout. */
function isLockWaitExceeded(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '55P03';
}

/**
 * How many workers claim due work side by side: PGlite serves one connection at a time, so more
 * than one would only queue for it; PostgreSQL runs them in parallel.
 */
export function schedulerWorkersFor(engine: 'pglite' | 'postgres'): number {
  return engine === 'pglite' ? 1 : 4;
}

type ClaimedRow = {
  id: number;
  kind: string;
  dedupe_key: string;
  due_at: Date;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
};

/**
 * Claims up to `limit` due rows of `kinds` and deletes them in one statement, earliest first.
 * Deleting first lets a handler that schedules the same key again replace its own row; a rollback
 * brings it back.
 */
async function claimDue(
  trx: Trx,
  kinds: readonly string[],
  now: Date,
  limit: number,
): Promise<ClaimedRow[]> {
  if (kinds.length === 0 || limit <= 0) return [];
  // The chosen ids are materialised first: as a plain sub-query the planner may run it again per
  // row (a rescanned semi-join), and with SKIP LOCKED each run can pick other rows, past `limit`.
  const result = await sql<ClaimedRow>`
    WITH chosen AS MATERIALIZED (
      SELECT id FROM scheduled_work
      WHERE due_at <= ${now} AND kind IN (${sql.join(kinds)})
      ORDER BY due_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    DELETE FROM scheduled_work
    WHERE id IN (SELECT id FROM chosen)
    RETURNING id, kind, dedupe_key, due_at, payload, attempts, created_at`.execute(trx);
  return result.rows.sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || a.id - b.id);
}

/** A batch's transaction failed as a whole: its items stay due. */
export class SchedulerTransactionError extends Error {
  constructor(
    readonly items: string[],
    override readonly cause: unknown,
  ) {
    super(
      `due work transaction failed (${items.join(', ') || 'claiming'}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/**
 * Puts a claimed row back (its claim deleted it). A row booked again meanwhile by the handler
 * wins: it is the newer intention.
 */
async function putBack(
  trx: Trx,
  row: ClaimedRow,
  dueAt: Date,
  state: { attempts: number; lastError: string | null },
): Promise<void> {
  await trx
    .insertInto('scheduled_work')
    .values({
      kind: row.kind,
      dedupe_key: row.dedupe_key,
      due_at: dueAt,
      payload: JSON.stringify(row.payload) as never,
      attempts: state.attempts,
      last_error: state.lastError,
      created_at: row.created_at,
    })
    .onConflict((oc) => oc.columns(['kind', 'dedupe_key']).doNothing())
    .execute();
}

export interface WorkOptions {
  /**
   * The handler may share its transaction with other batchable items: it takes no lock that
   * other transactions take in a different order (locks held until the batch commits could
   * otherwise deadlock). Heartbeats to send and retention qualify; anything that locks a circuit
   * or a connection does not, and runs in a transaction of its own.
   */
  batchable?: boolean;
}

/**
 * Durable due work. Each claimed row is handled inside the transaction that locked it
 * (`FOR UPDATE SKIP LOCKED`), so several instances share the work with no leader and a crash
 * mid-handler simply leaves the row due. The database, not a timer, is the source of truth:
 * the polling loop only decides how soon we look.
 */
export class Scheduler {
  readonly #handlers = new Map<string, WorkHandler>();
  readonly #batchable = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = true;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  register(kind: string, handler: WorkHandler, options: WorkOptions = {}): void {
    this.#handlers.set(kind, handler);
    if (options.batchable) this.#batchable.add(kind);
    else this.#batchable.delete(kind);
  }

  /**
   * Runs every item due at the clock's now and returns how many ran, earliest first. An item of a
   * batchable kind brings up to `batchSize - 1` more batchable items into its transaction, each
   * under its own savepoint (a failing item is rolled back alone), so BEGIN, the claim and COMMIT
   * are paid once per batch; any other item runs in a transaction of its own.
   */
  async runDue(limit = 100, batchSize = DEFAULT_BATCH_SIZE): Promise<number> {
    let ran = 0;
    while (ran < limit) {
      const handled = await this.#runBatch(this.clock.now(), Math.min(batchSize, limit - ran));
      ran += handled;
      if (handled === 0) break;
    }
    return ran;
  }

  async #runBatch(now: Date, batchSize: number): Promise<number> {
    if (this.#handlers.size === 0) return 0;
    const failures: { row: ClaimedRow; attempts: number; error: unknown }[] = [];
    const steppedAside: ClaimedRow[] = [];
    let batch: ClaimedRow[] = [];
    let claimed = 0;
    try {
      await this.db.transaction().execute(async (trx) => {
        await sql.raw(`SET LOCAL lock_timeout = ${DUE_WORK_LOCK_WAIT_MS}`).execute(trx);
        const rows = await claimDue(trx, [...this.#handlers.keys()], now, 1);
        if (rows[0] && this.#batchable.has(rows[0].kind)) {
          rows.push(...(await claimDue(trx, [...this.#batchable], now, batchSize - 1)));
        }
        claimed = rows.length;
        batch = rows;
        for (const row of rows) {
          const work: DueWork = {
            id: row.id,
            kind: row.kind,
            key: row.dedupe_key,
            dueAt: row.due_at,
            payload: row.payload,
            attempts: row.attempts,
          };
          try {
            await sql`SAVEPOINT due_work`.execute(trx);
            await this.#handlers.get(row.kind)!(trx, work, now);
            await sql`RELEASE SAVEPOINT due_work`.execute(trx);
          } catch (error) {
            await sql`ROLLBACK TO SAVEPOINT due_work`.execute(trx);
            if (isLockWaitExceeded(error)) {
              // Someone else holds what it needs: back shortly, as it was.
              steppedAside.push(row);
              await putBack(trx, row, new Date(now.getTime() + STEPPED_ASIDE_DELAY_MS), {
                attempts: row.attempts,
                lastError: null,
              });
              continue;
            }
            failures.push({ row, attempts: row.attempts + 1, error });
            // Put the row back, later, with the error recorded: nothing due is silently dropped.
            const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** row.attempts);
            await putBack(trx, row, new Date(now.getTime() + delay), {
              attempts: row.attempts + 1,
              lastError: error instanceof Error ? error.message : String(error),
            });
          }
        }
      });
    } catch (error) {
      // Every item of the batch is rolled back and stays due; the caller decides how soon to look
      // again (the poller backs off: an unreachable database fails every transaction).
      throw new SchedulerTransactionError(
        batch.map((r) => `${r.kind}:${r.dedupe_key}`),
        error,
      );
    }
    for (const row of steppedAside) {
      this.log.debug(
        { 'job.kind': row.kind, 'job.key': row.dedupe_key },
        'due work stepped aside for a lock held elsewhere',
      );
    }
    for (const failed of failures) {
      this.log.warn(
        {
          'job.id': failed.row.id,
          'job.kind': failed.row.kind,
          'job.key': failed.row.dedupe_key,
          attempts: failed.attempts,
          err: failed.error,
        },
        'due work failed; retry scheduled',
      );
    }
    return claimed;
  }

  /**
   * Polls for due work until stop(). `workers` claim items side by side (SKIP LOCKED keeps them
   * apart): one item at a time is bound by round-trip latency, not by the database.
   */
  start(pollMs: number, workers = 4): void {
    this.#stopped = false;
    const outage = new OutageWatch(this.log, 'scheduler');
    const tick = () => {
      if (this.#stopped) return;
      let delay = pollMs;
      this.#running = Promise.all(Array.from({ length: workers }, () => this.runDue()))
        .then(() => outage.succeeded())
        .catch((error: unknown) => (delay = outage.failed(error, pollMs)))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, delay);
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
