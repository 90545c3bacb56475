import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';

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
