import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/** Retention deletes meter readings by age across all chargers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(db, `CREATE INDEX meter_readings_measured_at ON meter_readings (measured_at);`);
}
