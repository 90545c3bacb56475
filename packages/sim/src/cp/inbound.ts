import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  CORRELATION_ID_HEADER,
  REQUEST_ID_HEADER,
  getHeader,
  kindForEndpoint,
  parseMessage,
  parseSegmentHeaders,
} from '@openvelope/oscp';
import type { MessageKind } from '@openvelope/oscp';
import { authenticate, redactHeaders } from './auth';
import type { FaultTable } from './faults';
import { OAUTH_FAULT_ENDPOINT } from './faults';
import {
  TOKEN_PATH,
  addFormParser,
  authenticateClient,
  readTokenRequest,
  redactTokenBody,
  sendTokenError,
} from './oauth';
import type { Peer } from './peer';
import type { Recorder } from './recorder';
import type { PeerRegistry } from './registry';
import { ACKNOWLEDGEMENT_PATHS } from './types';
import type { SimClock } from './types';

/** What an FP may send a Capacity Provider, per the OSCP digest's direction table. */
export const INBOUND_ENDPOINTS = [
  'register',
  'handshake',
  'handshake_acknowledge',
  'heartbeat',
  'update_group_measurements',
  'update_asset_measurements',
  'adjust_group_capacity_forecast',
  'group_capacity_compliance_error',
] as const;
export type InboundEndpoint = (typeof INBOUND_ENDPOINTS)[number];

export const OSCP_PREFIX = '/oscp/cp/2.0';

/** An authenticated inbound message whose body passed the wire schema. */
export interface InboundMessage {
  endpoint: InboundEndpoint;
  method: string;
  peer: Peer;
  requestId: string;
  correlationId?: string;
  /** Validated body; undefined for `DELETE register`. */
  body: unknown;
}

/**
 * 204 (optionally with work to do once it has been written, or ignored on purpose with why), or
 * an error status with a message.
 */
export type InboundVerdict =
  { status: 204; then?: () => void; ignoredBecause?: string } | { status: number; message: string };

export interface InboundDeps {
  registry: PeerRegistry;
  recorder: Recorder;
  faults: FaultTable;
  clock: SimClock;
  accessTokenTtlSeconds: number;
  handle(message: InboundMessage): InboundVerdict;
  /** Resolves after `ms`, or at once when the simulator stops. */
  sleep(ms: number): Promise<void>;
}

interface RequestContext {
  at: Date;
  peer?: Peer;
  ignoredBecause?: string;
}

/** Spellings of the acknowledgement path other than OSCP's, served for peers set to use them. */
const OTHER_ACKNOWLEDGEMENT_PATHS = ACKNOWLEDGEMENT_PATHS.filter(
  (p) => p !== 'handshake_acknowledge',
);

/**
 * The Capacity Provider's OSCP endpoints under `/oscp/cp/2.0/` and its OAuth token endpoint.
 * Authentication, X-Request-ID, static headers and faults are checked in `onRequest`, before the
 * body is parsed, so an unauthenticated caller learns nothing about its body.
 */
