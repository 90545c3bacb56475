import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { getHeader, secretsMatch } from '@openvelope/oscp';
import type { FailedOutcome, RejectedOutcome } from '@openvelope/oscp';
import type { Peer } from './peer';
import type { PeerRegistry } from './registry';
import type { SimClock } from './types';

export const TOKEN_PATH = '/oauth/token';

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  via: 'basic' | 'body';
}

type TokenRequest =
  | { ok: true; credentials: ClientCredentials }
  | { ok: false; status: number; error: string; description: string; basic: boolean };

/** Reads an RFC 6749 client-credentials request: HTTP Basic, or client_id/client_secret fields. */
export function readTokenRequest(headers: FastifyRequest['headers'], body: unknown): TokenRequest {
  const fields = isRecord(body) ? body : {};
  const field = (name: string) => (typeof fields[name] === 'string' ? fields[name] : undefined);
  const basic = parseBasic(getHeader(headers, 'authorization'));
  const grantType = field('grant_type');
  if (grantType === undefined) {
    return fail(400, 'invalid_request', 'grant_type is required', basic !== undefined);
  }
  if (grantType !== 'client_credentials') {
    return fail(
      400,
      'unsupported_grant_type',
      'only client_credentials is supported',
      basic !== undefined,
    );
  }
  if (basic) return { ok: true, credentials: { ...basic, via: 'basic' } };
  const clientId = field('client_id');
  const clientSecret = field('client_secret');
  if (clientId === undefined || clientSecret === undefined) {
    return fail(401, 'invalid_client', 'client authentication is missing', false);
  }
  return { ok: true, credentials: { clientId, clientSecret, via: 'body' } };
}

function fail(status: number, error: string, description: string, basic: boolean): TokenRequest {
  return { ok: false, status, error, description, basic };
}

function parseBasic(
  value: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(value ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
  const part = (text: string) => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  return { clientId: part(decoded.slice(0, colon)), clientSecret: part(decoded.slice(colon + 1)) };
}

/** The peer these credentials belong to, if they are right and the peer uses OAuth. */
export function authenticateClient(
  registry: PeerRegistry,
  credentials: ClientCredentials,
): Peer | undefined {
  const peer = registry.peerForClient(credentials.clientId);
  const secret = peer?.config.oauth?.clientSecret;
  if (!peer || peer.mode !== 'VECTOR' || secret === undefined) return undefined;
  return secretsMatch(credentials.clientSecret, secret) ? peer : undefined;
}

/** Parses `application/x-www-form-urlencoded` bodies into a plain object (token endpoint only). */
export function addFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
}

export function sendTokenError(
  reply: FastifyReply,
  failure: { status: number; error: string; description: string; basic: boolean },
): FastifyReply {
  if (failure.status === 401 && failure.basic) {
    void reply.header('WWW-Authenticate', 'Basic realm="oauth"');
  }
  return reply
    .code(failure.status)
    .header('Cache-Control', 'no-store')
    .send({ error: failure.error, error_description: failure.description });
}

/** The body as recorded: never the client secret. */
export function redactTokenBody(body: unknown): unknown {
  if (!isRecord(body) || typeof body.client_secret !== 'string') return body;
  return { ...body, client_secret: '…' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type TokenResult =
  { ok: true; token: string } | { ok: false; outcome: FailedOutcome | RejectedOutcome };

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Gets (and caches per peer) the access tokens the simulator presents to an FP in the VECTOR
 * profile, from the FP's token URL with client credentials.
 */
export class OAuthTokenSource {
  readonly #cache = new Map<string, CachedToken>();

  constructor(
    private readonly options: { fetch: typeof fetch; timeoutMs: number; clock: SimClock },
  ) {}

  invalidate(peer: Peer): void {
    this.#cache.delete(peer.id);
  }

  async accessToken(peer: Peer, requestId: string): Promise<TokenResult> {
    const oauth = peer.config.oauth;
    const url = oauth?.fpTokenUrl ?? '';
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (
      reason: FailedOutcome['reason'],
      message: string,
      httpStatus?: number,
    ): TokenResult => ({
      ok: false,
      outcome: {
        status: 'failed',
        reason,
        message: `OAuth token request to ${url} failed: ${message}`,
        url,
        requestId,
        durationMs: elapsed(),
        ...(httpStatus === undefined ? {} : { httpStatus }),
      },
    });
    if (!oauth?.fpTokenUrl) return failed('network', 'no fpTokenUrl configured for this peer');

    const now = this.options.clock.now().getTime();
    const cached = this.#cache.get(peer.id);
    if (cached && cached.expiresAt > now) return { ok: true, token: cached.token };

    const clientId = oauth.outboundClientId ?? oauth.clientId;
    const clientSecret = oauth.outboundClientSecret ?? oauth.clientSecret;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (oauth.scope) form.set('scope', oauth.scope);
    const headers: Record<string, string> = {
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    };
    if (oauth.clientAuthentication === 'basic') {
      const pair = `${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }

    let response: Response;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      response = await this.options.fetch(oauth.fpTokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      return signal.aborted
        ? failed('timeout', `no response within ${this.options.timeoutMs} ms`)
        : failed('network', error instanceof Error ? error.message : String(error));
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 400 && response.status < 500) {
      return {
        ok: false,
        outcome: {
          status: 'rejected',
          httpStatus: response.status,
          message: `OAuth token request to ${url} was refused: ${text.slice(0, 200) || response.statusText}`,
          url,
          requestId,
          durationMs: elapsed(),
        },
      };
    }
    if (response.status !== 200) {
      return failed('server_error', `HTTP ${response.status}`, response.status);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return failed('server_error', 'the answer is not JSON', response.status);
    }
    if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
      return failed('server_error', 'the answer has no access_token', response.status);
    }
    if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
      return failed('server_error', `token_type ${body.token_type} is not Bearer`, response.status);
    }
    // Refresh a little early; without expires_in assume a short life.
    const ttl = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    const margin = Math.min(30, ttl / 10);
    this.#cache.set(peer.id, { token: body.access_token, expiresAt: now + (ttl - margin) * 1000 });
    return { ok: true, token: body.access_token };
  }
}
