import { getHeader, parseAuthorization } from '@openvelope/oscp';
import type { IncomingHttpHeaders } from 'node:http';
import { principalForApiToken } from '../../platform/auth/store';
import { MANAGERS } from '../../platform/auth/roles';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/database';
import type { SecretStore } from '../../platform/secrets/secret-store';
import * as credentials from '../store/peer-credentials';
import * as projection from '../store/connection-projection';
import { InboundRefusal, type PeerPrincipal } from './lifecycle';

/** Who called an OSCP endpoint: a peer bound to its one connection, or a permitted human acting on one. */
export type InboundPrincipal =
  PeerPrincipal | { kind: 'user'; connectionId: string; username: string; role: string };

const USER_TOKEN_PREFIX = 'ovt_';

/**
 * Authenticates an inbound OSCP call. Peers present `Token <token we issued>` (token exchange) or
 * `Bearer <access token from our token endpoint>` plus their profile's static headers (OAuth).
 * People may call with their personal API token if they are MANAGER or SYSTEM_ADMIN, naming the
 * connection (`?connection_id=`, or the body's group id for group messages).
 * Missing credentials → 401; anything unknown, revoked, expired or not allowed → 403.
 */
export async function authenticateInbound(
  deps: { db: Db; clock: Clock; secrets: SecretStore },
  request: {
    headers: IncomingHttpHeaders;
    endpoint: string;
    connectionHint: string | undefined;
    groupIdHint: string | undefined;
  },
): Promise<InboundPrincipal> {
  const parsed = parseAuthorization(
    getHeader(request.headers as Record<string, string>, 'authorization'),
  );
  if (!parsed.ok) {
    if (parsed.error === 'missing')
      throw new InboundRefusal(
        401,
        'Authorization header required: Token <token> or Bearer <token>.',
      );
    // The parser's message quotes the first word of the header, which is the credential itself
    // when a caller leaves out the scheme: the refusal is audited and logged, so never echo it.
    if (parsed.error === 'unsupported_scheme')
      throw new InboundRefusal(
        403,
        'Unsupported Authorization: use Token <token> or Bearer <token>.',
      );
    throw new InboundRefusal(403, parsed.message);
  }
  const { scheme, credential } = parsed.value;
  const now = deps.clock.now();

  if (scheme === 'Bearer' && credential.startsWith(USER_TOKEN_PREFIX)) {
    const user = await principalForApiToken(deps.db, credential, now);
    if (!user) throw new InboundRefusal(403, 'Unknown or revoked API token.');
    if (!MANAGERS.includes(user.role)) {
      throw new InboundRefusal(
        403,
        `Calling OSCP endpoints needs the MANAGER or SYSTEM_ADMIN role; you are ${user.role}.`,
      );
    }
    const connection = request.connectionHint
      ? await projection.findConnection(deps.db, request.connectionHint)
      : request.groupIdHint
        ? await projection.findByGroupId(deps.db, request.groupIdHint)
        : undefined;
    if (!connection)
      throw new InboundRefusal(
        400,
        'Name the connection with ?connection_id=<id> (or a group_id in the body).',
      );
    return { kind: 'user', connectionId: connection.id, username: user.username, role: user.role };
  }

  const kinds: credentials.PeerCredentialKind[] =
    scheme === 'Token' ? ['TOKEN', 'INITIAL_TOKEN'] : ['ACCESS_TOKEN'];
  const found = await credentials.findBySecret(deps.db, credential, kinds, now);
  if (!found) throw new InboundRefusal(403, 'Unknown, revoked or expired token.');
  if (found.kind === 'INITIAL_TOKEN' && request.endpoint !== 'register') {
    throw new InboundRefusal(403, 'An initial token may only be used to register.');
  }
  if (found.kind === 'ACCESS_TOKEN')
    await checkStaticHeaders(deps, found.connectionId, request.headers);
  return { kind: 'peer', connectionId: found.connectionId, credential: found.kind };
}

/** OAuth peers (Vector) also send agreed static headers; each must be present with its value. */
async function checkStaticHeaders(
  deps: { db: Db; secrets: SecretStore },
  connectionId: string,
  headers: IncomingHttpHeaders,
) {
  const connection = await projection.findConnection(deps.db, connectionId);
  const name = connection?.profile.authReferences.inboundStaticHeaders;
  if (!name) return;
  const json = await deps.secrets.reveal(deps.db, name);
  if (!json)
    throw new InboundRefusal(403, 'This connection’s required static headers are not configured.');
  let required: Record<string, unknown>;
  try {
    required = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new InboundRefusal(403, 'This connection’s required static headers are not valid JSON.');
  }
  for (const [header, value] of Object.entries(required)) {
    if (getHeader(headers as Record<string, string>, header) !== String(value)) {
      throw new InboundRefusal(403, `Missing or wrong static header ${header}.`);
    }
  }
}
