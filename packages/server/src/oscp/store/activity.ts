import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';

export interface OutboundSummaryRow {
  kind: string;
  status: string;
  at: string;
  requestId: string;
  lastError: string | null;
}

/**
 * The newest outbound message of each connection (optionally of one kind), for "last
 * publication", in one statement whatever the number of connections: each connection's newest row
 * is read from its index (connection_id, created_at DESC), never the whole table.
 */
export async function lastOutboundOf(
  db: Executor,
  connectionIds: readonly string[],
  kind?: string,
): Promise<Map<string, OutboundSummaryRow>> {
  if (connectionIds.length === 0) return new Map();
  const ofKind = kind ? sql`AND o.kind = ${kind}` : sql``;
  const { rows } = await sql<{
    connection_id: string;
    kind: string;
    status: string;
    updated_at: Date;
    request_id: string;
    last_error: string | null;
  }>`
    SELECT c.id AS connection_id, o.kind, o.status, o.updated_at, o.request_id, o.last_error
    FROM unnest(${[...new Set(connectionIds)]}::uuid[]) AS c(id)
    CROSS JOIN LATERAL (
      SELECT o.kind, o.status, o.updated_at, o.request_id, o.last_error
      FROM outbound_messages o
      WHERE o.connection_id = c.id ${ofKind}
      ORDER BY o.created_at DESC, o.id
      LIMIT 1
    ) o`.execute(db);
  return new Map(
    rows.map((r) => [
      r.connection_id,
      {
        kind: r.kind,
        status: r.status,
        at: new Date(r.updated_at).toISOString(),
        requestId: r.request_id,
        lastError: r.last_error,
      },
    ]),
  );
}

export async function messageCounts(
  db: Executor,
  connectionId: string,
): Promise<{ outboundMessages: number; inboundMessages: number }> {
  const [outbound, inbound] = await Promise.all([
    db
      .selectFrom('outbound_messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connection_id', '=', connectionId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('oscp_inbound_requests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connection_id', '=', connectionId)
      .executeTakeFirstOrThrow(),
  ]);
  return { outboundMessages: Number(outbound.n), inboundMessages: Number(inbound.n) };
}

/** Our newest Handshake still on its way to the peer (PENDING, SENDING or RETRYING), if any. */
export async function pendingHandshake(
  db: Executor,
  connectionId: string,
): Promise<{ requestId: string; status: string } | undefined> {
  const row = await db
    .selectFrom('outbound_messages')
    .select(['request_id', 'status'])
    .where('connection_id', '=', connectionId)
    .where('kind', '=', 'Handshake')
    .where('status', 'in', ['PENDING', 'SENDING', 'RETRYING'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { requestId: row.request_id, status: row.status };
}
