import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      username text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('VIEWER','OPERATOR','MANAGER','SYSTEM_ADMIN')),
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL
    );
    CREATE TABLE auth_sessions (
      id_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    );
    CREATE TABLE api_tokens (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL,
      token_hash text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    CREATE TABLE events (
      global_position bigserial PRIMARY KEY,
      stream_id text NOT NULL,
      version integer NOT NULL,
      type text NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL DEFAULT '{}',
      recorded_at timestamptz NOT NULL,
      UNIQUE (stream_id, version)
    );
    CREATE TABLE scheduled_work (
      id bigserial PRIMARY KEY,
      kind text NOT NULL,
      dedupe_key text NOT NULL,
      due_at timestamptz NOT NULL,
      payload jsonb NOT NULL DEFAULT '{}',
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      created_at timestamptz NOT NULL,
      UNIQUE (kind, dedupe_key)
    );
    CREATE INDEX scheduled_work_due ON scheduled_work (due_at);
  `,
  );
}
