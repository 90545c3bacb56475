import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * The virtual site register of each managed scope (ADR 0040): the energy its chargers' sessions
 * advanced, per second of measurement, and the seconds folded into a total once they are old.
 * The register at an instant is the folded total plus every second up to that instant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE TABLE scope_energy_seconds (
      scope_id uuid NOT NULL REFERENCES managed_scopes(id) ON DELETE CASCADE,
      second_end timestamptz NOT NULL,
      energy_wh double precision NOT NULL CHECK (energy_wh >= 0),
      PRIMARY KEY (scope_id, second_end)
    );
    CREATE INDEX scope_energy_seconds_second_end ON scope_energy_seconds (second_end);
    CREATE TABLE scope_energy_registers (
      scope_id uuid PRIMARY KEY REFERENCES managed_scopes(id) ON DELETE CASCADE,
      folded_wh double precision NOT NULL CHECK (folded_wh >= 0),
      folded_until timestamptz NOT NULL
    );
  `,
  );
}
