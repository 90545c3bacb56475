import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * Every measurement publication with its window and values (ADR 0040), kept for the measurement
 * retention horizon; its delivery is the outbox row it names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE oscp_measurements (
      id uuid PRIMARY KEY,
      connection_id uuid NOT NULL,
      scope_id uuid NOT NULL,
      group_id text NOT NULL,
      kind text NOT NULL,
      configuration text NOT NULL CHECK (configuration IN ('CONTINUOUS','INTERMITTENT')),
      window_start timestamptz NOT NULL,
      window_end timestamptz NOT NULL,
      energy_wh double precision NOT NULL,
      register_wh double precision NOT NULL,
      max_load_w double precision NOT NULL,
      max_load_at timestamptz,
      readings integer NOT NULL,
      outbound_message_id uuid NOT NULL,
      request_id text NOT NULL,
      body jsonb NOT NULL,
      created_at timestamptz NOT NULL,
      UNIQUE (connection_id, window_end),
      CHECK (window_start < window_end)
    );
    CREATE INDEX oscp_measurements_created ON oscp_measurements (created_at);
  `,
  );
}
