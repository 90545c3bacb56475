import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/** A deleted OSCP connection keeps its row (and its events) so its audit stays readable. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(db, `ALTER TABLE oscp_connections ADD COLUMN deleted_at timestamptz;`);
}
