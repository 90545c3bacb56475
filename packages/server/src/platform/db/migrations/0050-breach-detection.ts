import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * Breach detection on circuits: one watch row per circuit (its tolerance and hold time, and where
 * detection stands: over the limit since when, back under since when, which episode is open) and
 * the breach episodes themselves. At most one open episode per circuit, by index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE circuit_breach_watch (
      circuit_id uuid PRIMARY KEY REFERENCES circuits(id) ON DELETE CASCADE,
      tolerance_percent double precision NOT NULL DEFAULT 5,
      tolerance_a double precision NOT NULL DEFAULT 2,
      hold_seconds integer NOT NULL DEFAULT 60,
      worsening_percent double precision NOT NULL DEFAULT 10,
      over_since timestamptz,
      within_since timestamptz,
      open_episode_id uuid,
      updated_at timestamptz NOT NULL
    );
    CREATE TABLE breach_episodes (
      id uuid PRIMARY KEY,
      circuit_id uuid NOT NULL REFERENCES circuits(id) ON DELETE CASCADE,
      phase text NOT NULL,
      limit_a double precision NOT NULL,
      measured_a double precision NOT NULL,
      since timestamptz NOT NULL,
      started_at timestamptz NOT NULL,
      limit_source jsonb NOT NULL,
      reported_excess_a double precision NOT NULL,
      peak_a double precision NOT NULL,
      peak_phase text NOT NULL,
      worsened_at timestamptz,
      worsened_phase text,
      worsened_measured_a double precision,
      worsened_limit_a double precision,
      worsened_limit_source jsonb,
      ended_at timestamptz,
      end_confirmed_at timestamptz
    );
    CREATE UNIQUE INDEX breach_episodes_one_open ON breach_episodes (circuit_id) WHERE ended_at IS NULL;
    CREATE INDEX breach_episodes_circuit_since ON breach_episodes (circuit_id, since DESC);
  `,
  );
}
