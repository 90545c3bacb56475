import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';

export interface LogEntry {
  chargerId: string;
  at: Date;
  direction: 'IN' | 'OUT';
  kind: 'CALL' | 'RESULT' | 'ERROR';
  action: string;
  messageId: string;
  payload: Record<string, unknown> | unknown[];
}

export async function appendLog(db: Executor, entries: readonly LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('ocpp_message_log')
    .values(
      entries.map((e) => ({
        charger_id: e.chargerId,
        at: e.at,
        direction: e.direction,
        kind: e.kind,
        action: e.action,
        message_id: e.messageId,
        payload: JSON.stringify(e.payload) as never,
      })),
    )
    .execute();
}

export async function recentLog(db: Executor, chargerId: string, limit: number) {
  return db
    .selectFrom('ocpp_message_log')
    .select(['id', 'at', 'direction', 'kind', 'action', 'message_id', 'payload'])
    .where('charger_id', '=', chargerId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Keeps the newest `keep` entries of each charger; returns how many went. */
export async function pruneLog(db: Executor, keep: number): Promise<number> {
  const result = await sql`
    DELETE FROM ocpp_message_log WHERE id IN (
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY charger_id ORDER BY id DESC) AS n
        FROM ocpp_message_log
      ) ranked WHERE n > ${keep}
    )`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
