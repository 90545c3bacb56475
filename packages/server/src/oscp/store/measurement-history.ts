import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { MeasuredWindow, MeasurementKind, PublishedWindow } from '../domain/measurements';

/** One measurement publication as written, in the transaction that wrote its outbox row. */
export interface NewMeasurementRecord {
  id: string;
  connectionId: string;
  scopeId: string;
  groupId: string;
  kind: MeasurementKind;
  configuration: 'CONTINUOUS' | 'INTERMITTENT';
  window: MeasuredWindow;
  outboundMessageId: string;
  requestId: string;
  body: Record<string, unknown>;
  createdAt: Date;
}

export async function insertMeasurement(db: Executor, r: NewMeasurementRecord): Promise<void> {
  await db
    .insertInto('oscp_measurements')
    .values({
      id: r.id,
      connection_id: r.connectionId,
      scope_id: r.scopeId,
      group_id: r.groupId,
      kind: r.kind,
      configuration: r.configuration,
      window_start: r.window.start,
      window_end: r.window.end,
      energy_wh: r.window.energyWh,
      register_wh: r.window.registerWh,
      max_load_w: r.window.maxLoadW,
      max_load_at: r.window.maxLoadAt,
      readings: r.window.readings,
      outbound_message_id: r.outboundMessageId,
      request_id: r.requestId,
      body: JSON.stringify(r.body) as never,
      created_at: r.createdAt,
    })
    .execute();
}

/** The connection's most recent window: where its next one continues from. */
export async function latestPublished(
  db: Executor,
  connectionId: string,
): Promise<PublishedWindow | undefined> {
  const row = await db
    .selectFrom('oscp_measurements')
    .select(['scope_id', 'window_end', 'register_wh'])
    .where('connection_id', '=', connectionId)
    .orderBy('window_end', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { scopeId: row.scope_id, end: row.window_end, registerWh: row.register_wh };
}

export interface MeasurementRange {
  connectionId: string;
  /** Windows that end after `from` and start before `to` (both optional). */
  from?: Date | undefined;
  to?: Date | undefined;
}

/** A stored publication with its delivery as the outbox holds it (null once the outbox row is gone). */
export interface MeasurementRow {
  id: string;
  kind: string;
  configuration: string;
  windowStart: Date;
  windowEnd: Date;
  energyWh: number;
  registerWh: number;
  maxLoadW: number;
  maxLoadAt: Date | null;
  readings: number;
  requestId: string;
  body: Record<string, unknown>;
  createdAt: Date;
  delivery: {
    status: string;
    attempts: number;
    maxAttempts: number;
    lastError: string | null;
    lastHttpStatus: number | null;
    deliveredAt: Date | null;
    nextAttemptAt: Date;
  } | null;
}

function inRange(db: Executor, range: MeasurementRange) {
  let q = db.selectFrom('oscp_measurements as m').where('m.connection_id', '=', range.connectionId);
  if (range.from) q = q.where('m.window_end', '>', range.from);
  if (range.to) q = q.where('m.window_start', '<', range.to);
  return q;
}

export async function countMeasurements(db: Executor, range: MeasurementRange): Promise<number> {
  const row = await inRange(db, range)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Windows in the range, newest first (`order: 'desc'`) or oldest first. */
export async function listMeasurements(
  db: Executor,
  range: MeasurementRange,
  page: { limit: number; offset: number; order: 'asc' | 'desc' },
): Promise<MeasurementRow[]> {
  const rows = await inRange(db, range)
    .leftJoin('outbound_messages as o', 'o.id', 'm.outbound_message_id')
    .selectAll('m')
    .select([
      'o.status',
      'o.attempts',
      'o.max_attempts',
      'o.last_error',
      'o.last_http_status',
      'o.delivered_at',
      'o.next_attempt_at',
    ])
    .orderBy('m.window_end', page.order)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    configuration: r.configuration,
    windowStart: r.window_start,
    windowEnd: r.window_end,
    energyWh: r.energy_wh,
    registerWh: r.register_wh,
    maxLoadW: r.max_load_w,
    maxLoadAt: r.max_load_at,
    readings: r.readings,
    requestId: r.request_id,
    body: r.body,
    createdAt: r.created_at,
    delivery:
      r.status === null
        ? null
        : {
            status: r.status,
            attempts: r.attempts ?? 0,
            maxAttempts: r.max_attempts ?? 0,
            lastError: r.last_error,
            lastHttpStatus: r.last_http_status,
            deliveredAt: r.delivered_at,
            nextAttemptAt: r.next_attempt_at!,
          },
  }));
}

/** Deletes up to `limit` publications written before `before`; returns how many went. */
export async function pruneMeasurements(
  db: Executor,
  opts: { before: Date; limit: number },
): Promise<number> {
  const result = await sql`
    DELETE FROM oscp_measurements WHERE id IN (
      SELECT id FROM oscp_measurements WHERE created_at < ${opts.before} LIMIT ${opts.limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
