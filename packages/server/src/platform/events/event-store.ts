import { sql } from 'kysely';
import type { Executor } from '../db/database';

export interface NewEvent {
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

export interface StoredEvent extends NewEvent {
  streamId: string;
  version: number;
  globalPosition: number;
  recordedAt: Date;
  metadata: Record<string, unknown>;
}

/** `'any'` skips the check; a number is the version the caller last saw (0 = the stream must not exist). */
export type ExpectedVersion = number | 'any';

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at version ${actual}, expected ${expected}`);
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}

export async function currentVersion(db: Executor, streamId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max<number | null>('version').as('version'))
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** How often an `'any'` append re-reads the version after losing a race to another writer. */
const ANY_VERSION_ATTEMPTS = 5;

/**
 * Appends events to a stream. The (stream_id, version) unique key makes two concurrent appends
 * at the same expected version impossible: one of them fails with ConcurrencyError. An `'any'`
 * append that loses such a race simply takes the next version.
 *
 * Inside a transaction the insert runs under a savepoint: on PostgreSQL a unique violation aborts
 * the transaction, and without the savepoint neither the current version (for the error) nor the
 * retry could be read, and the caller would get a database error instead of ConcurrencyError.
 */
export async function appendToStream(
  db: Executor,
  streamId: string,
  expected: ExpectedVersion,
  events: readonly NewEvent[],
  recordedAt: Date,
): Promise<{ version: number; positions: number[] }> {
  const savepoint = db.isTransaction;
  for (let attempt = 1; ; attempt += 1) {
    const actual = await currentVersion(db, streamId);
    if (expected !== 'any' && expected !== actual) {
      throw new ConcurrencyError(streamId, expected, actual);
    }
    if (events.length === 0) return { version: actual, positions: [] };
    if (savepoint) await sql`SAVEPOINT append_to_stream`.execute(db);
    try {
      const rows = await db
        .insertInto('events')
        .values(
          events.map((e, i) => ({
            stream_id: streamId,
            version: actual + i + 1,
            type: e.type,
            data: JSON.stringify(e.data),
            metadata: JSON.stringify(e.metadata ?? {}),
            recorded_at: recordedAt,
          })) as never,
        )
        .returning('global_position')
        .execute();
      if (savepoint) await sql`RELEASE SAVEPOINT append_to_stream`.execute(db);
      return { version: actual + events.length, positions: rows.map((r) => r.global_position) };
    } catch (error) {
      if (savepoint) await sql`ROLLBACK TO SAVEPOINT append_to_stream`.execute(db);
      if (!isUniqueViolation(error)) throw error;
      if (expected === 'any' && attempt < ANY_VERSION_ATTEMPTS) continue;
      throw new ConcurrencyError(streamId, actual, await currentVersion(db, streamId));
    }
  }
}

type EventRow = {
  global_position: number;
  stream_id: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
};

function toStored(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    version: row.version,
    globalPosition: row.global_position,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

export async function readStream(
  db: Executor,
  streamId: string,
  fromVersion = 1,
): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('stream_id', '=', streamId)
    .where('version', '>=', fromVersion)
    .orderBy('version')
    .execute();
  return rows.map(toStored);
}

/** Reads every stream in commit order from a global position (exclusive), for projections and audit. */
export async function readAll(
  db: Executor,
  afterPosition = 0,
  limit = 1000,
): Promise<StoredEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('global_position', '>', afterPosition)
    .orderBy('global_position')
    .limit(limit)
    .execute();
  return rows.map(toStored);
}

/** Events of all streams whose id starts with a prefix, newest first (audit timelines). */
export async function readByStreamPrefix(
  db: Executor,
  prefix: string,
  opts: { limit: number; offset: number; types?: readonly string[] },
): Promise<{ events: StoredEvent[]; total: number }> {
  let query = db.selectFrom('events').where('stream_id', 'like', `${prefix}%`);
  if (opts.types && opts.types.length > 0) query = query.where('type', 'in', opts.types);
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy('global_position', 'desc')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { events: rows.map(toStored), total: Number(count.n) };
}
