import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database';
import { withProfileDefaults, type ConnectionProfile } from '../domain/connection-profile';
import type { Connection } from '../domain/connection';
import { withLifecycleDefaults, type Lifecycle } from '../domain/lifecycle';

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
  configurationVersion: number;
  lifecycle: Lifecycle;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
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
  configuration_version: number;
  lifecycle: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
};

export function toConnectionRow(r: Row): ConnectionRow {
  return {
    id: r.id,
    displayName: r.display_name,
    groupId: r.group_id,
    microgridId: r.microgrid_id,
    scopeId: r.scope_id,
    enabled: r.enabled,
    state: r.state,
    profile: withProfileDefaults(r.profile as unknown as ConnectionProfile),
    version: r.version,
    configurationVersion: r.configuration_version,
    // Rows written before a lifecycle field existed read it as its initial value.
    lifecycle: withLifecycleDefaults(r.lifecycle as Partial<Lifecycle>),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
  };
}

/**
 * The read model of connections, written in the same transaction as the events. Its partial unique
 * indexes (one enabled connection per group id, one per managed scope) are what make two
 * concurrent enables unable to both win.
 */
export async function projectConnection(
  db: Executor,
  state: Connection,
  lifecycle: Lifecycle,
  now: Date,
): Promise<void> {
  const profile = state.profile!;
  const values = {
    display_name: profile.displayName,
    group_id: profile.groupId,
    microgrid_id: profile.microgridId,
    scope_id: profile.scopeId,
    enabled: state.enabled,
    state: lifecycle.phase,
    profile: JSON.stringify(profile) as never,
    lifecycle: JSON.stringify(lifecycle) as never,
    version: state.version,
    configuration_version: state.configurationVersion,
    deleted_at: state.deletedAt,
    updated_at: now,
  };
  await db
    .insertInto('oscp_connections')
    .values({ id: state.id, ...values, created_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet(values))
    .execute();
}

/**
 * Locks one connection's row until the transaction ends, so commands on the same connection run one
 * after the other: the second then reads the first one's events instead of colliding with them on
 * the stream version (which PostgreSQL reports as an aborted transaction, not as a conflict).
 */
export async function lockConnection(db: Executor, id: string): Promise<void> {
  await db.selectFrom('oscp_connections').select('id').where('id', '=', id).forUpdate().execute();
}

export interface ConnectionListQuery {
  includeDeleted?: boolean;
  /** Case-insensitive part of the display name or the group id. */
  search?: string;
  /** One page of the list, by display name; every row when absent. */
  page?: { limit: number; offset: number };
}

/** The connections by display name, and how many match in all (two statements at most). */
export async function listConnections(
  db: Executor,
  query: ConnectionListQuery = {},
): Promise<{ rows: ConnectionRow[]; total: number }> {
  let q = db.selectFrom('oscp_connections');
  if (!query.includeDeleted) q = q.where('deleted_at', 'is', null);
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([eb('display_name', 'ilike', pattern), eb('group_id', 'ilike', pattern)]),
    );
  }
  let rowsQuery = q.selectAll().orderBy('display_name').orderBy('id');
  if (query.page) rowsQuery = rowsQuery.limit(query.page.limit).offset(query.page.offset);
  const rows = (await rowsQuery.execute()).map(toConnectionRow);
  const whole = !query.page || (query.page.offset === 0 && rows.length < query.page.limit);
  const total = whole
    ? rows.length
    : Number(
        (await q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
      );
  return { rows, total };
}

/** Every connection's name and group id, deleted ones too, by name: four columns, no JSON. */
export async function listConnectionNames(
  db: Executor,
): Promise<{ id: string; displayName: string; groupId: string; deletedAt: Date | null }[]> {
  return db
    .selectFrom('oscp_connections')
    .select(['id', 'display_name as displayName', 'group_id as groupId', 'deleted_at as deletedAt'])
    .orderBy('display_name')
    .orderBy('id')
    .execute();
}

export async function findConnection(
  db: Executor,
  id: string,
  lock = false,
): Promise<ConnectionRow | undefined> {
  let q = db.selectFrom('oscp_connections').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row && toConnectionRow(row);
}

export async function findByGroupId(
  db: Executor,
  groupId: string,
): Promise<ConnectionRow | undefined> {
  const row = await db
    .selectFrom('oscp_connections')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('deleted_at', 'is', null)
    .orderBy('enabled', 'desc')
    .orderBy('updated_at', 'desc')
    .executeTakeFirst();
  return row && toConnectionRow(row);
}

export async function saveLifecycle(
  db: Executor,
  id: string,
  next: { lifecycle: Lifecycle; version: number },
  now: Date,
): Promise<void> {
  await db
    .updateTable('oscp_connections')
    .set({
      lifecycle: JSON.stringify(next.lifecycle) as never,
      state: next.lifecycle.phase,
      version: next.version,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Heartbeats are not events (only the transitions they cause are): they update the snapshot in
 * place. Returns the connection's state, or undefined when it does not exist.
 */
export async function saveHeartbeat(
  db: Executor,
  id: string,
  beat: { receivedAt: Date; offlineModeAt: Date },
): Promise<string | undefined> {
  const patch = JSON.stringify({
    lastReceivedAt: beat.receivedAt.toISOString(),
    peerOfflineAt: beat.offlineModeAt.toISOString(),
  });
  const result = await sql<{ state: string }>`
    UPDATE oscp_connections
    SET lifecycle = jsonb_set(lifecycle, '{heartbeat}', coalesce(lifecycle->'heartbeat', '{}'::jsonb) || ${patch}::jsonb)
    WHERE id = ${id}
    RETURNING state`.execute(db);
  return result.rows[0]?.state;
}

/** The enabled connection holding a group id or a scope, other than `exceptId`. */
export async function enabledHolder(
  db: Executor,
  by: { groupId?: string; scopeId?: string },
  exceptId?: string,
): Promise<ConnectionRow | undefined> {
  let q = db.selectFrom('oscp_connections').selectAll().where('enabled', '=', true);
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (by.groupId) q = q.where('group_id', '=', by.groupId);
  if (by.scopeId) q = q.where('scope_id', '=', by.scopeId);
  const row = await q.executeTakeFirst();
  return row && toConnectionRow(row);
}
