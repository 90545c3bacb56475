import { sql } from 'kysely';
import type { Db, Executor } from '../db/database';

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
    message = `Stream ${streamId} is at version ${actual}, expected ${expected}`,
  ) {
    super(message);
  }
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
 * One statement reads the stream's version, checks it and inserts: appends sit on every hot path,
 * so they cost one round trip. `ON CONFLICT DO NOTHING` turns a lost race into "no rows" instead of
 * an error, which would abort the caller's transaction on PostgreSQL.
 */
export async function appendToStream(
  db: Executor,
  streamId: string,
  expected: ExpectedVersion,
  events: readonly NewEvent[],
  recordedAt: Date,
): Promise<{ version: number; positions: number[] }> {
  if (events.length === 0) {
    const actual = await currentVersion(db, streamId);
    if (expected !== 'any' && expected !== actual) {
      throw new ConcurrencyError(streamId, expected, actual);
    }
    return { version: actual, positions: [] };
  }
  // A partly conflicting multi-event append is undone below; that needs a transaction around it.
  if (events.length > 1 && !db.isTransaction) {
    return (db as Db)
      .transaction()
      .execute((trx) => appendToStream(trx, streamId, expected, events, recordedAt));
  }
  for (let attempt = 1; ; attempt += 1) {
    const inserted = await insertAtNextVersions(db, streamId, expected, events, recordedAt);
    if (inserted.length === events.length) {
      return {
        version: Math.max(...inserted.map((r) => r.version)),
        positions: inserted.map((r) => r.position).sort((a, b) => a - b),
      };
    }
    if (inserted.length > 0) {
      await db
        .deleteFrom('events')
        .where(
          'global_position',
          'in',
          inserted.map((r) => r.position),
        )
        .execute();
    }
    // 'any' simply tries again: the insert reads the version afresh.
    if (expected === 'any' && attempt < ANY_VERSION_ATTEMPTS) continue;
    const actual = await currentVersion(db, streamId);
    if (expected !== 'any') throw new ConcurrencyError(streamId, expected, actual);
    throw new ConcurrencyError(
      streamId,
      actual,
      actual,
      `Stream ${streamId}: gave up after ${attempt} appends lost to concurrent writers`,
    );
  }
}

/** Inserts the events after the stream's current version if it matches; returns what landed. */
async function insertAtNextVersions(
  db: Executor,
  streamId: string,
  expected: ExpectedVersion,
  events: readonly NewEvent[],
  recordedAt: Date,
): Promise<{ position: number; version: number }[]> {
  const rows = events.map(
    (e, i) =>
      sql`(${i + 1}::int, ${e.type}::text, ${JSON.stringify(e.data)}::jsonb, ${JSON.stringify(
        e.metadata ?? {},
      )}::jsonb)`,
  );
  const versionCheck = expected === 'any' ? sql`TRUE` : sql`current_version.v = ${expected}::int`;
  const result = await sql<{ global_position: string | number; version: number }>`
    WITH current_version AS (
      SELECT coalesce(max(version), 0) AS v FROM events WHERE stream_id = ${streamId}
    )
    INSERT INTO events (stream_id, version, type, data, metadata, recorded_at)
    SELECT ${streamId}, current_version.v + e.ord, e.type, e.data, e.metadata, ${recordedAt}::timestamptz
    FROM current_version, (VALUES ${sql.join(rows)}) AS e (ord, type, data, metadata)
    WHERE ${versionCheck}
    ON CONFLICT (stream_id, version) DO NOTHING
    RETURNING global_position, version
  `.execute(db);
  return result.rows.map((r) => ({ position: Number(r.global_position), version: r.version }));
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
