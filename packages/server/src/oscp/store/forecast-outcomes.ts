import { sql } from 'kysely';
import type { CapacityForecastType } from '@openvelope/oscp';
import type { Executor } from '../../platform/db/database';

export interface ForecastOutcome {
  requestId: string;
  outcome: 'ACCEPTED' | 'REJECTED';
  type: CapacityForecastType;
  at: string;
  reason: string | null;
}

const INTAKE = ['OscpForecastAccepted', 'OscpForecastRejected'];

function toOutcome(r: { type: string; data: Record<string, unknown> }): ForecastOutcome {
  return {
    requestId: String(r.data.requestId),
    outcome: r.type === 'OscpForecastAccepted' ? 'ACCEPTED' : 'REJECTED',
    type: r.data.type as CapacityForecastType,
    at: String(r.data.at),
    reason: typeof r.data.reason === 'string' ? r.data.reason : null,
  };
}

/**
 * What became of a forecast this connection received, from its audit records (accepted wins:
 * a refused request id may be sent again and accepted).
 */
export async function forecastOutcome(
  db: Executor,
  /** The connection's audit stream, where forecast intake is recorded. */
  auditStream: string,
  requestId: string,
): Promise<ForecastOutcome | undefined> {
  const row = await db
    .selectFrom('events')
    .select(['type', 'data'])
    .where('stream_id', '=', auditStream)
    .where('type', 'in', INTAKE)
    .where(sql<string>`data->>'requestId'`, '=', requestId)
    .orderBy(sql`type = 'OscpForecastAccepted'`, 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toOutcome(row);
}

/** The forecast this connection accepted last. */
export async function latestAcceptedForecast(
  db: Executor,
  auditStream: string,
): Promise<ForecastOutcome | undefined> {
  const row = await db
    .selectFrom('events')
    .select(['type', 'data'])
    .where('stream_id', '=', auditStream)
    .where('type', '=', 'OscpForecastAccepted')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toOutcome(row);
}
