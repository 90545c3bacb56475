import {
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
} from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CapturedLog } from '../testing/test-app';
import { ManualClock } from './clock';
import type { Database } from './db/schema';
import { createLogger } from './logging';
import { LimitSender } from '../ocpp/app/limits';
import { Dispatcher } from './outbox/dispatcher';
import { outageDelayMs } from './outage';
import { Scheduler } from './scheduler/scheduler';

// While the database is unreachable the scheduler and the dispatcher wait longer and longer
// between attempts and say so once; when it answers again they say that once and poll as before.
// The database is a stand-in that refuses connections while `down`, and answers every query with
// no rows otherwise; time is vitest's fake timers.

class StandInDatabase implements Dialect {
  down = true;
  attempts = 0;
  createAdapter = () => new PostgresAdapter();
  createQueryCompiler = () => new PostgresQueryCompiler();
  createIntrospector = (db: Kysely<unknown>) => new PostgresIntrospector(db);
  createDriver(): Driver {
    const connection: DatabaseConnection = {
      executeQuery: async () => ({ rows: [] }),
      // eslint-disable-next-line require-yield
      async *streamQuery() {
        throw new Error('not used');
      },
    };
    return {
      init: async () => {},
      acquireConnection: async () => {
        this.attempts += 1;
        if (this.down) throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
        return connection;
      },
      beginTransaction: async () => {},
      commitTransaction: async () => {},
      rollbackTransaction: async () => {},
      releaseConnection: async () => {},
      destroy: async () => {},
    };
  }
}

afterEach(() => {
  vi.useRealTimers();
});

function standIn() {
  const dialect = new StandInDatabase();
  const log = new CapturedLog();
  return {
    dialect,
    log,
    logger: createLogger('debug', log),
    db: new Kysely<Database>({ dialect }),
    clock: new ManualClock('2026-03-02T09:00:00Z'),
    warnings: () => log.lines.filter((l) => /"severity_text":"(WARN|ERROR)"/.test(l)),
  };
}

describe('polling while the database is unreachable', () => {
  it('the delay doubles from the poll interval up to 30 s', () => {
    expect([0, 1, 2, 3, 6, 7, 20].map((n) => outageDelayMs(250, n))).toEqual([
      250, 500, 1000, 2000, 16_000, 30_000, 30_000,
    ]);
  });

  it('the scheduler backs off, warns once, and says once when the database is back', async () => {
    vi.useFakeTimers();
    const s = standIn();
    const scheduler = new Scheduler(s.db, s.clock, s.logger);
    scheduler.register('some-work', async () => {});
    scheduler.start(250, 4);
    await vi.advanceTimersByTimeAsync(45_000);
    // Polling every 250 s with four workers would have tried 720 times; backing off, a handful.
    expect(s.dialect.attempts).toBeLessThanOrEqual(4 * 10);
    expect(s.warnings()).toHaveLength(1);
    expect(s.warnings()[0]).toContain('scheduler: database unreachable');

    s.dialect.down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(s.log.text.match(/scheduler: database reachable again/g)).toHaveLength(1);
    const before = s.dialect.attempts;
    await vi.advanceTimersByTimeAsync(1_000);
    // Back to polling every 250 ms.
    expect(s.dialect.attempts - before).toBeGreaterThanOrEqual(4 * 3);
    expect(s.warnings()).toHaveLength(1);
    await scheduler.stop();
  });

  it('the dispatcher backs off, warns once, and says once when the database is back', async () => {
    vi.useFakeTimers();
    const s = standIn();
    const dispatcher = new Dispatcher(
      s.db,
      s.clock,
      async () => ({ status: 'delivered', httpStatus: 204, url: 'http://peer' }),
      async () => {},
      { timeoutMs: 1000, baseDelayMs: 1000, maxDelayMs: 60_000, batchSize: 10 },
      s.logger,
    );
    dispatcher.start(200);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(s.dialect.attempts).toBeLessThanOrEqual(12);
    expect(s.warnings()).toHaveLength(1);
    expect(s.warnings()[0]).toContain('dispatcher: database unreachable');

    s.dialect.down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(s.log.text.match(/dispatcher: database reachable again/g)).toHaveLength(1);
    expect(s.warnings()).toHaveLength(1);
    await dispatcher.stop();
  });

  it('the OCPP limit sender backs off, warns once, and says once when the database is back', async () => {
    vi.useFakeTimers();
    const s = standIn();
    // Nothing is claimed (the database is down, then answers with no rows): no charger is needed.
    const sender = new LimitSender(
      s.db,
      s.clock,
      {} as never,
      {} as never,
      'instance-1',
      { callTimeoutMs: 1000 } as never,
      s.logger,
    );
    sender.start(200);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(s.dialect.attempts).toBeLessThanOrEqual(12);
    expect(s.warnings()).toHaveLength(1);
    expect(s.warnings()[0]).toContain('OCPP limit sender: database unreachable');

    s.dialect.down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(s.log.text.match(/OCPP limit sender: database reachable again/g)).toHaveLength(1);
    await sender.stop();
  });
});
