import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * What OSCP told a Capacity Provider about each breach episode: one row per connection and
 * episode (the key is the de-duplication that survives a restart), with the request ids of the
 * compliance error sent when it started and of the one sent when it worsened.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE oscp_breach_reports (
      connection_id uuid NOT NULL REFERENCES oscp_connections(id) ON DELETE CASCADE,
      episode_id uuid NOT NULL,
      circuit_id uuid NOT NULL,
      forecast_request_id text NOT NULL,
      context jsonb NOT NULL,
      started_request_id text NOT NULL,
      started_at timestamptz NOT NULL,
      worsened_request_id text,
      worsened_at timestamptz,
      ended_at timestamptz,
      PRIMARY KEY (connection_id, episode_id)
    );
    CREATE INDEX oscp_breach_reports_circuit ON oscp_breach_reports (circuit_id, started_at DESC);
    CREATE INDEX oscp_breach_reports_connection ON oscp_breach_reports (connection_id, started_at DESC);
  `,
  );
}
