import { randomUUID } from 'node:crypto';
import type { Executor } from '../../platform/db/database';
import { sha256 } from '../../platform/auth/secrets';
import type { PeerCredentialKind } from '../domain/credentials';

/** Credentials WE issued to Capacity Providers (see PeerCredentialKind), stored as SHA-256 only. */
export type { PeerCredentialKind };

export interface PeerCredential {
  id: string;
  connectionId: string;
  kind: PeerCredentialKind;
  clientId: string | null;
  expiresAt: Date | null;
}

export async function issueCredential(
  db: Executor,
  c: {
    connectionId: string;
    kind: PeerCredentialKind;
    secret: string;
    clientId?: string;
    expiresAt?: Date;
  },
  now: Date,
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('oscp_peer_credentials')
    .values({
      id,
      connection_id: c.connectionId,
      kind: c.kind,
      secret_hash: sha256(c.secret),
      client_id: c.clientId ?? null,
      created_at: now,
      expires_at: c.expiresAt ?? null,
    })
    .execute();
  return id;
}

export async function revokeCredentials(
  db: Executor,
  connectionId: string,
  kinds: readonly PeerCredentialKind[],
  now: Date,
): Promise<void> {
  await db
    .updateTable('oscp_peer_credentials')
    .set({ revoked_at: now })
    .where('connection_id', '=', connectionId)
    .where('kind', 'in', kinds)
    .where('revoked_at', 'is', null)
    .execute();
}

/** A live credential by its secret (not revoked, not expired). */
export async function findBySecret(
  db: Executor,
  secret: string,
  kinds: readonly PeerCredentialKind[],
  now: Date,
): Promise<PeerCredential | undefined> {
  const row = await db
    .selectFrom('oscp_peer_credentials')
    .select(['id', 'connection_id', 'kind', 'client_id', 'expires_at'])
    .where('secret_hash', '=', sha256(secret))
    .where('kind', 'in', kinds)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        connectionId: row.connection_id,
        kind: row.kind as PeerCredentialKind,
        clientId: row.client_id,
        expiresAt: row.expires_at,
      }
    : undefined;
}

export async function findOAuthClient(
  db: Executor,
  clientId: string,
  secret: string,
): Promise<PeerCredential | undefined> {
  const row = await db
    .selectFrom('oscp_peer_credentials')
    .select(['id', 'connection_id', 'kind', 'client_id', 'expires_at'])
    .where('client_id', '=', clientId)
    .where('secret_hash', '=', sha256(secret))
    .where('kind', '=', 'OAUTH_CLIENT')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        connectionId: row.connection_id,
        kind: 'OAUTH_CLIENT',
        clientId: row.client_id,
        expiresAt: row.expires_at,
      }
    : undefined;
}

/** Which kinds of live credential a connection has, for the console ("initial token issued"…). */
export async function liveKinds(
  db: Executor,
  connectionId: string,
  now: Date,
): Promise<PeerCredentialKind[]> {
  const rows = await db
    .selectFrom('oscp_peer_credentials')
    .select('kind')
    .distinct()
    .where('connection_id', '=', connectionId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return rows.map((r) => r.kind as PeerCredentialKind);
}
