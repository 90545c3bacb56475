// Test support for the simulator's own tests: a tiny Flexibility Provider stand-in on real HTTP
// that answers and records, plus a manual clock. Not exported from the package.
import { EventEmitter } from 'node:events';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import {
  CORRELATION_ID_HEADER,
  REQUEST_ID_HEADER,
  createOscpClient,
  getHeader,
  newRequestId,
} from '@openvelope/oscp';
import type { OscpClient, OscpMessage, SendOutcome } from '@openvelope/oscp';
import type { SimClock } from './types';

export interface FpRequest {
  endpoint: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  authorization?: string;
  requestId?: string;
  correlationId?: string;
}

/** A settable clock. */
export class ManualClock implements SimClock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(date: Date): void {
    this.current = date;
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * Serves `/oscp/fp/2.0/<endpoint>` (answers 204 unless told otherwise) and, when given client
 * credentials, an OAuth token endpoint, and records everything it receives.
 */
export class FpStandIn {
  readonly requests: FpRequest[] = [];
  readonly issuedTokens: string[] = [];
  readonly #events = new EventEmitter();
  readonly #answers = new Map<string, number>();
  #app!: FastifyInstance;
  url = '';

  private constructor(private readonly oauth?: { clientId: string; clientSecret: string }) {}

  static async start(options: { oauth?: { clientId: string; clientSecret: string } } = {}) {
    const fp = new FpStandIn(options.oauth);
    const app = Fastify({ logger: false });
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    app.post('/oauth/token', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, string>;
      if (
        !fp.oauth ||
        body.grant_type !== 'client_credentials' ||
        body.client_id !== fp.oauth.clientId ||
        body.client_secret !== fp.oauth.clientSecret
      ) {
        return reply.code(401).send({ error: 'invalid_client' });
      }
      const token = `fp-access-${fp.issuedTokens.length + 1}`;
      fp.issuedTokens.push(token);
      return { access_token: token, token_type: 'Bearer', expires_in: 600 };
    });
    app.route({
      method: ['POST', 'PUT', 'DELETE'],
      url: '/oscp/fp/2.0/:endpoint',
      handler: async (request, reply) => {
        const { endpoint } = request.params as { endpoint: string };
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string') headers[name] = value;
        }
        const record: FpRequest = {
          endpoint,
          method: request.method,
          headers,
          body: request.body ?? null,
          ...optional('authorization', getHeader(request.headers, 'authorization')),
          ...optional('requestId', getHeader(request.headers, REQUEST_ID_HEADER)),
          ...optional('correlationId', getHeader(request.headers, CORRELATION_ID_HEADER)),
        };
        fp.requests.push(record);
        fp.#events.emit('request', record);
        const status = fp.#answers.get(endpoint) ?? 204;
        return status === 204 ? reply.code(204).send() : reply.code(status).send({ message: 'no' });
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    fp.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    fp.#app = app;
    return fp;
  }

  get baseUrl(): string {
    return `${this.url}/oscp/fp/2.0`;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth/token`;
  }

  /** Answer this status on an endpoint from now on. */
  answer(endpoint: string, status: number): void {
    this.#answers.set(endpoint, status);
  }

  received(endpoint: string): FpRequest[] {
    return this.requests.filter((r) => r.endpoint === endpoint);
  }

  /** The `nth` (1-based) request to an endpoint matching `where`, as soon as it has arrived. */
  waitFor(
    endpoint: string,
    {
      nth = 1,
      where,
      timeoutMs = 5000,
    }: { nth?: number; where?: (r: FpRequest) => boolean; timeoutMs?: number } = {},
  ): Promise<FpRequest> {
    const wanted = (r: FpRequest) => r.endpoint === endpoint && (where?.(r) ?? true);
    const found = () => this.requests.filter(wanted)[nth - 1];
    const already = found();
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const onRequest = () => {
        const match = found();
        if (!match) return;
        clearTimeout(timer);
        this.#events.off('request', onRequest);
        resolve(match);
      };
      const timer = setTimeout(() => {
        this.#events.off('request', onRequest);
        reject(
          new Error(`the FP stand-in did not receive ${endpoint} #${nth} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#events.on('request', onRequest);
    });
  }

  async stop(): Promise<void> {
    await this.#app.close();
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** The FP side of the conversation: sends to the simulator through the wire library's client. */
export class FpClient {
  readonly #client: OscpClient;

  constructor(
    private readonly simBaseUrl: string,
    timeoutMs = 5000,
  ) {
    this.#client = createOscpClient({ timeoutMs });
  }

  send(
    message: OscpMessage,
    auth: { scheme: 'Token' | 'Bearer'; token: string },
    options: {
      requestId?: string;
      correlationId?: string;
      staticHeaders?: Record<string, string>;
    } = {},
  ): Promise<SendOutcome> {
    return this.#client.send(
      {
        baseUrl: this.simBaseUrl,
        authorization: auth,
        ...(options.staticHeaders ? { staticHeaders: options.staticHeaders } : {}),
      },
      message,
      {
        requestId: options.requestId ?? newRequestId(),
        ...(options.correlationId ? { correlationId: options.correlationId } : {}),
      },
    );
  }
}

/** Raw POST for cases the wire client refuses to produce (bad bodies, missing headers). */
export async function rawPost(
  url: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A peer whose FP-first registration has completed: returns the token the FP must now use. */
export async function registerFpFirst(
  sim: {
    waitForPeer(
      id: string,
      p: (peer: { registration: { status: string } }) => boolean,
    ): Promise<unknown>;
  },
  fp: FpStandIn,
  client: FpClient,
  {
    peerId,
    initialToken,
    fpToken = 'fp-token-for-sim',
  }: { peerId: string; initialToken: string; fpToken?: string },
): Promise<{ simToken: string; registerRequestId: string }> {
  const registerRequestId = newRequestId();
  const outcome = await client.send(
    {
      kind: 'Register',
      body: { token: fpToken, version_url: [{ version: '2.0', base_url: fp.baseUrl }] },
    },
    { scheme: 'Token', token: initialToken },
    { requestId: registerRequestId },
  );
  if (outcome.status !== 'delivered')
    throw new Error(`Register not delivered: ${JSON.stringify(outcome)}`);
  const back = await fp.waitFor('register', {
    where: (r) => r.correlationId === registerRequestId,
  });
  await sim.waitForPeer(peerId, (peer) => peer.registration.status === 'REGISTERED');
  return { simToken: (back.body as { token: string }).token, registerRequestId };
}
