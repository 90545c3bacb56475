import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import { toConnectionRow, type ConnectionRow } from './connection-projection';

/**
 * Claims a peer's X-Request-ID for the caller's transaction and locks its connection, in one
 * statement (every inbound message starts this way, so it is one round trip). `claimed` is true
 * when the id is new. A repeat finds the row and gets false; a concurrent repeat waits on the
 * unique key until the first commits (and then finds it) or rolls back (and then claims it). So a
 * message is applied at most once. The claim is taken as the connection's row is read, before its
 * lock is waited for, as when they were two statements; unlike then, a repeat also waits for the
 * lock (for whatever of its connection is in flight) before it is answered.
 */
export async function claimAndLockConnection(
  db: Executor,
  claim: { connectionId: string; requestId: string; endpoint: string },
  now: Date,
): Promise<{ claimed: boolean; connection: ConnectionRow | undefined }> {
  const row = await db
    .with('claim', (qb) =>
      qb
        .insertInto('oscp_inbound_requests')
        .values({
          connection_id: claim.connectionId,
          request_id: claim.requestId,
          endpoint: claim.endpoint,
          received_at: now,
        })
        .onConflict((oc) => oc.columns(['connection_id', 'request_id']).doNothing())
        .returning('request_id'),
    )
    .selectFrom('oscp_connections')
    .selectAll('oscp_connections')
    .select((eb) =>
      eb
        .selectFrom('claim')
        .select((c) => c.fn.countAll<number>().as('n'))
        .as('claimed'),
    )
    .where('oscp_connections.id', '=', claim.connectionId)
    .forUpdate()
    .executeTakeFirst();
  // No row: the connection is gone (never the case for an authenticated peer; connections are
  // only ever marked deleted). Whether the id was new is then unknown: it is judged as new.
  if (!row) return { claimed: true, connection: undefined };
  const { claimed, ...connection } = row;
  return { claimed: Number(claimed) > 0, connection: toConnectionRow(connection) };
}

/** Gives a claim back (the message was refused): a repeat of it is judged afresh. */
export async function releaseInboundRequest(
  db: Executor,
  claim: { connectionId: string; requestId: string },
): Promise<void> {
  await db
    .deleteFrom('oscp_inbound_requests')
    .where('connection_id', '=', claim.connectionId)
    .where('request_id', '=', claim.requestId)
    .execute();
}

/**
 * Deletes up to `limit` remembered inbound request ids received before `before` (only of
 * `endpoints` when given). They serve de-duplication of a peer's retries, which come within
 * minutes, and the record of what arrived. Returns how many went.
 */
export async function pruneInboundRequests(
  db: Executor,
  opts: { before: Date; endpoints?: readonly string[]; limit: number },
): Promise<number> {
  const endpointFilter = opts.endpoints
    ? sql`AND endpoint IN (${sql.join(opts.endpoints)})`
    : sql``;
  const result = await sql`
    DELETE FROM oscp_inbound_requests WHERE (connection_id, request_id) IN (
      SELECT connection_id, request_id FROM oscp_inbound_requests
      WHERE received_at < ${opts.before} ${endpointFilter}
      LIMIT ${opts.limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
