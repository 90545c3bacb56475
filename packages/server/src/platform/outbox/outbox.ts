import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../db/database';

export type OutboundStatus = 'PENDING' | 'SENDING' | 'DELIVERED' | 'RETRYING' | 'FAILED';

export interface OutboundMessage {
  id: string;
  connectionId: string;
  kind: string;
  body: Record<string, unknown>;
  requestId: string;
  correlationId: string | null;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
}

export interface NewOutboundMessage {
  connectionId: string;
  kind: string;
  body: Record<string, unknown>;
  /** Generated when absent; kept on every retry so the receiver can de-duplicate. */
  requestId?: string;
  correlationId?: string | null;
  /** A periodic publication's identity, e.g. `heartbeat:<connection>:<window>`: it is written once. */
  dedupeKey?: string;
  maxAttempts: number;
  dueAt?: Date;
}

/**
 * Writes an outbound message in the caller's transaction, before any network I/O: the decision and
 * the message commit together or not at all. Returns the row id, or undefined when the dedupe key
 * already exists (that publication was already written).
 */
export async function enqueueOutbound(
  db: Executor,
  message: NewOutboundMessage,
  now: Date,
): Promise<OutboundMessage | undefined> {
  const row = {
    id: randomUUID(),
    connection_id: message.connectionId,
    kind: message.kind,
    body: JSON.stringify(message.body) as never,
    request_id: message.requestId ?? randomUUID(),
    correlation_id: message.correlationId ?? null,
    dedupe_key: message.dedupeKey ?? null,
    status: 'PENDING',
    max_attempts: message.maxAttempts,
    next_attempt_at: message.dueAt ?? now,
    created_at: now,
    updated_at: now,
  };
  const inserted = await db
    .insertInto('outbound_messages')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return undefined;
  return {
    id: row.id,
    connectionId: row.connection_id,
    kind: row.kind,
    body: message.body,
    requestId: row.request_id,
    correlationId: row.correlation_id,
    attempts: 0,
    maxAttempts: row.max_attempts,
    createdAt: now,
  };
}

export interface OutboundView {
  id: string;
  connectionId: string;
  kind: string;
  requestId: string;
  correlationId: string | null;
  status: OutboundStatus;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  lastHttpStatus: number | null;
  lastUrl: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string;
  /** As written; secrets appear only as references, filled in at send time. */
  body: Record<string, unknown>;
}

export async function listOutbound(
  db: Executor,
  filter: {
    connectionId: string;
    status?: OutboundStatus;
    kind?: string;
    limit: number;
    offset: number;
  },
): Promise<{ items: OutboundView[]; total: number }> {
  let q = db.selectFrom('outbound_messages').where('connection_id', '=', filter.connectionId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  const rows = await q
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      connectionId: r.connection_id,
      kind: r.kind,
      requestId: r.request_id,
      correlationId: r.correlation_id,
      status: r.status as OutboundStatus,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      lastError: r.last_error,
      lastHttpStatus: r.last_http_status,
      lastUrl: r.last_url,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      deliveredAt: r.delivered_at?.toISOString() ?? null,
      nextAttemptAt: r.next_attempt_at.toISOString(),
      body: r.body,
    })),
  };
}

/**
 * Deletes up to `limit` finished messages (DELIVERED or FAILED) created before `before`, only of
 * `kinds` when given, none of `exceptKinds`. Returns how many went. Pending and retrying messages
 * are never touched.
 */
export async function pruneFinishedOutbound(
  db: Executor,
  opts: {
    before: Date;
    kinds?: readonly string[];
    exceptKinds?: readonly string[];
    limit: number;
  },
): Promise<number> {
  const kindFilter = sql`${opts.kinds ? sql`AND kind IN (${sql.join(opts.kinds)})` : sql``} ${
    opts.exceptKinds ? sql`AND kind NOT IN (${sql.join(opts.exceptKinds)})` : sql``
  }`;
  const result = await sql`
    DELETE FROM outbound_messages WHERE id IN (
      SELECT id FROM outbound_messages
      WHERE status IN ('DELIVERED', 'FAILED') AND created_at < ${opts.before} ${kindFilter}
      LIMIT ${opts.limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Withdraws a connection's messages that are waiting to be sent (PENDING or RETRYING): they become
 * FAILED with `reason`, in the caller's transaction. Messages already on the network finish.
 */
export async function cancelUnsent(
  db: Executor,
  connectionId: string,
  reason: string,
  now: Date,
): Promise<number> {
  const result = await db
    .updateTable('outbound_messages')
    .set({ status: 'FAILED', last_error: reason, updated_at: now })
    .where('connection_id', '=', connectionId)
    .where('status', 'in', ['PENDING', 'RETRYING'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
