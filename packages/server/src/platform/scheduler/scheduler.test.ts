import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../db/database';
import { appendToStream, readStream } from '../events/event-store';
import { createLogger } from '../logging';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { StatementCounter } from '../../testing/statement-counter';
import { testDatabaseUrl } from '../../testing/test-database';
import {
  cancelWork,
  ensureWorkDueBy,
  scheduleWork,
  scheduleWorks,
  Scheduler,
  type DueWork,
  type WorkHandler,
} from './scheduler';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

const KIND = 'test-work';
const minutes = (n: number) => n * 60_000;

function inMinutes(n: number): Date {
  return new Date(ctx.clock.now().getTime() + minutes(n));
}

/** A scheduler of its own (the app's has only the circuit refresh) that records what it ran. */
function recordingScheduler(handler?: WorkHandler) {
  const ran: DueWork[] = [];
  const scheduler = new Scheduler(ctx.db, ctx.clock, createLogger('debug', ctx.log));
  scheduler.register(KIND, async (trx, work, now) => {
    ran.push(work);
    await handler?.(trx, work, now);
  });
  return { scheduler, ran };
}

function schedule(key: string, dueAt: Date, payload?: Record<string, unknown>) {
  return scheduleWork(ctx.db, { kind: KIND, key, dueAt, payload }, ctx.clock.now());
}

async function rows() {
  return ctx.db.selectFrom('scheduled_work').selectAll().orderBy('due_at').execute();
}

describe('work that must be due by an instant', () => {
  it('is booked when absent, moved earlier when due later, and left alone when due already', async () => {
    const ensure = (key: string, dueAt: Date) =>
      ensureWorkDueBy(ctx.db, { kind: KIND, key, dueAt }, ctx.clock.now());
    await ensure('a', inMinutes(0));
    expect((await rows()).map((r) => [r.dedupe_key, r.due_at])).toEqual([['a', inMinutes(0)]]);

    await schedule('b', inMinutes(5));
    await ensure('b', inMinutes(1));
    // Already due by then: not moved later (scheduleWork would move it).
    await ensure('a', inMinutes(3));
    expect((await rows()).map((r) => [r.dedupe_key, r.due_at])).toEqual([
      ['a', inMinutes(0)],
      ['b', inMinutes(1)],
    ]);
  });
});

describe('due work', () => {
  it('runs only once it is due, by the manual clock', async () => {
    const { scheduler, ran } = recordingScheduler();
    await schedule('a', inMinutes(10), { circuit: 'main' });

    expect(await scheduler.runDue()).toBe(0);
    ctx.clock.advance(minutes(10) - 1);
    expect(await scheduler.runDue()).toBe(0);
    expect(ran).toEqual([]);

    ctx.clock.advance(1);
    expect(await scheduler.runDue()).toBe(1);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({
      kind: KIND,
      key: 'a',
      payload: { circuit: 'main' },
      attempts: 0,
    });
    expect(ran[0]!.dueAt.toISOString()).toBe('2026-03-02T09:10:00.000Z');
    expect(await rows()).toEqual([]);

    expect(await scheduler.runDue()).toBe(0);
    expect(ran).toHaveLength(1);
  });

  it('runs everything due, earliest first, and leaves what is not due yet', async () => {
    const { scheduler, ran } = recordingScheduler();
    await schedule('late', inMinutes(3));
    await schedule('early', inMinutes(1));
    await schedule('future', inMinutes(60));
    ctx.clock.advance(minutes(5));
    expect(await scheduler.runDue()).toBe(2);
    expect(ran.map((w) => w.key)).toEqual(['early', 'late']);
    expect((await rows()).map((r) => r.dedupe_key)).toEqual(['future']);
  });

  it('passes the clock’s now to the handler', async () => {
    const seen: string[] = [];
    const { scheduler } = recordingScheduler(async (_trx, _work, now) => {
      seen.push(now.toISOString());
    });
    await schedule('a', inMinutes(1));
    ctx.clock.advance(minutes(7));
    await scheduler.runDue();
    expect(seen).toEqual(['2026-03-02T09:07:00.000Z']);
  });

  it('leaves work of a kind it has no handler for', async () => {
    const { scheduler } = recordingScheduler();
    await scheduleWork(
      ctx.db,
      { kind: 'someone-else', key: 'x', dueAt: inMinutes(0) },
      ctx.clock.now(),
    );
    expect(await scheduler.runDue()).toBe(0);
    expect((await rows()).map((r) => r.kind)).toEqual(['someone-else']);
  });
});

