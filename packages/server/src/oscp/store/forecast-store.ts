import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
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

/** The same blocks without their wire form: what control decisions read on every forecast. */
export async function limitsOf(
  db: Executor,
  connectionId: string,
  types: readonly string[],
  from: Date,
): Promise<(StoredBlock & { type: string })[]> {
  const rows = await db
    .selectFrom('oscp_forecast_blocks')
    .select(['type', 'start_at', 'end_at', 'limit_value', 'limit_unit', 'request_id'])
    .where('connection_id', '=', connectionId)
    .where('type', 'in', types)
    .where('end_at', '>', from)
    .orderBy('start_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    type: r.type,
    start: r.start_at,
    end: r.end_at,
    limit: { value: r.limit_value, unit: r.limit_unit as TranslatedLimit['unit'] },
    requestId: r.request_id,
  }));
}

/** Writes the blocks of one type after replacement: what the forecast replaced goes, the rest stays. */
export async function replaceStoredBlocks(
  db: Executor,
  connectionId: string,
  type: string,
  span: { start: Date; end: Date },
  incoming: readonly (StoredBlock & { wire: Record<string, unknown> })[],
  now: Date,
): Promise<number> {
  // One statement, the blocks as one JSON parameter: a day of 15-minute blocks is 96 rows.
  const rows = JSON.stringify(
    incoming.map((b) => ({
      start_at: b.start.toISOString(),
      end_at: b.end.toISOString(),
      limit_value: b.limit.value,
      limit_unit: b.limit.unit,
      wire: b.wire,
      request_id: b.requestId,
    })),
  );
  const result = await sql<{ removed: number | string }>`
    WITH removed AS (
      DELETE FROM oscp_forecast_blocks
      WHERE connection_id = ${connectionId} AND type = ${type}
        AND start_at < ${span.end} AND end_at > ${span.start}
      RETURNING 1
    ), inserted AS (
      INSERT INTO oscp_forecast_blocks
        (connection_id, type, start_at, end_at, limit_value, limit_unit, wire, request_id, received_at)
      SELECT ${connectionId}, ${type}, b.start_at, b.end_at, b.limit_value, b.limit_unit, b.wire,
        b.request_id, ${now}
      FROM jsonb_to_recordset(${rows}::jsonb) AS b (
        start_at timestamptz, end_at timestamptz, limit_value double precision, limit_unit text,
        wire jsonb, request_id text
      )
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM removed) AS removed`.execute(db);
  return Number(result.rows[0]!.removed);
}

export interface ControlRow {
  connectionId: string;
  mode: string;
  reason: string;
  modeSince: Date;
  envelopeId: string | null;
  envelopeFingerprint: string | null;
  /** Fallback coverage shown ahead (a STANDBY envelope, never enforced). */
  standbyEnvelopeId: string | null;
  standbyFingerprint: string | null;
  forecastReceived: boolean;
  lastForecast: Record<string, unknown> | null;
  disconnectedAt: Date | null;
  incidentId: string | null;
}

export async function findControl(
  db: Executor,
  connectionId: string,
): Promise<ControlRow | undefined> {
  const r = await db
    .selectFrom('oscp_control')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return r
    ? {
        connectionId: r.connection_id,
        mode: r.mode,
        reason: r.reason,
        modeSince: r.mode_since,
        envelopeId: r.envelope_id,
        envelopeFingerprint: r.envelope_fingerprint,
        standbyEnvelopeId: r.standby_envelope_id,
        standbyFingerprint: r.standby_fingerprint,
        forecastReceived: r.forecast_received,
        lastForecast: r.last_forecast,
        disconnectedAt: r.disconnected_at,
        incidentId: r.incident_id,
      }
    : undefined;
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
