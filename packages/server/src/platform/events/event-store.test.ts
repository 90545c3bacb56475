import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { untilSomeoneWaitsOnALock } from '../../testing/test-database';
import { StatementCounter } from '../../testing/statement-counter';
import {
  appendToStream,
  appendToStreams,
  ConcurrencyError,
  currentVersion,
  readAll,
  readStream,
  type NewEvent,
} from './event-store';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await startTestApp('2026-03-02T09:00:00Z');
});
afterAll(async () => ctx.close());
beforeEach(async () => {
  await ctx.reset();
});

const event = (type: string, n = 0): NewEvent => ({ type, data: { n } });

function append(streamId: string, expected: number | 'any', events: NewEvent[]) {
  return appendToStream(ctx.db, streamId, expected, events, ctx.clock.now());
}

describe('appending with an expected version', () => {
  it('creates a stream at expected version 0 and extends it at its current version', async () => {
    const first = await append('order-1', 0, [event('Placed', 1), event('Paid', 2)]);
    expect(first.version).toBe(2);
    expect(first.positions).toHaveLength(2);
    expect(first.positions[1]).toBeGreaterThan(first.positions[0]!);

    ctx.clock.advance(60_000);
    const second = await append('order-1', 2, [event('Shipped', 3)]);
    expect(second.version).toBe(3);

    const events = await readStream(ctx.db, 'order-1');
    expect(events.map((e) => [e.version, e.type, e.data.n])).toEqual([
      [1, 'Placed', 1],
      [2, 'Paid', 2],
      [3, 'Shipped', 3],
    ]);
    expect(events[0]!.streamId).toBe('order-1');
    expect(events[0]!.recordedAt.toISOString()).toBe('2026-03-02T09:00:00.000Z');
    expect(events[2]!.recordedAt.toISOString()).toBe('2026-03-02T09:01:00.000Z');
    expect(events[0]!.metadata).toEqual({});
  });

  it('keeps metadata with the event', async () => {
    await append('order-1', 0, [{ type: 'Placed', data: {}, metadata: { by: 'alice' } }]);
    const [stored] = await readStream(ctx.db, 'order-1');
    expect(stored!.metadata).toEqual({ by: 'alice' });
  });

  it('refuses a stale expected version with ConcurrencyError and writes nothing', async () => {
    await append('order-1', 0, [event('Placed'), event('Paid')]);
    const stale = append('order-1', 1, [event('Cancelled')]);
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(stale).rejects.toMatchObject({ streamId: 'order-1', expected: 1, actual: 2 });
    expect(await currentVersion(ctx.db, 'order-1')).toBe(2);
    expect((await readStream(ctx.db, 'order-1')).map((e) => e.type)).toEqual(['Placed', 'Paid']);
  });

  it('refuses to create a stream that already exists, and to extend one that does not', async () => {
    await append('order-1', 0, [event('Placed')]);
    await expect(append('order-1', 0, [event('Placed')])).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(append('order-2', 3, [event('Paid')])).rejects.toMatchObject({
      expected: 3,
      actual: 0,
    });
    expect(await readStream(ctx.db, 'order-2')).toEqual([]);
  });

  it('appends at any version with "any"', async () => {
    await append('log', 'any', [event('A')]);
    const result = await append('log', 'any', [event('B')]);
    expect(result.version).toBe(2);
  });

  it('appends nothing for an empty list but still checks the version', async () => {
    await append('order-1', 0, [event('Placed')]);
    expect(await append('order-1', 1, [])).toEqual({ version: 1, positions: [] });
    await expect(append('order-1', 0, [])).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('rolls back with the transaction it was appended in', async () => {
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'order-1', 0, [event('Placed')], ctx.clock.now());
        throw new Error('later step failed');
      }),
    ).rejects.toThrow('later step failed');
    expect(await readStream(ctx.db, 'order-1')).toEqual([]);
  });
});

