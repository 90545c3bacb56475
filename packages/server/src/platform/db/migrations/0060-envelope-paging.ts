import type { Kysely } from 'kysely';
import { runDdl } from '../ddl';

/**
 * Envelope lists are paged newest first by (submitted_at, id) per scope and per circuit, and
 * finished envelopes are pruned by age (ADR 0032).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runDdl(
    db,
    `
    CREATE INDEX envelopes_scope_page ON envelopes (scope_id, submitted_at DESC, id DESC);
    CREATE INDEX envelopes_circuit_page ON envelopes (circuit_id, submitted_at DESC, id DESC);
    CREATE INDEX envelopes_finished ON envelopes (ends_at) WHERE status IN ('EXPIRED','WITHDRAWN');
  `,
  );
}
