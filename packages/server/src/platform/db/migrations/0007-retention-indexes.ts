import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/** Retention deletes finished publications and old inbound request ids by age. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE INDEX outbound_messages_finished ON outbound_messages (created_at) WHERE status IN ('DELIVERED','FAILED');
    CREATE INDEX oscp_inbound_requests_received ON oscp_inbound_requests (received_at);
  `,
  );
}
