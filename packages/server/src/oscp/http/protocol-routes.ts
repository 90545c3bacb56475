import {
  CORRELATION_ID_HEADER,
  REQUEST_ID_HEADER,
  getHeader,
  parseSegmentHeaders,
  readMessageId,
  type MessageKind,
} from '@openvelope/oscp';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpApp } from '../../platform/http/server';
import { noContent } from '../../platform/http/wire';
import { refuse } from '../domain/refusal';
import {
  asPeer,
  type CallFacts,
  type InboundAnswer,
  type InboundPrincipal,
  type InboundService,
} from '../app/inbound';
import type { PeerCredentialService } from '../app/peer-credentials';

/**
 * How an OSCP endpoint says no: {"message"}. Loose, because a request refused before the route
 * (a repeated query parameter, an oversized body) gets the platform's problem+json instead.
 */
const oscpRefusalBody = z.looseObject({ message: z.string().optional() });
/**
 * RFC 6749's error answer; loose, because a request refused before the route (a repeated query
 * parameter) gets the platform's problem+json instead.
 */
const oauthErrorBody = z.looseObject({
  error: z.string().optional(),
  error_description: z.string().optional(),
});
/** RFC 6749's answer of the token endpoint. */
const accessTokenAnswer = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
});

/** The one home of the protocol: every inbound OSCP endpoint, mounted once. */
export const OSCP_FP_PREFIX = '/oscp/fp/2.0';

const ENDPOINTS: Record<string, MessageKind> = {
  register: 'Register',
  handshake: 'Handshake',
  handshake_acknowledge: 'HandshakeAcknowledge',
  heartbeat: 'Heartbeat',
  update_group_capacity_forecast: 'UpdateGroupCapacityForecast',
};

export interface ProtocolRouteDeps {
  inbound: InboundService;
  credentials: PeerCredentialService;
}

/** A person's API token names the connection it acts on; anything but a UUID names none. */
const connectionHint = z.uuid();

/**
 * The scheme word of an Authorization header, for the audit: a short word followed by a
 * credential. A header without one (a bare token) is recorded as unrecognised, never verbatim.
 */
function schemeOf(header: string | undefined): string | null {
  const value = header?.trim();
  if (!value) return null;
  const match = /^([A-Za-z][A-Za-z0-9-]{0,19})\s+\S/.exec(value);
  return match ? match[1]! : '(unrecognised)';
}

function factsOf(request: FastifyRequest, endpoint: string): CallFacts {
  const headers = request.headers as Record<string, string>;
  const requestId = readMessageId(headers, REQUEST_ID_HEADER);
  return {
    endpoint,
    // An overlong id is refused, and never stored or quoted.
    requestId: requestId.ok ? (requestId.value ?? null) : null,
    remoteAddress: request.ip,
    authorizationScheme: schemeOf(getHeader(headers, 'authorization')),
  };
}

/**
 * The client id and secret of an HTTP Basic header (RFC 6749 §2.3.1: each url-encoded), or
 * undefined when they cannot be read.
 */