describe('scheduling, rescheduling and cancelling', () => {
  it('moves work when the same key is scheduled again, keeping one row', async () => {
    const { scheduler, ran } = recordingScheduler();
    await schedule('a', inMinutes(10), { version: 1 });
    await schedule('a', inMinutes(20), { version: 2 });
    expect(await rows()).toHaveLength(1);

    ctx.clock.advance(minutes(10));
    expect(await scheduler.runDue()).toBe(0);
    ctx.clock.advance(minutes(10));
    expect(await scheduler.runDue()).toBe(1);
    expect(ran.map((w) => w.payload)).toEqual([{ version: 2 }]);
  });

  it('can move work earlier too', async () => {
    const { scheduler, ran } = recordingScheduler();
    await schedule('a', inMinutes(30));
    await schedule('a', inMinutes(5));
    ctx.clock.advance(minutes(5));
    expect(await scheduler.runDue()).toBe(1);
    expect(ran.map((w) => w.key)).toEqual(['a']);
  });

  it('keeps the same key of different kinds apart', async () => {
    await schedule('a', inMinutes(5));
    await scheduleWork(ctx.db, { kind: 'other', key: 'a', dueAt: inMinutes(9) }, ctx.clock.now());
    expect((await rows()).map((r) => r.kind)).toEqual([KIND, 'other']);
  });

  it('books several units in one statement, the last of a repeated key counting', async () => {
    await schedule('a', inMinutes(30), { version: 0 });
    const counter = new StatementCounter();
    const { count } = await counter.during(() =>
      scheduleWorks(
        ctx.db.withPlugin(counter),
        [
          { kind: KIND, key: 'a', dueAt: inMinutes(5), payload: { version: 1 } },
          { kind: 'other', key: 'a', dueAt: inMinutes(7) },
          { kind: KIND, key: 'b', dueAt: inMinutes(9), payload: { version: 1 } },
          { kind: KIND, key: 'b', dueAt: inMinutes(8), payload: { version: 2 } },
        ],
        ctx.clock.now(),
      ),
    );
    expect(count).toBe(1);
    expect((await rows()).map((r) => [r.kind, r.dedupe_key, r.due_at, r.payload])).toEqual([
      [KIND, 'a', inMinutes(5), { version: 1 }],
      ['other', 'a', inMinutes(7), {}],
      [KIND, 'b', inMinutes(8), { version: 2 }],
    ]);
    await scheduleWorks(ctx.db, [], ctx.clock.now());
    expect(await rows()).toHaveLength(3);
  });

  it('removes cancelled work so it never runs', async () => {
    const { scheduler, ran } = recordingScheduler();
    await schedule('a', inMinutes(5));
    await schedule('b', inMinutes(5));
    await cancelWork(ctx.db, KIND, 'a');
    expect((await rows()).map((r) => r.dedupe_key)).toEqual(['b']);
    ctx.clock.advance(minutes(5));
    await scheduler.runDue();
    expect(ran.map((w) => w.key)).toEqual(['b']);
  });

  it('lets a handler schedule its own key again (the next boundary)', async () => {
    const { scheduler, ran } = recordingScheduler(async (trx, work, now) => {
      if (work.payload.again) {
        await scheduleWork(
          trx,
          { kind: KIND, key: work.key, dueAt: new Date(now.getTime() + minutes(15)) },
          now,
        );
      }
    });
    await schedule('a', inMinutes(5), { again: true });
    ctx.clock.advance(minutes(5));
    expect(await scheduler.runDue()).toBe(1);
    const [next] = await rows();
    expect(next!.due_at.toISOString()).toBe('2026-03-02T09:20:00.000Z');
    expect(next!.payload).toEqual({});
    ctx.clock.advance(minutes(15));
    expect(await scheduler.runDue()).toBe(1);
    expect(ran).toHaveLength(2);
    expect(await rows()).toEqual([]);
  });
});