export async function inboundRoutes(app: FastifyInstance, deps: InboundDeps): Promise<void> {
  const contexts = new WeakMap<FastifyRequest, RequestContext>();

  const record =
    (endpoint: string, redactBody: (body: unknown) => unknown = (b) => b) =>
    async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const context = contexts.get(request);
      const requestId = getHeader(request.headers, REQUEST_ID_HEADER);
      const correlationId = getHeader(request.headers, CORRELATION_ID_HEADER);
      deps.recorder.inbound({
        at: (context?.at ?? deps.clock.now()).toISOString(),
        endpoint,
        method: request.method,
        headers: redactHeaders(request.headers),
        body: redactBody(request.body ?? null),
        status: reply.statusCode,
        handling:
          reply.statusCode >= 300 ? 'rejected' : context?.ignoredBecause ? 'ignored' : 'accepted',
        ...(context?.ignoredBecause ? { ignoredBecause: context.ignoredBecause } : {}),
        ...(context?.peer ? { peerId: context.peer.id } : {}),
        ...(requestId === undefined ? {} : { requestId }),
        ...(correlationId === undefined ? {} : { correlationId }),
      });
      return payload;
    };

  /** Applies an injected fault; true when the fault answered the request. */
  const applyFault = async (endpoint: string, peer: Peer | undefined, reply: FastifyReply) => {
    const fault = deps.faults.take(endpoint, peer?.id);
    if (!fault) return false;
    if (fault.delayMs) await deps.sleep(fault.delayMs);
    if (fault.status === undefined) return false;
    if (fault.status === 204) await reply.code(204).send();
    else
      await reply
        .code(fault.status)
        .send({ message: fault.message ?? `injected fault: HTTP ${fault.status}` });
    return true;
  };

  await app.register(
    async (oscp) => {
      for (const path of [...INBOUND_ENDPOINTS, ...OTHER_ACKNOWLEDGEMENT_PATHS]) {
        const spelledOtherwise = (OTHER_ACKNOWLEDGEMENT_PATHS as readonly string[]).includes(path);
        const endpoint = (spelledOtherwise ? 'handshake_acknowledge' : path) as InboundEndpoint;
        const kind = kindForEndpoint(endpoint) as MessageKind;
        oscp.route({
          method: endpoint === 'register' ? ['POST', 'PUT', 'DELETE'] : ['POST'],
          url: `/${path}`,
          onRequest: async (request, reply) => {
            const context: RequestContext = { at: deps.clock.now() };
            contexts.set(request, context);
            const auth = authenticate(request.headers, deps.registry, context.at);
            if (auth.peer) context.peer = auth.peer;
            if (!auth.ok) return reply.code(auth.status).send({ message: auth.message });
            auth.peer.fromFp.lastRequestAt = context.at.toISOString();
            if (await applyFault(endpoint, auth.peer, reply)) return reply;
          },
          onSend: record(path),
          handler: async (request, reply) => {
            const peer = contexts.get(request)?.peer;
            if (!peer) return reply.code(403).send({ message: 'not authenticated' });
            // A peer takes acknowledgements at one spelling of the path only, as real ones do.
            if (endpoint === 'handshake_acknowledge' && path !== peer.switches.acknowledgementPath)
              return reply.code(404).send({
                message: `no endpoint ${path}: acknowledgements go to ${peer.switches.acknowledgementPath}`,
              });
            const segment = parseSegmentHeaders(request.headers);
            if (!segment.ok) return reply.code(400).send({ message: segment.message });
            if (segment.value) {
              return reply
                .code(400)
                .send({ message: 'segmented messages are not supported: send the whole message' });
            }
            let body: unknown;
            if (!(endpoint === 'register' && request.method === 'DELETE')) {
              const parsed = parseMessage(kind, request.body ?? undefined);
              if (!parsed.ok) return reply.code(400).send({ message: parsed.message });
              body = parsed.value;
            }
            const correlationId = getHeader(request.headers, CORRELATION_ID_HEADER)?.trim();
            const verdict = deps.handle({
              endpoint,
              method: request.method,
              peer,
              requestId: getHeader(request.headers, REQUEST_ID_HEADER)?.trim() ?? '',
              ...(correlationId ? { correlationId } : {}),
              body,
            });
            if ('message' in verdict)
              return reply.code(verdict.status).send({ message: verdict.message });
            const context = contexts.get(request);
            if (context && verdict.ignoredBecause) context.ignoredBecause = verdict.ignoredBecause;
            // OSCP: answer first, then do the follow-up call as a separate request.
            const then = verdict.then;
            if (then) reply.raw.once('finish', () => setImmediate(then));
            return reply.code(204).send();
          },
        });
      }
    },
    { prefix: OSCP_PREFIX },
  );

  await app.register(async (token) => {
    addFormParser(token);
    token.post(TOKEN_PATH, {
      onRequest: async (request, reply) => {
        contexts.set(request, { at: deps.clock.now() });
        if (await applyFault(OAUTH_FAULT_ENDPOINT, undefined, reply)) return reply;
      },
      onSend: record(OAUTH_FAULT_ENDPOINT, redactTokenBody),
      handler: async (request, reply) => {
        const read = readTokenRequest(request.headers, request.body);
        if (!read.ok) return sendTokenError(reply, read);
        const peer = authenticateClient(deps.registry, read.credentials);
        if (!peer) {
          return sendTokenError(reply, {
            status: 401,
            error: 'invalid_client',
            description: 'unknown client or wrong secret',
            basic: read.credentials.via === 'basic',
          });
        }
        const context = contexts.get(request);
        if (context) context.peer = peer;
        const ttl = deps.accessTokenTtlSeconds;
        const accessToken = deps.registry.issueAccessToken(peer, deps.clock.now(), ttl);
        return reply
          .header('Cache-Control', 'no-store')
          .send({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl });
      },
    });
  });
}
