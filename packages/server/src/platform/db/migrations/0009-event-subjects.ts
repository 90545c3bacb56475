import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * Every event names the subject it is about: the stream itself, or for a family of streams (an
 * OSCP connection's aggregate and its audit stream) the family's name. Timelines read a subject
 * newest first through this index instead of scanning stream ids by prefix.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    ALTER TABLE events ADD COLUMN subject text;
    UPDATE events SET subject = CASE WHEN stream_id LIKE 'oscp-connection-%-audit' THEN left(stream_id, length(stream_id) - 6) ELSE stream_id END;
    ALTER TABLE events ALTER COLUMN subject SET NOT NULL;
    CREATE INDEX events_subject ON events (subject, global_position);
  `,
  );
}
