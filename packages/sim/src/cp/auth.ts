import { REQUEST_ID_HEADER, getHeader, parseAuthorization, secretsMatch } from '@openvelope/oscp';
import type { HeaderSource } from '@openvelope/oscp';
import type { Peer } from './peer';
import type { PeerRegistry } from './registry';

export type AuthResult =
  | { ok: true; peer: Peer; requestId: string }
  | { ok: false; status: 401 | 403; message: string; peer?: Peer };

/** Header names the OSCP protocol owns; they cannot be configured as static headers. */
export const PROTOCOL_HEADERS = new Set([
  'authorization',
  'content-type',
  'x-request-id',
  'x-correlation-id',
  'x-segment-index',
  'x-segment-count',
]);

/**
 * Who is calling: `Token` for a token we issued (OSCP_TOKEN peers), `Bearer` for an access token
 * from our token endpoint (VECTOR peers), then the peer's static headers. Missing Authorization is
 * 401; everything else that fails is 403, as in the OSCP digest.
 */
export function authenticate(headers: HeaderSource, registry: PeerRegistry, now: Date): AuthResult {
  const authorization = parseAuthorization(getHeader(headers, 'authorization'));
  if (!authorization.ok && authorization.error === 'missing') {
    return { ok: false, status: 401, message: authorization.message };
  }
  const requestId = getHeader(headers, REQUEST_ID_HEADER)?.trim();
  if (!requestId)
    return { ok: false, status: 403, message: `${REQUEST_ID_HEADER} header is missing` };
  if (!authorization.ok) return { ok: false, status: 403, message: authorization.message };

  const { scheme, credential } = authorization.value;
  const peer =
    scheme === 'Token'
      ? registry.peerForToken(credential)
      : registry.peerForAccessToken(credential, now);
  if (!peer) {
    return {
      ok: false,
      status: 403,
      message:
        scheme === 'Token'
          ? 'unknown token (use the token this Capacity Provider issued to you)'
          : 'unknown or expired access token (get one from POST /oauth/token)',
    };
  }
  for (const [name, expected] of Object.entries(peer.config.expectedStaticHeaders ?? {})) {
    const actual = getHeader(headers, name);
    if (actual === undefined) {
      return { ok: false, status: 403, message: `static header ${name} is missing`, peer };
    }
    if (!secretsMatch(actual, expected)) {
      return { ok: false, status: 403, message: `static header ${name} has the wrong value`, peer };
    }
  }
  return { ok: true, peer, requestId };
}

/** Lower-cased header names; Authorization reduced to its scheme and first 4 characters. */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const text = typeof value === 'string' ? value : value.join(', ');
    out[key] = key === 'authorization' ? redactAuthorization(text) : text;
  }
  return out;
}

export function redactAuthorization(value: string): string {
  const trimmed = value.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) return `${trimmed.slice(0, 4)}…`;
  return `${trimmed.slice(0, space)} ${trimmed.slice(space).trim().slice(0, 4)}…`;
}
