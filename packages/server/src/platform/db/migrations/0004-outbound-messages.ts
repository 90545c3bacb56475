import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE outbound_messages (
      id uuid PRIMARY KEY,
      connection_id uuid NOT NULL,
      kind text NOT NULL,
      body jsonb NOT NULL,
      request_id text NOT NULL UNIQUE,
      correlation_id text,
      dedupe_key text UNIQUE,
      status text NOT NULL CHECK (status IN ('PENDING','SENDING','DELIVERED','RETRYING','FAILED')),
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      next_attempt_at timestamptz NOT NULL,
      lease_until timestamptz,
      last_error text,
      last_http_status integer,
      last_url text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      delivered_at timestamptz
    );
    CREATE INDEX outbound_messages_due ON outbound_messages (next_attempt_at) WHERE status IN ('PENDING','RETRYING','SENDING');
    CREATE INDEX outbound_messages_connection ON outbound_messages (connection_id, created_at DESC);
  `,
  );
}