describe('transactions', () => {
  const BATCHED = 'test-batched';

  /** Handlers that record the transaction each item ran in; `fail` names keys that throw. */
  function transactionRecordingScheduler(fail: string[] = []) {
    const ran: { kind: string; key: string; txid: string }[] = [];
    const scheduler = new Scheduler(ctx.db, ctx.clock, createLogger('debug', ctx.log));
    const handler: WorkHandler = async (trx, work) => {
      const { rows: tx } = await sql<{ txid: string }>`SELECT txid_current()::text AS txid`.execute(
        trx,
      );
      await appendToStream(
        trx,
        `ran-${work.key}`,
        'any',
        [{ type: 'Ran', data: {} }],
        ctx.clock.now(),
      );
      ran.push({ kind: work.kind, key: work.key, txid: tx[0]!.txid });
      if (fail.includes(work.key)) throw new Error(`${work.key} failed`);
    };
    scheduler.register(KIND, handler);
    scheduler.register(BATCHED, handler, { batchable: true });
    return { scheduler, ran };
  }

  it('runs batchable items together in one transaction and every other item in one of its own', async () => {
    const { scheduler, ran } = transactionRecordingScheduler();
    for (const key of ['b1', 'b2', 'b3'])
      await scheduleWork(ctx.db, { kind: BATCHED, key, dueAt: inMinutes(1) }, ctx.clock.now());
    await schedule('own1', inMinutes(2));
    await schedule('own2', inMinutes(2));
    ctx.clock.advance(minutes(2));

    expect(await scheduler.runDue()).toBe(5);
    const txOf = (key: string) => ran.find((r) => r.key === key)!.txid;
    expect(new Set(['b1', 'b2', 'b3'].map(txOf)).size).toBe(1);
    expect(new Set([txOf('b1'), txOf('own1'), txOf('own2')]).size).toBe(3);
  });

  it('rolls back a failing item of a batch alone: the others commit, it comes back later', async () => {
    const { scheduler, ran } = transactionRecordingScheduler(['b2']);
    for (const key of ['b1', 'b2', 'b3'])
      await scheduleWork(ctx.db, { kind: BATCHED, key, dueAt: inMinutes(1) }, ctx.clock.now());
    ctx.clock.advance(minutes(1));

    expect(await scheduler.runDue()).toBe(3);
    expect(new Set(ran.map((r) => r.txid)).size).toBe(1);
    expect(await readStream(ctx.db, 'ran-b1')).toHaveLength(1);
    expect(await readStream(ctx.db, 'ran-b2')).toHaveLength(0);
    expect(await readStream(ctx.db, 'ran-b3')).toHaveLength(1);
    expect((await rows()).map((r) => [r.dedupe_key, r.attempts])).toEqual([['b2', 1]]);
  });
});

