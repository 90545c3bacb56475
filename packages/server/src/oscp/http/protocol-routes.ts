import {
  CORRELATION_ID_HEADER,
  REQUEST_ID_HEADER,
  getHeader,
  parseMessage,
  parseSegmentHeaders,
  type MessageKind,
} from '@openvelope/oscp';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db/database';
import { appendToStream } from '../../platform/events/event-store';
import type { HttpApp } from '../../platform/http/server';
import type { SecretStore } from '../../platform/secrets/secret-store';
import { authenticateInbound, type InboundPrincipal } from '../app/inbound-auth';
import { InboundRefusal, type LifecycleService, type PeerPrincipal } from '../app/lifecycle';
import { connectionAuditStream, unattributedRefusalStream } from '../app/stream-names';
import * as projection from '../store/connection-projection';

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
  db: Db;
  clock: Clock;
  secrets: SecretStore;
  lifecycle: LifecycleService;
  /** The forecast's full handling belongs to a later step; until then it is validated, audited and answered. */
  onForecast?: (principal: InboundPrincipal, requestId: string, body: unknown) => Promise<void>;
}

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

function asPeer(principal: InboundPrincipal): PeerPrincipal {
  return principal.kind === 'peer'
    ? principal
    : { kind: 'peer', connectionId: principal.connectionId, credential: 'TOKEN' };
}

export function registerProtocolRoutes(app: HttpApp, deps: ProtocolRouteDeps): void {
  const { db, clock, lifecycle } = deps;

  async function audit(connectionId: string | null, type: string, data: Record<string, unknown>) {
    const stream = connectionId ? connectionAuditStream(connectionId) : unattributedRefusalStream;
    await appendToStream(
      db,
      stream,
      'any',
      [{ type, data: { connectionId, ...data, at: clock.now().toISOString() } }],
      clock.now(),
    );
  }

  async function refuse(
    reply: FastifyReply,
    request: FastifyRequest,
    endpoint: string,
    refusal: { status: number; message: string },
    connectionId: string | null,
  ) {
    const scheme = schemeOf(getHeader(request.headers as Record<string, string>, 'authorization'));
    await audit(connectionId, 'OscpInboundRefused', {
      endpoint,
      status: refusal.status,
      reason: refusal.message,
      requestId: getHeader(request.headers as Record<string, string>, REQUEST_ID_HEADER) ?? null,
      remoteAddress: request.ip,
      // The scheme only: never the credential.
      authorizationScheme: scheme,
    });
    request.log.info(
      {
        'oscp.endpoint': endpoint,
        'http.response.status_code': refusal.status,
        'oscp.reason': refusal.message,
      },
      'OSCP call refused',
    );
    return reply.code(refusal.status).send({ message: refusal.message });
  }

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
        let principal: InboundPrincipal;
        try {
          principal = await authenticateInbound(deps, {
            headers: request.headers,
            endpoint,
            connectionHint: query.connection_id,
            groupIdHint: typeof body?.group_id === 'string' ? body.group_id : undefined,
          });
        } catch (error) {
          if (error instanceof InboundRefusal) return refuse(reply, request, endpoint, error, null);
          throw error;
        }
        const connectionId = principal.connectionId;
        const requestId = getHeader(headers, REQUEST_ID_HEADER);
        if (!requestId)
          return refuse(
            reply,
            request,
            endpoint,
            { status: 400, message: 'X-Request-ID header is required.' },
            connectionId,
          );
        const segments = parseSegmentHeaders(headers);
        if (!segments.ok)
          return refuse(
            reply,
            request,
            endpoint,
            { status: 400, message: segments.message },
            connectionId,
          );
        if (segments.value) {
          return refuse(
            reply,
            request,
            endpoint,
            {
              status: 400,
              message: 'Segmented messages are not supported; send the whole message.',
            },
            connectionId,
          );
        }

        const connection = await projection.findConnection(db, connectionId);
        if (!connection?.enabled)
          return refuse(
            reply,
            request,
            endpoint,
            { status: 403, message: 'This connection is disabled.' },
            connectionId,
          );

        // A repeated X-Request-ID from the same peer is acknowledged and not applied twice.
        const seen = await db
          .selectFrom('oscp_inbound_requests')
          .select('request_id')
          .where('connection_id', '=', connectionId)
          .where('request_id', '=', requestId)
          .executeTakeFirst();
        if (seen) return reply.code(204).send();

        const parsed = parseMessage(kind, body);
        if (!parsed.ok)
          return refuse(
            reply,
            request,
            endpoint,
            { status: 400, message: parsed.message },
            connectionId,
          );

        try {
          const peer = asPeer(principal);
          switch (kind) {
            case 'Register':
              await lifecycle.receiveRegister(peer, requestId, parsed.value as never);
              break;
            case 'Handshake':
              await lifecycle.receiveHandshake(peer, requestId, parsed.value as never);
              break;
            case 'HandshakeAcknowledge':
              await lifecycle.receiveHandshakeAcknowledge(
                peer,
                getHeader(headers, CORRELATION_ID_HEADER),
                parsed.value as never,
              );
              break;
            case 'Heartbeat':
              await lifecycle.receiveHeartbeat(peer, parsed.value as never);
              break;
            case 'UpdateGroupCapacityForecast': {
              const forecast = parsed.value as {
                group_id: string;
                type: string;
                forecasted_blocks: unknown[];
              };
              if (forecast.group_id !== connection.groupId) {
                throw new InboundRefusal(
                  403,
                  `group_id ${forecast.group_id} is not bound to this connection.`,
                );
              }
              // The connection as read at the top of this request; the intake locks it again.
              lifecycle.assertReadyForBusiness(connection);
              if (deps.onForecast) await deps.onForecast(principal, requestId, parsed.value);
              else
                await audit(connectionId, 'OscpForecastReceived', {
                  requestId,
                  groupId: forecast.group_id,
                  type: forecast.type,
                  blocks: forecast.forecasted_blocks.length,
                });
              break;
            }
            default:
              throw new InboundRefusal(404, `No endpoint ${endpoint}.`);
          }
        } catch (error) {
          if (error instanceof InboundRefusal)
            return refuse(reply, request, endpoint, error, connectionId);
          throw error;
        }
        await db
          .insertInto('oscp_inbound_requests')
          .values({
            connection_id: connectionId,
            request_id: requestId,
            endpoint,
            received_at: clock.now(),
          })
          .onConflict((oc) => oc.columns(['connection_id', 'request_id']).doNothing())
          .execute();
        return reply.code(204).send();
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
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      let clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
      let clientSecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
      const basic = request.headers.authorization?.match(/^Basic\s+(.+)$/i);
      if (basic?.[1]) {
        const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        clientId = id ? decodeURIComponent(id) : clientId;
        clientSecret = secret ? decodeURIComponent(secret) : clientSecret;
      }
      if (body.grant_type !== 'client_credentials') {
        return reply.code(400).send({
          error: 'unsupported_grant_type',
          error_description: 'grant_type must be client_credentials',
        });
      }
      const issued =
        clientId && clientSecret
          ? await lifecycle.issueAccessToken(clientId, clientSecret)
          : undefined;
      if (!issued) {
        await audit(null, 'OscpInboundRefused', {
          endpoint: 'oauth2/token',
          status: 401,
          reason: 'invalid client credentials',
          clientId: clientId ?? null,
          remoteAddress: request.ip,
        });
        return reply.code(401).send({ error: 'invalid_client' });
      }
      return reply
        .header('cache-control', 'no-store')
        .send({ access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn });
    },
  );
}
