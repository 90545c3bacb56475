import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import type { CapacityForecastType } from '@openvelope/oscp';
import type { ControlState, ForecastBlock, LastForecast } from '../domain/control';
import type { StoredBlock, TranslatedLimit } from '../domain/forecast-translation';

export interface ForecastBlockRow extends StoredBlock {
  type: string;
  wire: Record<string, unknown>;
  receivedAt: Date;
}

export async function blocksOf(
  db: Executor,
  connectionId: string,
  types: readonly string[],
  from?: Date,
): Promise<ForecastBlockRow[]> {
  let q = db
    .selectFrom('oscp_forecast_blocks')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('type', 'in', types);
  if (from) q = q.where('end_at', '>', from);
  const rows = await q.orderBy('start_at').orderBy('id').execute();
  return rows.map((r) => ({
    type: r.type,
    start: r.start_at,
    end: r.end_at,
    limit: { value: r.limit_value, unit: r.limit_unit as TranslatedLimit['unit'] },
    requestId: r.request_id,
    wire: r.wire,
    receivedAt: r.received_at,
  }));
}

/**
 * The stored blocks of some types that end after `from`, with their row ids: what a control
 * decision reads (the limits in force, and those a new forecast may replace).
 */
export async function forecastBlocksFrom(
  db: Executor,
  connectionId: string,
  types: readonly string[],
  from: Date,
): Promise<ForecastBlock[]> {
  const rows = await db
    .selectFrom('oscp_forecast_blocks')
    .select(['id', 'type', 'start_at', 'end_at', 'limit_value', 'limit_unit', 'request_id', 'wire'])
    .where('connection_id', '=', connectionId)
    .where('type', 'in', types)
    .where('end_at', '>', from)
    .orderBy('start_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type as CapacityForecastType,
    start: r.start_at,
    end: r.end_at,
    limit: { value: r.limit_value, unit: r.limit_unit as TranslatedLimit['unit'] },
    requestId: r.request_id,
    wire: r.wire,
  }));
}

/** Writes a replacement decided by `replaceBlocks`: the removed rows go, the added ones come. */
export async function replaceForecastBlocks(
  db: Executor,
  connectionId: string,
  change: { forecastType: string; remove: readonly number[]; add: readonly ForecastBlock[] },
  now: Date,
): Promise<void> {
  // One statement, the new blocks as one JSON parameter: a day of 15-minute blocks is 96 rows.
  const rows = JSON.stringify(
    change.add.map((b) => ({
      start_at: b.start.toISOString(),
      end_at: b.end.toISOString(),
      limit_value: b.limit.value,
      limit_unit: b.limit.unit,
      wire: b.wire,
      request_id: b.requestId,
    })),
  );
  const removed = JSON.stringify(change.remove);
  await sql`
    WITH removed AS (
      DELETE FROM oscp_forecast_blocks
      WHERE connection_id = ${connectionId}
        AND id IN (SELECT value::bigint FROM jsonb_array_elements_text(${removed}::jsonb))
      RETURNING 1
    )
    INSERT INTO oscp_forecast_blocks
      (connection_id, type, start_at, end_at, limit_value, limit_unit, wire, request_id, received_at)
    SELECT ${connectionId}, ${change.forecastType}, b.start_at, b.end_at, b.limit_value,
      b.limit_unit, b.wire, b.request_id, ${now}
    FROM jsonb_to_recordset(${rows}::jsonb) AS b (
      start_at timestamptz, end_at timestamptz, limit_value double precision, limit_unit text,
      wire jsonb, request_id text
    )`.execute(db);
}

export async function deleteForecastBlocks(db: Executor, connectionId: string): Promise<void> {
  await db.deleteFrom('oscp_forecast_blocks').where('connection_id', '=', connectionId).execute();
}

/** A connection's control record: the control decider's state. */
export type ControlRow = ControlState & { connectionId: string };

export async function findControl(
  db: Executor,
  connectionId: string,
): Promise<ControlRow | undefined> {
  return (await findControls(db, [connectionId])).get(connectionId);
}

/** The control rows of many connections in one statement, by connection id. */
export async function findControls(
  db: Executor,
  connectionIds: readonly string[],
): Promise<Map<string, ControlRow>> {
  if (connectionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('oscp_control')
    .selectAll()
    .where('connection_id', 'in', [...new Set(connectionIds)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.connection_id,
      {
        connectionId: r.connection_id,
        mode: r.mode as ControlState['mode'],
        reason: r.reason,
        modeSince: r.mode_since,
        envelopeId: r.envelope_id,
        envelopeFingerprint: r.envelope_fingerprint,
        standbyEnvelopeId: r.standby_envelope_id,
        standbyFingerprint: r.standby_fingerprint,
        forecastReceived: r.forecast_received,
        lastForecast: r.last_forecast as unknown as LastForecast | null,
        disconnectedAt: r.disconnected_at,
        incidentId: r.incident_id,
      },
    ]),
  );
}

export async function saveControl(db: Executor, c: ControlRow, now: Date): Promise<void> {
  const values = {
    mode: c.mode,
    reason: c.reason,
    mode_since: c.modeSince,
    envelope_id: c.envelopeId,
    envelope_fingerprint: c.envelopeFingerprint,
    standby_envelope_id: c.standbyEnvelopeId,
    standby_fingerprint: c.standbyFingerprint,
    forecast_received: c.forecastReceived,
    last_forecast: c.lastForecast === null ? null : (JSON.stringify(c.lastForecast) as never),
    disconnected_at: c.disconnectedAt,
    incident_id: c.incidentId,
    updated_at: now,
  };
  await db
    .insertInto('oscp_control')
    .values({ connection_id: c.connectionId, ...values })
    .onConflict((oc) => oc.column('connection_id').doUpdateSet(values))
    .execute();
}
