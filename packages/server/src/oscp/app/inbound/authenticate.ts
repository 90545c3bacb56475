import { getHeader, parseAuthorization, secretsMatch } from '@openvelope/oscp';
import type { IncomingHttpHeaders } from 'node:http';
import { principalForApiToken } from '../../../platform/auth/store';
import { MANAGERS } from '../../../platform/auth/roles';
import type { Clock } from '../../../platform/clock';
import type { Db } from '../../../platform/db/database';
import type { SecretStore } from '../../../platform/secrets/secret-store';
import type { PeerCredentialKind } from '../../domain/credentials';
import { refuse, type Refusal } from '../../domain/refusal';
import * as credentials from '../../store/peer-credentials';
import * as projection from '../../store/connection-projection';

/** A Capacity Provider, bound to its one connection by the credential it presented. */
export interface PeerPrincipal {
  kind: 'peer';
  connectionId: string;
  credential: PeerCredentialKind;
}

/** Who called an OSCP endpoint: a peer bound to its one connection, or a permitted human acting on one. */
export type InboundPrincipal =
  PeerPrincipal | { kind: 'user'; connectionId: string; username: string; role: string };

export type Authentication = { principal: InboundPrincipal } | { refusal: Refusal };

const USER_TOKEN_PREFIX = 'ovt_';

/**
 * Authenticates an inbound OSCP call. Peers present `Token <token we issued>` (token exchange) or
 * `Bearer <access token from our token endpoint>` plus their profile's static headers (OAuth).
 * People may call with their personal API token if they are MANAGER or SYSTEM_ADMIN, naming the
 * connection (`?connection_id=`, or the body's group id for group messages).
 * Missing credentials: unauthenticated (401); anything unknown, revoked, expired or not allowed:
 * forbidden (403).
 */
export async function authenticateInbound(
  deps: { db: Db; clock: Clock; secrets: SecretStore },
  request: {
    headers: IncomingHttpHeaders;
    endpoint: string;
    connectionHint: string | undefined;
    groupIdHint: string | undefined;
  },
): Promise<Authentication> {
  const parsed = parseAuthorization(
    getHeader(request.headers as Record<string, string>, 'authorization'),
  );
  if (!parsed.ok) {
    if (parsed.error === 'missing')
      return {
        refusal: refuse(
          'unauthenticated',
          'Authorization header required: Token <token> or Bearer <token>.',
        ),
      };
    // The parser's message quotes the first word of the header, which is the credential itself
    // when a caller leaves out the scheme: the refusal is audited and logged, so never echo it.
    if (parsed.error === 'unsupported_scheme')
      return {
        refusal: refuse(
          'forbidden',
          'Unsupported Authorization: use Token <token> or Bearer <token>.',
        ),
      };
    return { refusal: refuse('forbidden', parsed.message) };
  }
  const { scheme, credential } = parsed.value;
  const now = deps.clock.now();

  if (scheme === 'Bearer' && credential.startsWith(USER_TOKEN_PREFIX)) {
    const user = await principalForApiToken(deps.db, credential, now);
    if (!user) return { refusal: refuse('forbidden', 'Unknown or revoked API token.') };
    if (!MANAGERS.includes(user.role)) {
      return {
        refusal: refuse(
          'forbidden',
          `Calling OSCP endpoints needs the MANAGER or SYSTEM_ADMIN role; you are ${user.role}.`,
        ),
      };
    }
    const connection = request.connectionHint
      ? await projection.findConnection(deps.db, request.connectionHint)
      : request.groupIdHint
        ? await projection.findByGroupId(deps.db, request.groupIdHint)
        : undefined;
    if (!connection)
      return {
        refusal: refuse(
          'invalid',
          'Name the connection with ?connection_id=<id> (or a group_id in the body).',
        ),
      };
    return {
      principal: {
        kind: 'user',
        connectionId: connection.id,
        username: user.username,
        role: user.role,
      },
    };
  }

  const kinds: PeerCredentialKind[] =
    scheme === 'Token' ? ['TOKEN', 'INITIAL_TOKEN'] : ['ACCESS_TOKEN'];
  const found = await credentials.findBySecret(deps.db, credential, kinds, now);
  if (!found) return { refusal: refuse('forbidden', 'Unknown, revoked or expired token.') };
  if (found.kind === 'INITIAL_TOKEN' && request.endpoint !== 'register') {
    return { refusal: refuse('forbidden', 'An initial token may only be used to register.') };
  }
  if (found.kind === 'ACCESS_TOKEN') {
    const refusal = await checkStaticHeaders(deps, found.connectionId, request.headers);
    if (refusal) return { refusal };
  }
  return {
    principal: { kind: 'peer', connectionId: found.connectionId, credential: found.kind },
  };
}

/**
 * OAuth peers (Vector) also send agreed static headers; each must be present with its value.
 * Their values are secrets (an API key, say), so they are compared in constant time.
 */
async function checkStaticHeaders(
  deps: { db: Db; secrets: SecretStore },
  connectionId: string,
  headers: IncomingHttpHeaders,
): Promise<Refusal | undefined> {
  const connection = await projection.findConnection(deps.db, connectionId);
  const name = connection?.profile.authReferences.inboundStaticHeaders;
  if (!name) return undefined;
  const json = await deps.secrets.reveal(deps.db, name);
  if (!json)
    return refuse('forbidden', 'This connection’s required static headers are not configured.');
  let required: Record<string, unknown>;
  try {
    required = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return refuse('forbidden', 'This connection’s required static headers are not valid JSON.');
  }
  for (const [header, value] of Object.entries(required)) {
    const sent = getHeader(headers as Record<string, string>, header);
    if (sent === undefined || !secretsMatch(sent, String(value))) {
      return refuse('forbidden', `Missing or wrong static header ${header}.`);
    }
  }
  return undefined;
}

/** A person acting on a connection speaks as its peer would (with the exchanged token). */
export function asPeer(principal: InboundPrincipal): PeerPrincipal {
  return principal.kind === 'peer'
    ? principal
    : { kind: 'peer', connectionId: principal.connectionId, credential: 'TOKEN' };
}
