import { sql, type Kysely } from 'kysely';

/**
 * Runs a DDL script one statement at a time: PGlite's query path takes one statement per call.
 * Statements are separated by a semicolon at the end of a line; none of ours contains one inside.
 */
export async function runDdl(db: Kysely<unknown>, script: string): Promise<void> {
  const statements = script
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const statement of statements) await sql.raw(statement).execute(db);
}
