import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE secrets (
      name text PRIMARY KEY,
      ciphertext text NOT NULL,
      iv text NOT NULL,
      auth_tag text NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      updated_by text
    );
    CREATE TABLE oscp_connections (
      id uuid PRIMARY KEY,
      display_name text NOT NULL,
      group_id text NOT NULL,
      microgrid_id uuid NOT NULL,
      scope_id uuid NOT NULL,
      enabled boolean NOT NULL,
      state text NOT NULL,
      profile jsonb NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    );
    CREATE UNIQUE INDEX oscp_one_enabled_per_group ON oscp_connections (group_id) WHERE enabled;
    CREATE UNIQUE INDEX oscp_one_enabled_per_scope ON oscp_connections (scope_id) WHERE enabled;
  `,
  );
}
