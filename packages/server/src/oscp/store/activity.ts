import type { Executor } from '../../platform/db/database';

export interface OutboundSummaryRow {
  kind: string;
  status: string;
  at: string;
  requestId: string;
  lastError: string | null;
}

/** The newest outbound message of a connection (optionally of one kind), for "last publication". */
export async function lastOutbound(
  db: Executor,
  connectionId: string,
  kind?: string,
): Promise<OutboundSummaryRow | null> {
  let q = db
    .selectFrom('outbound_messages')
    .select(['kind', 'status', 'updated_at', 'request_id', 'last_error'])
    .where('connection_id', '=', connectionId);
  if (kind) q = q.where('kind', '=', kind);
  const row = await q.orderBy('created_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
  return row
    ? {
        kind: row.kind,
        status: row.status,
        at: row.updated_at.toISOString(),
        requestId: row.request_id,
        lastError: row.last_error,
      }
    : null;
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
