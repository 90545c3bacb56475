import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import {
  problemAction,
  type ConnectionProblem,
  type ProblemKind,
  type ProblemReport,
} from '../domain/connection-problem';

type Row = {
  connection_id: string;
  kind: string;
  subject: string;
  first_seen: Date;
  last_seen: Date;
  count: number;
  detail: Record<string, unknown>;
  cleared_at: Date | null;
};

function toProblem(r: Row): ConnectionProblem {
  const d = r.detail as {
    attempted?: string;
    url?: string | null;
    status?: string | null;
    message?: string;
    hint?: string | null;
  };
  const kind = r.kind as ProblemKind;
  const status = d.status ?? null;
  return {
    kind,
    subject: r.subject,
    at: r.last_seen.toISOString(),
    attempted: d.attempted ?? '',
    url: d.url ?? null,
    status,
    message: d.message ?? '',
    hint: d.hint ?? null,
    action: problemAction({ kind, status }),
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    count: r.count,
    clearedAt: r.cleared_at?.toISOString() ?? null,
  };
}

/**
 * Records a problem: a new open row, or the open one of its kind and subject seen again (its
 * count, last-seen instant and latest detail). Returns whether it was newly opened.
 */
export async function openProblem(
  db: Executor,
  connectionId: string,
  report: ProblemReport & { hint: string | null },
): Promise<boolean> {
  const detail = JSON.stringify({
    attempted: report.attempted,
    url: report.url,
    status: report.status,
    message: report.message,
    hint: report.hint,
  });
  const result = await sql<{ opened: boolean }>`
    INSERT INTO oscp_connection_problems (connection_id, kind, subject, first_seen, last_seen, detail)
    VALUES (${connectionId}, ${report.kind}, ${report.subject}, ${report.at}, ${report.at}, ${detail}::jsonb)
    ON CONFLICT (connection_id, kind, subject) WHERE cleared_at IS NULL DO UPDATE
      SET last_seen = excluded.last_seen, count = oscp_connection_problems.count + 1,
        detail = excluded.detail
    RETURNING (xmax = 0) AS opened`.execute(db);
  return result.rows[0]?.opened ?? false;
}

/** Clears the open problem of a kind and subject; returns it if there was one. */
export async function clearProblem(
  db: Executor,
  connectionId: string,
  kind: ProblemKind,
  subject: string,
  at: string,
): Promise<ConnectionProblem | undefined> {
  const row = await db
    .updateTable('oscp_connection_problems')
    .set({ cleared_at: at })
    .where('connection_id', '=', connectionId)
    .where('kind', '=', kind)
    .where('subject', '=', subject)
    .where('cleared_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row && toProblem(row);
}

/** A connection's problems: every open one, then the most recently cleared, newest first. */
export async function listProblems(
  db: Executor,
  connectionId: string,
  clearedLimit = 20,
): Promise<ConnectionProblem[]> {
  const rows = await sql<Row>`
    (SELECT * FROM oscp_connection_problems
      WHERE connection_id = ${connectionId} AND cleared_at IS NULL ORDER BY last_seen DESC)
    UNION ALL
    (SELECT * FROM oscp_connection_problems
      WHERE connection_id = ${connectionId} AND cleared_at IS NOT NULL
      ORDER BY last_seen DESC LIMIT ${clearedLimit})`.execute(db);
  return rows.rows.map(toProblem);
}

/** The open problems of many connections at once (lists), and each one's latest cleared. */
export async function problemsOf(
  db: Executor,
  connectionIds: readonly string[],
): Promise<Map<string, ConnectionProblem[]>> {
  const byConnection = new Map<string, ConnectionProblem[]>();
  if (connectionIds.length === 0) return byConnection;
  const rows = await sql<Row>`
    (SELECT * FROM oscp_connection_problems
      WHERE connection_id IN (${sql.join(connectionIds)}) AND cleared_at IS NULL)
    UNION ALL
    (SELECT DISTINCT ON (connection_id) * FROM oscp_connection_problems
      WHERE connection_id IN (${sql.join(connectionIds)}) AND cleared_at IS NOT NULL
      ORDER BY connection_id, last_seen DESC)`.execute(db);
  for (const row of rows.rows) {
    const list = byConnection.get(row.connection_id) ?? [];
    list.push(toProblem(row));
    byConnection.set(row.connection_id, list);
  }
  return byConnection;
}

/** Deletes up to `limit` problems cleared before `before`; returns how many went. */
export async function pruneClearedProblems(
  db: Executor,
  opts: { before: Date; limit: number },
): Promise<number> {
  const result = await sql`
    DELETE FROM oscp_connection_problems WHERE id IN (
      SELECT id FROM oscp_connection_problems WHERE cleared_at < ${opts.before} LIMIT ${opts.limit}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