describe('a failing handler', () => {
  it('rolls back its changes and brings the row back later with attempts and last_error', async () => {
    let failures = 2;
    const { scheduler, ran } = recordingScheduler(async (trx, work, now) => {
      await appendToStream(
        trx,
        `ran-${work.key}`,
        'any',
        [{ type: 'Ran', data: { attempt: work.attempts } }],
        now,
      );
      if (failures > 0) {
        failures -= 1;
        throw new Error('charger backend unreachable');
      }
    });
    await schedule('a', inMinutes(1), { circuit: 'main' });

    ctx.clock.advance(minutes(1));
    expect(await scheduler.runDue()).toBe(1);
    expect(await readStream(ctx.db, 'ran-a')).toEqual([]);
    let [row] = await rows();
    expect(row).toMatchObject({
      kind: KIND,
      dedupe_key: 'a',
      attempts: 1,
      last_error: 'charger backend unreachable',
      payload: { circuit: 'main' },
    });
    // Retried after a back-off, not at once.
    expect(row!.due_at.toISOString()).toBe('2026-03-02T09:01:01.000Z');
    expect(await scheduler.runDue()).toBe(0);
    expect(ctx.log.text).toContain('due work failed; retry scheduled');

    ctx.clock.advance(1000);
    expect(await scheduler.runDue()).toBe(1);
    [row] = await rows();
    expect(row).toMatchObject({ attempts: 2, last_error: 'charger backend unreachable' });
    expect(row!.due_at.toISOString()).toBe('2026-03-02T09:01:03.000Z');

    ctx.clock.advance(2000);
    expect(await scheduler.runDue()).toBe(1);
    expect(await rows()).toEqual([]);
    expect(ran.map((w) => w.attempts)).toEqual([0, 1, 2]);
    const events = await readStream(ctx.db, 'ran-a');
    expect(events.map((e) => e.data.attempt)).toEqual([2]);
  });

  it('does not hold up the other due work', async () => {
    const { scheduler, ran } = recordingScheduler(async (_trx, work) => {
      if (work.key === 'bad') throw new Error('boom');
    });
    await schedule('bad', inMinutes(1));
    await schedule('good', inMinutes(2));
    ctx.clock.advance(minutes(2));
    expect(await scheduler.runDue()).toBe(2);
    expect(ran.map((w) => w.key)).toEqual(['bad', 'good']);
    expect((await rows()).map((r) => [r.dedupe_key, r.attempts])).toEqual([['bad', 1]]);
  });

  it('resets attempts when the work is scheduled again', async () => {
    const { scheduler } = recordingScheduler(async () => {
      throw new Error('boom');
    });
    await schedule('a', inMinutes(1));
    ctx.clock.advance(minutes(1));
    await scheduler.runDue();
    expect((await rows())[0]).toMatchObject({ attempts: 1, last_error: 'boom' });
    await schedule('a', inMinutes(30));
    expect((await rows())[0]).toMatchObject({ attempts: 0, last_error: null });
  });
});

describe.runIf(!!process.env.DATABASE_URL)('two instances (needs PostgreSQL)', () => {
  it('never run the same item twice when racing on 50 due items from two connection pools', async () => {
    const url = await testDatabaseUrl(ctx.db);
    const pools = [await openPostgres(url!, 4), await openPostgres(url!, 4)];
    try {
      const runs: string[] = [];
      const schedulers = pools.map((pool, n) => {
        const scheduler = new Scheduler(pool.db, ctx.clock, createLogger('debug', ctx.log));
        scheduler.register(KIND, async (trx, work, now) => {
          // Expected version 0: a second run of the same item could not commit.
          await appendToStream(trx, `ran-${work.key}`, 0, [{ type: 'Ran', data: { by: n } }], now);
          runs.push(work.key);
        });
        return scheduler;
      });
      for (let i = 0; i < 50; i += 1) await schedule(`item-${i}`, inMinutes(0));

      const counts = await Promise.all(schedulers.map((s) => s.runDue()));
      expect(counts[0]! + counts[1]!).toBe(50);
      expect(runs).toHaveLength(50);
      expect(new Set(runs).size).toBe(50);
      // Nothing failed and came back for a retry.
      expect(await rows()).toEqual([]);
      const ranEvents = await ctx.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('stream_id', 'like', 'ran-%')
        .executeTakeFirstOrThrow();
      expect(Number(ranEvents.n)).toBe(50);
    } finally {
      for (const pool of pools) await pool.close();
    }
  });
});

describe.runIf(!!process.env.DATABASE_URL)('locks held elsewhere (needs PostgreSQL)', () => {
  it('steps aside from a lock another transaction holds: back shortly, not counted as a failure', async () => {
    const { scheduler, ran } = recordingScheduler(async (trx) => {
      await sql`SELECT id FROM users FOR UPDATE`.execute(trx);
    });
    await ctx.signIn('VIEWER');
    await schedule('a', inMinutes(0));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = ctx.db.transaction().execute(async (trx) => {
      await sql`SELECT id FROM users FOR UPDATE`.execute(trx);
      locked();
      await held;
    });
    await lockTaken;
    try {
      expect(await scheduler.runDue()).toBe(1);
    } finally {
      release();
      await holder;
    }
    expect(ran).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({ dedupe_key: 'a', attempts: 0, last_error: null });
    expect(row!.due_at.toISOString()).toBe('2026-03-02T09:00:00.500Z');
    expect(ctx.log.text).not.toContain('due work failed');

    ctx.clock.advance(500);
    expect(await scheduler.runDue()).toBe(1);
    expect(await rows()).toEqual([]);
  });
});
