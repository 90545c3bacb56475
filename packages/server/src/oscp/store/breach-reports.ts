import type { Executor } from '../../platform/db/database';
import {
  breachReportKey,
  type BreachReport,
  type BreachReportContext,
} from '../domain/breach-compliance';

type Row = {
  connection_id: string;
  episode_id: string;
  circuit_id: string;
  forecast_request_id: string;
  context: Record<string, unknown>;
  started_request_id: string;
  started_at: Date;
  worsened_request_id: string | null;
  worsened_at: Date | null;
  ended_at: Date | null;
};

function toReport(r: Row): BreachReport {
  return {
    connectionId: r.connection_id,
    episodeId: r.episode_id,
    circuitId: r.circuit_id,
    forecastRequestId: r.forecast_request_id,
    context: r.context as unknown as BreachReportContext,
    startedRequestId: r.started_request_id,
    startedAt: r.started_at,
    worsenedRequestId: r.worsened_request_id,
    worsenedAt: r.worsened_at,
    endedAt: r.ended_at,
  };
}

export async function findReport(
  db: Executor,
  connectionId: string,
  episodeId: string,
): Promise<BreachReport | undefined> {
  const row = await db
    .selectFrom('oscp_breach_reports')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('episode_id', '=', episodeId)
    .executeTakeFirst();
  return row && toReport(row);
}

/** Inserts or updates the record; the (connection, episode) key keeps it one per episode. */
export async function saveReport(db: Executor, r: BreachReport): Promise<void> {
  const values = {
    circuit_id: r.circuitId,
    forecast_request_id: r.forecastRequestId,
    context: JSON.stringify(r.context) as never,
    started_request_id: r.startedRequestId,
    started_at: r.startedAt,
    worsened_request_id: r.worsenedRequestId,
    worsened_at: r.worsenedAt,
    ended_at: r.endedAt,
  };
  await db
    .insertInto('oscp_breach_reports')
    .values({ connection_id: r.connectionId, episode_id: r.episodeId, ...values })
    .onConflict((oc) => oc.columns(['connection_id', 'episode_id']).doUpdateSet(values))
    .execute();
}

/** A report with the delivery state of what it sent, as the console lists it. */
export interface ReportWithDelivery extends BreachReport {
  connectionName: string;
  startedStatus: string | null;
  worsenedStatus: string | null;
}

export async function listReports(
  db: Executor,
  filter: { connectionId?: string; circuitId?: string; limit: number },
): Promise<ReportWithDelivery[]> {
  let q = db
    .selectFrom('oscp_breach_reports as r')
    .innerJoin('oscp_connections as c', 'c.id', 'r.connection_id')
    .selectAll('r')
    .select('c.display_name');
  if (filter.connectionId) q = q.where('r.connection_id', '=', filter.connectionId);
  if (filter.circuitId) q = q.where('r.circuit_id', '=', filter.circuitId);
  const rows = await q.orderBy('r.started_at', 'desc').limit(filter.limit).execute();
  const keys = rows.flatMap((r) => [
    breachReportKey(r.connection_id, r.episode_id, 'started'),
    breachReportKey(r.connection_id, r.episode_id, 'worsened'),
  ]);
  // Through the outbox's unique dedupe key: one indexed look-up per message.
  const sent =
    keys.length === 0
      ? []
      : await db
          .selectFrom('outbound_messages')
          .select(['dedupe_key', 'status'])
          .where('dedupe_key', 'in', keys)
          .execute();
  const status = new Map(sent.map((m) => [m.dedupe_key, m.status]));
  return rows.map((r) => ({
    ...toReport(r),
    connectionName: r.display_name,
    startedStatus: status.get(breachReportKey(r.connection_id, r.episode_id, 'started')) ?? null,
    worsenedStatus: status.get(breachReportKey(r.connection_id, r.episode_id, 'worsened')) ?? null,
  }));
}
