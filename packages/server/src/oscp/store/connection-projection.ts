import type { Executor } from '../../platform/db/database';
import type { ConnectionProfile } from '../domain/connection-profile';
import type { Connection } from '../domain/connection';

export interface ConnectionRow {
  id: string;
  displayName: string;
  groupId: string;
  microgridId: string;
  scopeId: string;
  enabled: boolean;
  state: string;
  profile: ConnectionProfile;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

type Row = {
  id: string;
  display_name: string;
  group_id: string;
  microgrid_id: string;
  scope_id: string;
  enabled: boolean;
  state: string;
  profile: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
};

function toRow(r: Row): ConnectionRow {
  return {
    id: r.id,
    displayName: r.display_name,
    groupId: r.group_id,
    microgridId: r.microgrid_id,
    scopeId: r.scope_id,
    enabled: r.enabled,
    state: r.state,
    profile: r.profile as unknown as ConnectionProfile,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The read model of connections, written in the same transaction as the events. Its partial unique
 * indexes (one enabled connection per group id, one per managed scope) are what make two
 * concurrent enables unable to both win.
 */
export async function projectConnection(db: Executor, state: Connection, now: Date): Promise<void> {
  const profile = state.profile!;
  const values = {
    display_name: profile.displayName,
    group_id: profile.groupId,
    microgrid_id: profile.microgridId,
    scope_id: profile.scopeId,
    enabled: state.enabled,
    state: state.state,
    profile: JSON.stringify(profile) as never,
    version: state.version,
    updated_at: now,
  };
  await db
    .insertInto('oscp_connections')
    .values({ id: state.id, ...values, created_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

export async function listConnections(db: Executor): Promise<ConnectionRow[]> {
  const rows = await db.selectFrom('oscp_connections').selectAll().orderBy('display_name').orderBy('id').execute();
  return rows.map(toRow);
}

export async function findConnection(db: Executor, id: string): Promise<ConnectionRow | undefined> {
  const row = await db.selectFrom('oscp_connections').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRow(row);
}

/** The enabled connection holding a group id or a scope, other than `exceptId`. */
export async function enabledHolder(
  db: Executor,
  by: { groupId?: string; scopeId?: string },
  exceptId: string,
): Promise<ConnectionRow | undefined> {
  let q = db.selectFrom('oscp_connections').selectAll().where('enabled', '=', true).where('id', '!=', exceptId);
  if (by.groupId) q = q.where('group_id', '=', by.groupId);
  if (by.scopeId) q = q.where('scope_id', '=', by.scopeId);
  const row = await q.executeTakeFirst();
  return row && toRow(row);
}
