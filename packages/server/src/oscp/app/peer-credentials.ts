import { randomUUID } from 'node:crypto';
import { newOpaqueToken } from '../../platform/auth/secrets';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import * as credentials from '../store/peer-credentials';
import * as projection from '../store/connection-projection';

/**
 * Credentials we hand a Capacity Provider: a one-time initial token (token exchange, the peer
 * registers first), OAuth2 client credentials, and the short-lived access tokens our token
 * endpoint issues for them. Secrets are shown once and stored as hashes.
 */
export class PeerCredentialService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly accessTokenTtlSeconds: number,
  ) {}

  /** A one-time token the peer uses to Register first (shown once, stored as a hash). */
  async issueInitialToken(connectionId: string): Promise<string> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const connection = await projection.findConnection(trx, connectionId, true);
      if (!connection) throw appErrors.notFound('OSCP connection', connectionId);
      if (connection.profile.authMode !== 'OSCP_TOKEN')
        throw appErrors.conflict('Initial tokens are for token-exchange (OSCP_TOKEN) connections.');
      const token = newOpaqueToken('ovi_');
      await credentials.revokeCredentials(trx, connectionId, ['INITIAL_TOKEN'], now);
      await credentials.issueCredential(
        trx,
        { connectionId, kind: 'INITIAL_TOKEN', secret: token },
        now,
      );
      return token;
    });
  }

  /** Client credentials for our OAuth2 token endpoint (OAuth peers). The secret is shown once. */
  async issueOAuthClient(
    connectionId: string,
  ): Promise<{ clientId: string; clientSecret: string }> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const connection = await projection.findConnection(trx, connectionId, true);
      if (!connection) throw appErrors.notFound('OSCP connection', connectionId);
      if (connection.profile.authMode !== 'OAUTH2_CLIENT_CREDENTIALS')
        throw appErrors.conflict('OAuth2 client credentials are for OAuth connections.');
      // Group ids may hold any printable character; a client id must survive HTTP Basic and forms.
      const readable = connection.profile.groupId.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60);
      const clientId = `ovc_${readable}_${randomUUID().slice(0, 8)}`;
      const clientSecret = newOpaqueToken('ovs_');
      await credentials.revokeCredentials(trx, connectionId, ['OAUTH_CLIENT'], now);
      await credentials.issueCredential(
        trx,
        { connectionId, kind: 'OAUTH_CLIENT', secret: clientSecret, clientId },
        now,
      );
      return { clientId, clientSecret };
    });
  }

  /** Our token endpoint: client credentials in, a short-lived Bearer token out. */
  async issueAccessToken(
    clientId: string,
    clientSecret: string,
  ): Promise<{ token: string; expiresIn: number } | undefined> {
    const now = this.clock.now();
    const client = await credentials.findOAuthClient(this.db, clientId, clientSecret);
    if (!client) return undefined;
    const token = newOpaqueToken('ova_');
    const expiresIn = this.accessTokenTtlSeconds;
    await credentials.issueCredential(
      this.db,
      {
        connectionId: client.connectionId,
        kind: 'ACCESS_TOKEN',
        secret: token,
        expiresAt: new Date(now.getTime() + expiresIn * 1000),
      },
      now,
    );
    return { token, expiresIn };
  }
}
