import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    ALTER TABLE oscp_connections ADD COLUMN lifecycle jsonb NOT NULL DEFAULT '{}';
    ALTER TABLE oscp_connections ADD COLUMN latest_error jsonb;
    ALTER TABLE oscp_connections ADD COLUMN configuration_version integer NOT NULL DEFAULT 0;
    CREATE TABLE oscp_peer_credentials (
      id uuid PRIMARY KEY,
      connection_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('INITIAL_TOKEN','TOKEN','OAUTH_CLIENT','ACCESS_TOKEN')),
      secret_hash text NOT NULL UNIQUE,
      client_id text UNIQUE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz
    );
    CREATE INDEX oscp_peer_credentials_connection ON oscp_peer_credentials (connection_id, kind);
    CREATE TABLE oscp_inbound_requests (
      connection_id uuid NOT NULL,
      request_id text NOT NULL,
      endpoint text NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, request_id)
    );
  `,
  );
}
