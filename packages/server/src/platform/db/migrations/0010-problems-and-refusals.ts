import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * A connection's problems as a list (one open row per kind and subject, kept when cleared), and
 * the compact log of refused inbound OSCP calls (a flood of alike ones folded into one row).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE oscp_connection_problems (
      id bigserial PRIMARY KEY,
      connection_id uuid NOT NULL,
      kind text NOT NULL,
      subject text NOT NULL DEFAULT '',
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      count integer NOT NULL DEFAULT 1,
      detail jsonb NOT NULL,
      cleared_at timestamptz
    );
    CREATE UNIQUE INDEX oscp_connection_problems_open ON oscp_connection_problems (connection_id, kind, subject) WHERE cleared_at IS NULL;
    CREATE INDEX oscp_connection_problems_recent ON oscp_connection_problems (connection_id, last_seen DESC);
    CREATE INDEX oscp_connection_problems_cleared ON oscp_connection_problems (cleared_at) WHERE cleared_at IS NOT NULL;
    INSERT INTO oscp_connection_problems (connection_id, kind, subject, first_seen, last_seen, detail, cleared_at)
      SELECT id, latest_error->>'source', '', (latest_error->>'at')::timestamptz, (latest_error->>'at')::timestamptz,
        latest_error - 'source' - 'clearedAt', (latest_error->>'clearedAt')::timestamptz
      FROM oscp_connections WHERE latest_error IS NOT NULL AND latest_error->>'source' IS NOT NULL AND latest_error->>'at' IS NOT NULL;
    ALTER TABLE oscp_connections DROP COLUMN latest_error;
    CREATE TABLE oscp_inbound_refusals (
      id bigserial PRIMARY KEY,
      minute timestamptz NOT NULL,
      first_at timestamptz NOT NULL,
      last_at timestamptz NOT NULL,
      repeats integer NOT NULL DEFAULT 1,
      source text NOT NULL,
      endpoint text NOT NULL,
      status integer NOT NULL,
      reason text NOT NULL,
      reason_key text NOT NULL,
      connection_id uuid,
      connection_key text NOT NULL,
      credential text,
      request_id text,
      authorization_scheme text
    );
    CREATE INDEX oscp_inbound_refusals_alike ON oscp_inbound_refusals (source, endpoint, status, reason_key, connection_key, minute);
    CREATE INDEX oscp_inbound_refusals_last ON oscp_inbound_refusals (last_at);
    CREATE INDEX oscp_inbound_refusals_connection ON oscp_inbound_refusals (connection_id, id DESC) WHERE connection_id IS NOT NULL;
    CREATE INDEX oscp_inbound_refusals_source ON oscp_inbound_refusals (source, id DESC);
  `,
  );
}
