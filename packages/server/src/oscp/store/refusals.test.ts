import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../testing/test-database';
import {
  ALIKE_KEPT_PER_MINUTE,
  REFUSALS_KEPT_PER_SOURCE,
  listRefusals,
  pruneRefusals,
  recordRefusal,
  type RefusalRecord,
} from './refusals';

// The refusal log is the one record whose volume an outsider controls: it must stay small.

let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.reset());

const T0 = new Date('2026-03-02T09:00:00Z');
const refusal = (overrides: Partial<RefusalRecord> = {}): RefusalRecord => ({
  at: T0,
  source: '203.0.113.7',
  endpoint: 'heartbeat',
  status: 403,
  reason: 'Unknown, revoked or expired token.',
  connectionId: null,
  credential: null,
  requestId: 'r',
  authorizationScheme: 'Token',
  ...overrides,
});

async function all(source?: string) {
  return listRefusals(database.db, { limit: 200, ...(source ? { source } : {}) });
}

describe('the refusal log', () => {
  it('keeps the first alike refusals of a minute one by one and folds the rest into the latest', async () => {
    for (let i = 0; i < 25; i += 1)
      await recordRefusal(
        database.db,
        refusal({ at: new Date(T0.getTime() + i * 1000), requestId: `r${i}` }),
      );
    const rows = await all();
    expect(rows).toHaveLength(ALIKE_KEPT_PER_MINUTE);
    expect(rows.reduce((n, r) => n + r.repeats, 0)).toBe(25);
    const [latest] = rows;
    expect(latest).toMatchObject({
      repeats: 16,
      requestId: 'r24',
      lastAt: '2026-03-02T09:00:24.000Z',
    });
    expect(rows.at(-1)).toMatchObject({ repeats: 1, requestId: 'r0' });

    // A new minute, another reason or another source starts afresh.
    await recordRefusal(
      database.db,
      refusal({ at: new Date(T0.getTime() + 60_000), requestId: 'next' }),
    );
    await recordRefusal(database.db, refusal({ reason: 'X-Request-ID header is required.' }));
    await recordRefusal(database.db, refusal({ source: '198.51.100.1' }));
    expect(await all()).toHaveLength(ALIKE_KEPT_PER_MINUTE + 3);
  });

  it('keeps at most its share of rows per source, newest first, leaving other sources alone', async () => {
    await recordRefusal(database.db, refusal({ source: '198.51.100.1', requestId: 'bystander' }));
    const flood = REFUSALS_KEPT_PER_SOURCE + 40;
    for (let i = 0; i < flood; i += 1)
      await recordRefusal(database.db, refusal({ reason: `bad body ${i}`, requestId: `f${i}` }));
    const kept = await listRefusals(database.db, { source: '203.0.113.7', limit: 200 });
    expect(kept[0]!.requestId).toBe(`f${flood - 1}`);
    const count = await database.db
      .selectFrom('oscp_inbound_refusals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('source', '=', '203.0.113.7')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(REFUSALS_KEPT_PER_SOURCE);
    expect((await all('198.51.100.1')).map((r) => r.requestId)).toEqual(['bystander']);
  });

  it('keeps a bounded reason and pages by id', async () => {
    await recordRefusal(database.db, refusal({ reason: 'x'.repeat(5000) }));
    for (let i = 0; i < 5; i += 1)
      await recordRefusal(database.db, refusal({ reason: `r${i}`, requestId: `p${i}` }));
    const [first, second] = [
      await listRefusals(database.db, { limit: 3 }),
      await listRefusals(database.db, {
        limit: 3,
        beforeId: (await listRefusals(database.db, { limit: 3 }))[2]!.id,
      }),
    ];
    expect(first.map((r) => r.requestId)).toEqual(['p4', 'p3', 'p2']);
    expect(second.map((r) => r.requestId)).toEqual(['p1', 'p0', 'r']);
    expect(second[2]!.reason).toHaveLength(501);
  });

  it('is pruned by age', async () => {
    await recordRefusal(database.db, refusal());
    await recordRefusal(
      database.db,
      refusal({ at: new Date(T0.getTime() + 86_400_000), reason: 'later' }),
    );
    expect(
      await pruneRefusals(database.db, { before: new Date(T0.getTime() + 1000), limit: 100 }),
    ).toBe(1);
    expect((await all()).map((r) => r.reason)).toEqual(['later']);
  });
});
