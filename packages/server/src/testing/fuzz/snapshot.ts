import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';

/**
 * A digest of every table's content, to show that a request changed nothing. Left out: the tables
 * in `tables` and the events of the types in `events`, records a refused request writes on purpose
 * (the refusal log, a rejected envelope's event).
 */
export async function storedState(
  db: Db,
  except: { tables?: readonly string[]; events?: readonly string[] } = {},
): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ tablename: string }>`
    SELECT tablename FROM pg_tables
    WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%'
    ORDER BY tablename`.execute(db);
  const digests = tables
    .map((t) => t.tablename)
    .filter((name) => !except.tables?.includes(name))
    .map((name) => {
      const skipped = name === 'events' && except.events?.length ? except.events : [];
      const where = skipped.length
        ? ` WHERE t.type NOT IN (${skipped.map((type) => `'${type}'`).join(', ')})`
        : '';
      return `SELECT '${name}' AS name, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t${where}`;
    });
  const { rows } = await sql
    .raw<{ name: string; digest: string }>(digests.join(' UNION ALL '))
    .execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

/** The tables whose digests differ. */
export function changedTables(
  before: Record<string, string>,
  after: Record<string, string>,
): string[] {
  return Object.keys({ ...before, ...after }).filter((name) => before[name] !== after[name]);
}