describe('appending to several streams at once', () => {
  const appendMany = (
    appends: { stream: string; expected: number | 'any'; events: NewEvent[] }[],
    db = ctx.db,
  ) => appendToStreams(db, appends, ctx.clock.now());

  it('lands every stream at its own next version in one statement, in the order given', async () => {
    await append('order-1', 0, [event('Placed')]);
    await append('log', 'any', [event('A'), event('B')]);
    const counter = new StatementCounter();
    const { count } = await counter.during(() =>
      ctx.db.transaction().execute((trx) =>
        appendToStreams(
          trx.withPlugin(counter),
          [
            { stream: 'order-1', expected: 1, events: [event('Paid')] },
            { stream: 'order-2', expected: 0, events: [event('Placed'), event('Paid')] },
            { stream: 'log', expected: 'any', events: [event('C')] },
          ],
          ctx.clock.now(),
        ),
      ),
    );
    expect(count).toBe(1);
    expect((await readStream(ctx.db, 'order-1')).map((e) => [e.version, e.type])).toEqual([
      [1, 'Placed'],
      [2, 'Paid'],
    ]);
    expect((await readStream(ctx.db, 'order-2')).map((e) => [e.version, e.type])).toEqual([
      [1, 'Placed'],
      [2, 'Paid'],
    ]);
    expect((await readStream(ctx.db, 'log')).map((e) => e.version)).toEqual([1, 2, 3]);
    const positions = (await readAll(ctx.db)).slice(-4).map((e) => `${e.streamId}/${e.type}`);
    expect(positions).toEqual(['order-1/Paid', 'order-2/Placed', 'order-2/Paid', 'log/C']);
  });

  it('answers each stream its version and positions', async () => {
    await append('order-1', 0, [event('Placed')]);
    const [one, two] = await appendMany([
      { stream: 'order-1', expected: 1, events: [event('Paid')] },
      { stream: 'order-2', expected: 0, events: [event('Placed'), event('Paid')] },
    ]);
    expect(one).toMatchObject({ version: 2 });
    expect(one!.positions).toHaveLength(1);
    expect(two).toMatchObject({ version: 2 });
    expect(two!.positions).toHaveLength(2);
    expect(two!.positions[0]).toBeGreaterThan(one!.positions[0]!);
  });

  it('refuses a stale version of one stream with ConcurrencyError, and nothing of the others lands', async () => {
    await append('order-1', 0, [event('Placed'), event('Paid')]);
    const stale = appendMany([
      { stream: 'order-2', expected: 0, events: [event('Placed')] },
      { stream: 'order-1', expected: 1, events: [event('Cancelled')] },
    ]);
    await expect(stale).rejects.toMatchObject({ streamId: 'order-1', expected: 1, actual: 2 });
    expect(await readStream(ctx.db, 'order-2')).toEqual([]);
    expect((await readStream(ctx.db, 'order-1')).map((e) => e.type)).toEqual(['Placed', 'Paid']);
  });

  it('still checks the version of a stream given no events', async () => {
    await append('order-1', 0, [event('Placed')]);
    await expect(
      appendMany([
        { stream: 'order-1', expected: 0, events: [] },
        { stream: 'order-2', expected: 0, events: [event('Placed')] },
        { stream: 'order-3', expected: 0, events: [event('Placed')] },
      ]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await readStream(ctx.db, 'order-2')).toEqual([]);
  });

  it('refuses the same stream twice in one append (its versions would collide)', async () => {
    await expect(
      appendMany([
        { stream: 'order-1', expected: 0, events: [event('Placed')] },
        { stream: 'order-1', expected: 'any', events: [event('Paid')] },
      ]),
    ).rejects.toThrow('a stream appears twice');
    expect(await readStream(ctx.db, 'order-1')).toEqual([]);
  });
});

describe('reading', () => {
  it('reads one stream in version order, optionally from a version', async () => {
    await append('a', 0, [event('A1'), event('A2')]);
    await append('b', 0, [event('B1')]);
    await append('a', 2, [event('A3')]);
    expect((await readStream(ctx.db, 'a')).map((e) => e.type)).toEqual(['A1', 'A2', 'A3']);
    expect((await readStream(ctx.db, 'a', 2)).map((e) => e.type)).toEqual(['A2', 'A3']);
    expect(await readStream(ctx.db, 'missing')).toEqual([]);
  });

  it('reads every stream by global position, after a position and up to a limit', async () => {
    await append('a', 0, [event('A1')]);
    await append('b', 0, [event('B1'), event('B2')]);
    await append('a', 1, [event('A2')]);
    await append('c', 0, [event('C1')]);

    const all = await readAll(ctx.db);
    expect(all.map((e) => `${e.streamId}:${e.type}`)).toEqual([
      'a:A1',
      'b:B1',
      'b:B2',
      'a:A2',
      'c:C1',
    ]);
    const positions = all.map((e) => e.globalPosition);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);

    const afterSecond = await readAll(ctx.db, positions[1]!);
    expect(afterSecond.map((e) => e.type)).toEqual(['B2', 'A2', 'C1']);
    const page = await readAll(ctx.db, positions[0]!, 2);
    expect(page.map((e) => e.type)).toEqual(['B1', 'B2']);
    expect(await readAll(ctx.db, positions[4]!)).toEqual([]);
  });
});

