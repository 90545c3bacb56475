import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/database';
import type { Role, UserPrincipal } from './roles';
import { sha256 } from './secrets';

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
}

const userColumns = ['id', 'username', 'role', 'disabled', 'created_at'] as const;

function toUser(row: {
  id: string;
  username: string;
  role: string;
  disabled: boolean;
  created_at: Date;
}): UserRow {
  return {
    id: row.id,
    username: row.username,
    role: row.role as Role,
    disabled: row.disabled,
    createdAt: row.created_at,
  };
}

export async function listUsers(db: Executor): Promise<UserRow[]> {
  const rows = await db.selectFrom('users').select(userColumns).orderBy('username').execute();
  return rows.map(toUser);
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  const row = await db
    .selectFrom('users')
    .select(userColumns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toUser(row);
}

export async function findUserForLogin(db: Executor, username: string) {
  return db
    .selectFrom('users')
    .select([...userColumns, 'password_hash'])
    .where('username', '=', username)
    .executeTakeFirst();
}

export async function insertUser(
  db: Executor,
  user: { username: string; passwordHash: string; role: Role },
  now: Date,
): Promise<UserRow> {
  const row = await db
    .insertInto('users')
    .values({
      id: randomUUID(),
      username: user.username,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: now,
    })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: { role?: Role; passwordHash?: string; disabled?: boolean },
): Promise<UserRow | undefined> {
  const set = {
    ...(patch.role ? { role: patch.role } : {}),
    ...(patch.passwordHash ? { password_hash: patch.passwordHash } : {}),
    ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
  };
  // An empty SET is not SQL: an empty patch changes nothing.
  if (Object.keys(set).length === 0) return findUserById(db, id);
  const row = await db
    .updateTable('users')
    .set(set)
    .where('id', '=', id)
    .returning(userColumns)
    .executeTakeFirst();
  return row && toUser(row);
}

/**
 * Counts the active system admins and, inside a transaction, locks their rows until it ends: two
 * admins demoting each other at once cannot both see "another admin is left". The second count
 * waits for the first transaction and then sees its change.
 */
export async function countActiveAdmins(db: Executor): Promise<number> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'SYSTEM_ADMIN')
    .where('disabled', '=', false)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.length;
}

export async function deleteUser(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertSession(
  db: Executor,
  session: { token: string; userId: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .insertInto('auth_sessions')
    .values({
      id_hash: sha256(session.token),
      user_id: session.userId,
      created_at: now,
      expires_at: session.expiresAt,
    })
    .execute();
}

export async function deleteSession(db: Executor, token: string): Promise<void> {
  await db.deleteFrom('auth_sessions').where('id_hash', '=', sha256(token)).execute();
}

export async function principalForSession(
  db: Executor,
  token: string,
  now: Date,
): Promise<UserPrincipal | null> {
  const row = await db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .select(['users.id', 'users.username', 'users.role'])
    .where('auth_sessions.id_hash', '=', sha256(token))
    .where('auth_sessions.expires_at', '>', now)
    .where('users.disabled', '=', false)
    .executeTakeFirst();
  return row
    ? {
        kind: 'user',
        userId: row.id,
        username: row.username,
        role: row.role as Role,
        via: 'session',
      }
    : null;
}

/** How stale a token's "last used" may get before a request writes it again. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The user behind a personal API token, and the token's "last used" brought up to date in the
 * same statement (at most once a minute, so scripts calling in a loop do not write on every call).
 */
export async function principalForApiToken(
  db: Executor,
  token: string,
  now: Date,
): Promise<UserPrincipal | null> {
  const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  const result = await sql<{ id: string; username: string; role: string }>`
    WITH token AS (
      SELECT t.id AS token_id, u.id, u.username, u.role
      FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ${sha256(token)} AND t.revoked_at IS NULL AND NOT u.disabled
    ), touched AS (
      UPDATE api_tokens SET last_used_at = ${now}
      FROM token
      WHERE api_tokens.id = token.token_id
        AND (api_tokens.last_used_at IS NULL OR api_tokens.last_used_at < ${staleBefore})
    )
    SELECT id, username, role FROM token`.execute(db);
  const row = result.rows[0];
  return row
    ? {
        kind: 'user',
        userId: row.id,
        username: row.username,
        role: row.role as Role,
        via: 'api_token',
      }
    : null;
}

export interface ApiTokenRow {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function insertApiToken(
  db: Executor,
  token: { userId: string; name: string; secret: string },
  now: Date,
): Promise<ApiTokenRow> {
  const id = randomUUID();
  await db
    .insertInto('api_tokens')
    .values({
      id,
      user_id: token.userId,
      name: token.name,
      token_hash: sha256(token.secret),
      created_at: now,
    })
    .execute();
  return { id, name: token.name, createdAt: now, lastUsedAt: null, revokedAt: null };
}

export async function listApiTokens(db: Executor, userId: string): Promise<ApiTokenRow[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

export async function revokeApiToken(
  db: Executor,
  userId: string,
  id: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Ends every session of a user and revokes their personal API tokens, except the credential the
 * request doing it came with (a user changing their own password stays signed in there).
 */
export async function revokeCredentialsOf(
  db: Executor,
  userId: string,
  keep: { sessionToken?: string | undefined; apiToken?: string | undefined },
  now: Date,
): Promise<{ sessions: number; apiTokens: number }> {
  let sessions = db.deleteFrom('auth_sessions').where('user_id', '=', userId);
  if (keep.sessionToken) sessions = sessions.where('id_hash', '!=', sha256(keep.sessionToken));
  const endedSessions = await sessions.executeTakeFirst();
  let tokens = db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keep.apiToken) tokens = tokens.where('token_hash', '!=', sha256(keep.apiToken));
  const revokedTokens = await tokens.executeTakeFirst();
  return {
    sessions: Number(endedSessions.numDeletedRows),
    apiTokens: Number(revokedTokens.numUpdatedRows),
  };
}
