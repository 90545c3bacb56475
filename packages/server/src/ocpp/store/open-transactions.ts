import type { Executor } from '../../platform/db/database';

/** The open transactions of these chargers, by charger. */
export async function openTransactionsOf(
  db: Executor,
  chargerIds: readonly string[],
): Promise<Map<string, { transactionId: number; connectorId: number; sessionId: string | null }>> {
  if (chargerIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('ocpp_transactions')
    .select(['charger_id', 'transaction_id', 'connector_id', 'session_id'])
    .where('charger_id', 'in', chargerIds)
    .where('stopped_at', 'is', null)
    .execute();
  return new Map(
    rows.map((r) => [
      r.charger_id,
      { transactionId: r.transaction_id, connectorId: r.connector_id, sessionId: r.session_id },
    ]),
  );
}