describe('concurrent appends', () => {
  function expectOneWinner(results: PromiseSettledResult<unknown>[]) {
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(ConcurrencyError);
    expect(lost[0]!.reason).toMatchObject({ streamId: 'race', expected: 0, actual: 1 });
  }

  it('lets exactly one of two transactions at the same expected version win', async () => {
    const results = await Promise.allSettled(
      ['first', 'second'].map((who) =>
        ctx.db
          .transaction()
          .execute((trx) =>
            appendToStream(trx, 'race', 0, [{ type: 'Claimed', data: { who } }], ctx.clock.now()),
          ),
      ),
    );
    expectOneWinner(results);
    const events = await readStream(ctx.db, 'race');
    expect(events).toHaveLength(1);
    expect(events[0]!.version).toBe(1);
  });

  it('lets exactly one of two appends outside a transaction win', async () => {
    const results = await Promise.allSettled([
      append('race', 0, [event('Claimed', 1)]),
      append('race', 0, [event('Claimed', 2)]),
    ]);
    expectOneWinner(results);
    expect(await readStream(ctx.db, 'race')).toHaveLength(1);
  });

  it('lets concurrent "any" appends all land, one after the other', async () => {
    const results = await Promise.allSettled([
      append('log', 'any', [event('A')]),
      append('log', 'any', [event('B')]),
      append('log', 'any', [event('C')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const events = await readStream(ctx.db, 'log');
    expect(events.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(events.map((e) => e.type).sort()).toEqual(['A', 'B', 'C']);
  });

  // PGlite runs one transaction at a time, so only a server can show a loser that is blocked on
  // the winner's uncommitted row.
  describe.runIf(!!process.env.DATABASE_URL)('on PostgreSQL (needs PostgreSQL)', () => {
    it('gives a loser blocked on the winner’s uncommitted append a ConcurrencyError, not a database error', async () => {
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      let commit!: () => void;
      const mayCommit = new Promise<void>((resolve) => (commit = resolve));

      const first = ctx.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'race', 0, [event('First')], ctx.clock.now());
        appended();
        await mayCommit;
      });
      await firstAppended;
      const second = ctx.db
        .transaction()
        .execute((trx) => appendToStream(trx, 'race', 0, [event('Second')], ctx.clock.now()));
      try {
        await untilSomeoneWaitsOnALock(ctx.db);
      } finally {
        commit();
      }

      const results = await Promise.allSettled([first, second]);
      expect(results[0]!.status).toBe('fulfilled');
      expect(results[1]!.status).toBe('rejected');
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
        expected: 0,
        actual: 1,
      });
      expect((await readStream(ctx.db, 'race')).map((e) => e.type)).toEqual(['First']);
    });

    it('lets a blocked "any" append inside a transaction land after the winner', async () => {
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      let commit!: () => void;
      const mayCommit = new Promise<void>((resolve) => (commit = resolve));

      const first = ctx.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'log', 'any', [event('First')], ctx.clock.now());
        appended();
        await mayCommit;
      });
      await firstAppended;
      const second = ctx.db
        .transaction()
        .execute((trx) => appendToStream(trx, 'log', 'any', [event('Second')], ctx.clock.now()));
      try {
        await untilSomeoneWaitsOnALock(ctx.db);
      } finally {
        commit();
      }

      await Promise.all([first, second]);
      expect((await readStream(ctx.db, 'log')).map((e) => e.type)).toEqual(['First', 'Second']);
    });

    it('undoes the half of a two-event "any" append that did not conflict, and lands it whole after the winner', async () => {
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      let commit!: () => void;
      const mayCommit = new Promise<void>((resolve) => (commit = resolve));

      const first = ctx.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'pair', 'any', [event('Single')], ctx.clock.now());
        appended();
        await mayCommit;
      });
      await firstAppended;
      // Conflicts on version 1 only; version 2 would land alone if it were not undone.
      const second = appendToStream(
        ctx.db,
        'pair',
        'any',
        [event('PairA'), event('PairB')],
        ctx.clock.now(),
      );
      try {
        await untilSomeoneWaitsOnALock(ctx.db);
      } finally {
        commit();
      }

      await first;
      expect(await second).toMatchObject({ version: 3 });
      const stored = await readStream(ctx.db, 'pair');
      expect(stored.map((e) => [e.version, e.type])).toEqual([
        [1, 'Single'],
        [2, 'PairA'],
        [3, 'PairB'],
      ]);
    });

    it('takes back the part of a several-stream append that lost a race, lands it after the winner, and keeps the other streams', async () => {
      let appended!: () => void;
      const firstAppended = new Promise<void>((resolve) => (appended = resolve));
      let commit!: () => void;
      const mayCommit = new Promise<void>((resolve) => (commit = resolve));

      const first = ctx.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'pair', 'any', [event('Single')], ctx.clock.now());
        appended();
        await mayCommit;
      });
      await firstAppended;
      // 'pair' conflicts on version 1 only (its version 2 would land alone); 'other' is free.
      const second = appendToStreams(
        ctx.db,
        [
          { stream: 'other', expected: 0, events: [event('Placed')] },
          { stream: 'pair', expected: 'any', events: [event('PairA'), event('PairB')] },
        ],
        ctx.clock.now(),
      );
      try {
        await untilSomeoneWaitsOnALock(ctx.db);
      } finally {
        commit();
      }

      await first;
      const [other, pair] = await second;
      expect(other).toMatchObject({ version: 1 });
      expect(pair).toMatchObject({ version: 3 });
      expect(pair!.positions).toHaveLength(2);
      expect((await readStream(ctx.db, 'pair')).map((e) => [e.version, e.type])).toEqual([
        [1, 'Single'],
        [2, 'PairA'],
        [3, 'PairB'],
      ]);
      expect((await readStream(ctx.db, 'other')).map((e) => [e.version, e.type])).toEqual([
        [1, 'Placed'],
      ]);
    });
  });
});