function basicCredentials(encoded: string): { id: string; secret: string } | undefined {
  const [id = '', secret = ''] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
  try {
    const decoded = { id: decodeURIComponent(id), secret: decodeURIComponent(secret) };
    const readable = !`${decoded.id}${decoded.secret}`.includes('\u0000');
    return readable ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** What a refusal records as the matched credential: its kind, or the person acting. */
function credentialOf(principal: InboundPrincipal): string {
  return principal.kind === 'peer' ? principal.credential : `user ${principal.username}`;
}

/** OSCP answers 204 with no body, or its status with `{"message"}`. */
function send(reply: FastifyReply, answer: InboundAnswer) {
  return answer.status === 204
    ? reply.code(204).send()
    : reply.code(answer.status).send({ message: answer.message });
}

/**
 * The inbound OSCP endpoints: authenticate, check the headers, and hand the message to its use
 * case (app/inbound), which claims its X-Request-ID, checks the body, decides and writes in one
 * transaction.
 */
export function registerProtocolRoutes(app: HttpApp, deps: ProtocolRouteDeps): void {
  const { inbound } = deps;

  for (const [endpoint, kind] of Object.entries(ENDPOINTS)) {
    app.post(
      `${OSCP_FP_PREFIX}/${endpoint}`,
      {
        schema: {
          tags: ['oscp (protocol)'],
          summary: `OSCP 2.0 ${kind}`,
          description:
            'Authorization: `Token <token we issued you>` (token exchange) or `Bearer <access token from /oauth2/token>` plus your profile’s static headers (OAuth). ' +
            'X-Request-ID is required; X-Correlation-ID on replies. Answers 204, or 400/401/403/501 with {"message"}.',
          security: [],
          response: { 204: noContent, '4xx': oscpRefusalBody, '5xx': oscpRefusalBody },
        },
        // Protocol errors are OSCP-shaped ({"message"}), not problem+json.
        errorHandler: (error, request, reply) => {
          const status =
            error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? 400 : 500;
          if (status === 500) request.log.error({ err: error }, 'OSCP endpoint failed');
          return reply
            .code(status)
            .send({ message: status === 400 ? error.message : 'Internal error' });
        },
      },
      async (request, reply) => {
        const headers = request.headers as Record<string, string>;
        const query = request.query as Record<string, string | undefined>;
        const body = request.body as Record<string, unknown> | undefined;
        const facts = factsOf(request, endpoint);
        const hint = query.connection_id;
        if (hint !== undefined && !connectionHint.safeParse(hint).success)
          return send(
            reply,
            await inbound.refuse(null, facts, refuse('invalid', 'connection_id must be a UUID.')),
          );
        const authentication = await inbound.authenticate(
          {
            headers: request.headers,
            endpoint,
            connectionHint: hint,
            groupIdHint: typeof body?.group_id === 'string' ? body.group_id : undefined,
          },
          facts,
        );
        if ('refusal' in authentication) return send(reply, authentication.answer!);
        const principal = asPeer(authentication.principal);
        const connectionId = principal.connectionId;
        const known = { ...facts, credential: credentialOf(authentication.principal) };
        const refused = (message: string) =>
          inbound.refuse(connectionId, known, refuse('invalid', message));

        const requestIdHeader = readMessageId(headers, REQUEST_ID_HEADER);
        if (!requestIdHeader.ok) return send(reply, await refused(`${requestIdHeader.message}.`));
        const correlationId = readMessageId(headers, CORRELATION_ID_HEADER);
        if (!correlationId.ok) return send(reply, await refused(`${correlationId.message}.`));
        const requestId = facts.requestId;
        if (!requestId) return send(reply, await refused('X-Request-ID header is required.'));
        const segments = parseSegmentHeaders(headers);
        if (!segments.ok) return send(reply, await refused(segments.message));
        if (segments.value)
          return send(
            reply,
            await refused('Segmented messages are not supported; send the whole message.'),
          );
        const answer = await inbound.receive(
          kind,
          {
            ...known,
            principal,
            requestId,
            correlationId: correlationId.value,
          },
          body,
        );
        return send(reply, answer);
      },
    );
  }

  // OAuth2 client-credentials token endpoint for OAuth peers (not an OSCP message, so not under the prefix).
  app.post(
    '/oauth2/token',
    {
      schema: {
        tags: ['oscp (protocol)'],
        summary: 'OAuth2 client-credentials token endpoint for Capacity Providers',
        description:
          'grant_type=client_credentials with client_id and client_secret (form or JSON body, or HTTP Basic). Returns {access_token, token_type: "Bearer", expires_in}.',
        security: [],
        response: { 200: accessTokenAnswer, 400: oauthErrorBody, 401: oauthErrorBody },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      let clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
      let clientSecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
      const basic = request.headers.authorization?.match(/^Basic\s+(.+)$/i);
      if (basic?.[1]) {
        const decoded = basicCredentials(basic[1]);
        if (!decoded) {
          await inbound.refuse(
            null,
            {
              endpoint: 'oauth2/token',
              requestId: null,
              remoteAddress: request.ip,
              authorizationScheme: 'Basic',
              credential: null,
            },
            refuse('invalid', 'malformed Basic credentials'),
          );
          return reply.code(400).send({
            error: 'invalid_request',
            error_description:
              'Authorization: Basic must carry url-encoded client_id:client_secret',
          });
        }
        clientId = decoded.id || clientId;
        clientSecret = decoded.secret || clientSecret;
      }
      if (body.grant_type !== 'client_credentials') {
        return reply.code(400).send({
          error: 'unsupported_grant_type',
          error_description: 'grant_type must be client_credentials',
        });
      }
      const issued =
        clientId && clientSecret
          ? await deps.credentials.issueAccessToken(clientId, clientSecret)
          : undefined;
      if (!issued) {
        await inbound.refuse(
          null,
          {
            endpoint: 'oauth2/token',
            requestId: null,
            remoteAddress: request.ip,
            authorizationScheme: basic ? 'Basic' : null,
            credential: clientId ? `OAuth client ${clientId}` : null,
          },
          refuse('unauthenticated', 'invalid client credentials'),
        );
        return reply.code(401).send({ error: 'invalid_client' });
      }
      return reply
        .header('cache-control', 'no-store')
        .send({ access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn });
    },
  );
}
