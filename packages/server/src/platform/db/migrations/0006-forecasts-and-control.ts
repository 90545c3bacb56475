import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    ALTER TABLE envelope_blocks DROP CONSTRAINT envelope_blocks_import_limit_unit_check;
    ALTER TABLE envelope_blocks ADD CONSTRAINT envelope_blocks_import_limit_unit_check CHECK (import_limit_unit IN ('A','KW','KW_PER_PHASE'));
    ALTER TABLE envelopes ADD COLUMN role text NOT NULL DEFAULT 'LIMIT';
    CREATE TABLE oscp_forecast_blocks (
      id bigserial PRIMARY KEY,
      connection_id uuid NOT NULL,
      type text NOT NULL,
      start_at timestamptz NOT NULL,
      end_at timestamptz NOT NULL,
      limit_value double precision NOT NULL,
      limit_unit text NOT NULL,
      wire jsonb NOT NULL,
      request_id text NOT NULL,
      received_at timestamptz NOT NULL
    );
    CREATE INDEX oscp_forecast_blocks_lookup ON oscp_forecast_blocks (connection_id, type, end_at);
    CREATE TABLE oscp_control (
      connection_id uuid PRIMARY KEY,
      mode text NOT NULL,
      reason text NOT NULL,
      mode_since timestamptz NOT NULL,
      envelope_id uuid,
      envelope_fingerprint text,
      standby_envelope_id uuid,
      standby_fingerprint text,
      forecast_received boolean NOT NULL DEFAULT false,
      last_forecast jsonb,
      disconnected_at timestamptz,
      incident_id uuid,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE notifications (
      id uuid PRIMARY KEY,
      kind text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('INFO','WARNING','ALARM')),
      title text NOT NULL,
      message text NOT NULL,
      context jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      acknowledged_at timestamptz,
      acknowledged_by text
    );
    CREATE INDEX notifications_created ON notifications (created_at DESC);
    CREATE TABLE incidents (
      id uuid PRIMARY KEY,
      kind text NOT NULL,
      status text NOT NULL CHECK (status IN ('OPEN','RESOLVED')),
      title text NOT NULL,
      context jsonb NOT NULL,
      opened_at timestamptz NOT NULL,
      resolved_at timestamptz,
      resolution text
    );
    CREATE INDEX incidents_opened ON incidents (opened_at DESC);
  `,
  );
}
