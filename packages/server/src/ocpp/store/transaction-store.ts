import type { Executor } from '../../platform/db/database';

export interface TransactionRow {
  transactionId: number;
  chargerId: string;
  connectorId: number;
  idTag: string;
  idTagStatus: string;
  sessionId: string | null;
  meterStartWh: number;
  startedAt: Date;
  stoppedAt: Date | null;
}

type Row = {
  transaction_id: number;
  charger_id: string;
  connector_id: number;
  id_tag: string;
  id_tag_status: string;
  session_id: string | null;
  meter_start_wh: number;
  started_at: Date;
  stopped_at: Date | null;
};

const columns = [
  'transaction_id',
  'charger_id',
  'connector_id',
  'id_tag',
  'id_tag_status',
  'session_id',
  'meter_start_wh',
  'started_at',
  'stopped_at',
] as const;

function toTransaction(r: Row): TransactionRow {
  return {
    transactionId: r.transaction_id,
    chargerId: r.charger_id,
    connectorId: r.connector_id,
    idTag: r.id_tag,
    idTagStatus: r.id_tag_status,
    sessionId: r.session_id,
    meterStartWh: r.meter_start_wh,
    startedAt: r.started_at,
    stoppedAt: r.stopped_at,
  };
}

export async function openTransaction(
  db: Executor,
  chargerId: string,
): Promise<TransactionRow | undefined> {
  const row = await db
    .selectFrom('ocpp_transactions')
    .select(columns)
    .where('charger_id', '=', chargerId)
    .where('stopped_at', 'is', null)
    .executeTakeFirst();
  return row && toTransaction(row);
}

export async function findTransaction(
  db: Executor,
  transactionId: number,
): Promise<TransactionRow | undefined> {
  const row = await db
    .selectFrom('ocpp_transactions')
    .select(columns)
    .where('transaction_id', '=', transactionId)
    .executeTakeFirst();
  return row && toTransaction(row);
}

export async function insertTransaction(
  db: Executor,
  t: {
    chargerId: string;
    connectorId: number;
    idTag: string;
    idTagStatus: string;
    sessionId: string | null;
    meterStartWh: number;
    startedAt: Date;
  },
): Promise<number> {
  const row = await db
    .insertInto('ocpp_transactions')
    .values({
      charger_id: t.chargerId,
      connector_id: t.connectorId,
      id_tag: t.idTag,
      id_tag_status: t.idTagStatus,
      session_id: t.sessionId,
      meter_start_wh: t.meterStartWh,
      started_at: t.startedAt,
    })
    .returning('transaction_id')
    .executeTakeFirstOrThrow();
  return row.transaction_id;
}

export async function closeTransaction(
  db: Executor,
  transactionId: number,
  stop: { at: Date; meterStopWh: number | null; reason: string },
): Promise<boolean> {
  const result = await db
    .updateTable('ocpp_transactions')
    .set({ stopped_at: stop.at, meter_stop_wh: stop.meterStopWh, stop_reason: stop.reason })
    .where('transaction_id', '=', transactionId)
    .where('stopped_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
