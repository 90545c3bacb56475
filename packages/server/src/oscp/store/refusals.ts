import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';

/** One refused inbound OSCP call, as the http edge and the use cases know it. */
export interface RefusalRecord {
  at: Date;
  /** The caller's address. */
  source: string;
  endpoint: string;
  status: number;
  reason: string;
  /** The connection the credential was matched to, where it was. */
  connectionId: string | null;
  /** What the credential was matched to: a credential kind, a user, an OAuth client. */
  credential: string | null;
  requestId: string | null;
  /** The scheme word of the Authorization header only, never the credential. */
  authorizationScheme: string | null;
}

/** A row of the refusal log: one refusal, or several alike within one minute. */
export interface RefusalView {
  id: number;
  firstAt: string;
  lastAt: string;
  /** How many refusals this row stands for: more than one once alike ones were folded into it. */
  repeats: number;
  source: string;
  endpoint: string;
  status: number;
  reason: string;
  connectionId: string | null;
  credential: string | null;
  requestId: string | null;
  authorizationScheme: string | null;
}

/** Rows kept per source address; a flood from one place overwrites its own oldest rows only. */
export const REFUSALS_KEPT_PER_SOURCE = 500;

/** Alike refusals (source, endpoint, status, reason, connection) kept one by one within a minute. */
export const ALIKE_KEPT_PER_MINUTE = 10;

/** Reasons are ours, but a malformed body's reason quotes the body: a bounded length is kept. */
const MAX_REASON = 500;

/**
 * Records a refusal compactly (ADR 0020): the first ALIKE_KEPT_PER_MINUTE alike refusals of a
 * minute get a row each, later ones fold into the latest of them (its count, last instant and
 * request id), and each source keeps at most REFUSALS_KEPT_PER_SOURCE rows.
 */
export async function recordRefusal(db: Executor, r: RefusalRecord): Promise<void> {
  const reason = r.reason.length > MAX_REASON ? `${r.reason.slice(0, MAX_REASON)}…` : r.reason;
  const minute = new Date(Math.floor(r.at.getTime() / 60_000) * 60_000);
  const reasonKey = createHash('sha256').update(reason).digest('hex');
  const connectionKey = r.connectionId ?? '';
  const alike = await sql<{ n: number; latest: number | null }>`
    SELECT count(*)::int AS n, max(id) AS latest FROM oscp_inbound_refusals
    WHERE source = ${r.source} AND endpoint = ${r.endpoint} AND status = ${r.status}
      AND reason_key = ${reasonKey} AND connection_key = ${connectionKey} AND minute = ${minute}`.execute(
    db,
  );
  const { n, latest } = alike.rows[0]!;
  if (n >= ALIKE_KEPT_PER_MINUTE && latest !== null) {
    await db
      .updateTable('oscp_inbound_refusals')
      .set((eb) => ({
        repeats: eb('repeats', '+', 1),
        last_at: r.at,
        request_id: r.requestId,
      }))
      .where('id', '=', latest)
      .execute();
    return;
  }
  await db
    .insertInto('oscp_inbound_refusals')
    .values({
      minute,
      first_at: r.at,
      last_at: r.at,
      source: r.source,
      endpoint: r.endpoint,
      status: r.status,
      reason,
      reason_key: reasonKey,
      connection_id: r.connectionId,
      connection_key: connectionKey,
      credential: r.credential,
      request_id: r.requestId,
      authorization_scheme: r.authorizationScheme,
    })
    .execute();
  // Rows another refusal is already removing are skipped, not waited for: concurrent floods from
  // one source never wait on each other here (and so never deadlock).
  await sql`
    DELETE FROM oscp_inbound_refusals WHERE id IN (
      SELECT id FROM oscp_inbound_refusals WHERE source = ${r.source} AND id <= (
        SELECT id FROM oscp_inbound_refusals WHERE source = ${r.source}
        ORDER BY id DESC OFFSET ${REFUSALS_KEPT_PER_SOURCE} LIMIT 1
      )
      FOR UPDATE SKIP LOCKED
    )`.execute(db);
}

/** The refusal log, newest first, optionally of one connection or one source; `before` pages on. */
export async function listRefusals(
  db: Executor,
  filter: { connectionId?: string; source?: string; beforeId?: number; limit: number },
): Promise<RefusalView[]> {
  let q = db.selectFrom('oscp_inbound_refusals').selectAll();
  if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId);
  if (filter.source) q = q.where('source', '=', filter.source);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    firstAt: r.first_at.toISOString(),
    lastAt: r.last_at.toISOString(),
    repeats: r.repeats,
    source: r.source,
    endpoint: r.endpoint,
    status: r.status,
    reason: r.reason,
    connectionId: r.connection_id,
    credential: r.credential,
    requestId: r.request_id,
    authorizationScheme: r.authorization_scheme,
  }));
}

/** Deletes up to `limit` refusal rows last seen before `before`; returns how many went. */
export async function pruneRefusals(
  db: Executor,
  opts: { before: Date; limit: number },
): Promise<number> {
  const result = await sql`
    DELETE FROM oscp_inbound_refusals WHERE id IN (
      SELECT id FROM oscp_inbound_refusals WHERE last_at < ${opts.before} LIMIT ${opts.limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
