import { createServer } from 'node:net';
import { CapacityProviderSimulator, type InboundRecord, type PeerConfig } from '@openvelope/sim';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Role } from '../platform/auth/roles';
import { readStream, type StoredEvent } from '../platform/events/event-store';
import type { RefusalView } from '../oscp/store/refusals';
import type { OutboundView } from '../platform/outbox/outbox';
import { seedDemo } from './demo';
import { startTestApp, type TestContext } from './test-app';
import { eventually } from './wait';
import { connectionAuditStream, connectionStream } from '../oscp/app/stream-names';
import type { ConnectionDetail, ConnectionSummary } from '../oscp/contract';
import { OSCP_FP_PREFIX } from '../oscp/http/protocol-routes';

/**
 * Shared set-up of the lifecycle-*.test.ts files: the whole app in-process on a fresh database with
 * a manual clock, listening on loopback, and the Capacity Provider simulator on the same clock.
 * Every test starts from empty tables; simulator peers stay (each test uses its own group id).
 */
export class LifecycleHarness {
  ctx!: TestContext;
  sim!: CapacityProviderSimulator;
  /** Where the app listens, e.g. http://127.0.0.1:40123. */
  baseUrl!: string;
  /** Cookie of a MANAGER, signed in afresh for each test. */
  manager!: string;
  ids!: Awaited<ReturnType<typeof seedDemo>>;
  #groups = 0;

  /** Our OSCP API root as a peer reaches it. */
  get fpBaseUrl(): string {
    return `${this.baseUrl}${OSCP_FP_PREFIX}`;
  }

  /** A group id no other test of the file uses (the simulator keeps its peers). */
  nextGroup(prefix = 'G'): string {
    this.#groups += 1;
    return `${prefix}${this.#groups}`;
  }

  // Management API

  async detail(id: string): Promise<ConnectionDetail> {
    const response = await this.ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${id}`,
      cookie: this.manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  async list(): Promise<ConnectionSummary[]> {
    const response = await this.ctx.request({
      method: 'GET',
      url: '/api/oscp-connections',
      cookie: this.manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { connections: ConnectionSummary[] }).connections;
  }

  async publications(id: string, query = ''): Promise<OutboundView[]> {
    const response = await this.ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${id}/publications${query}`,
      cookie: this.manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  }

  /** The timeline API (connection stream and its audit stream), newest first. */
  async timeline(
    id: string,
    kinds?: string[],
  ): Promise<{ type: string; at: string; data: Record<string, unknown> }[]> {
    const response = await this.ctx.request({
      method: 'GET',
      url: `/api/oscp-connections/${id}/timeline?limit=200${kinds ? `&kind=${kinds.join(',')}` : ''}`,
      cookie: this.manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  }

  /** Events of the connection aggregate's own stream (`oscp-connection-<id>`), oldest first. */
  async connectionEvents(id: string, type?: string): Promise<StoredEvent[]> {
    const events = await readStream(this.ctx.db, connectionStream(id));
    return type ? events.filter((e) => e.type === type) : events;
  }

  /** Audit records of the connection (`oscp-connection-<id>-audit`), oldest first. */
  async auditEvents(id: string, type?: string): Promise<StoredEvent[]> {
    const events = await readStream(this.ctx.db, connectionAuditStream(id));
    return type ? events.filter((e) => e.type === type) : events;
  }

  /** The refusal log (all, or of one connection), oldest first. */
  async refusals(connectionId?: string): Promise<RefusalView[]> {
    const response = await this.ctx.request({
      method: 'GET',
      url: `/api/oscp-refusals?limit=200${connectionId ? `&connectionId=${connectionId}` : ''}`,
      cookie: this.manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().items as RefusalView[]).reverse();
  }

  /** Refusals no connection could be named for, oldest first. */
  async unattributedRefusals(): Promise<RefusalView[]> {
    return (await this.refusals()).filter((r) => r.connectionId === null);
  }

  /** Outbox rows of a connection as stored (bodies included), oldest first. */
  async outbox(id: string) {
    return this.ctx.db
      .selectFrom('outbound_messages')
      .selectAll()
      .where('connection_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  async putSecret(name: string, value: string): Promise<void> {
    const response = await this.ctx.request({
      method: 'PUT',
      url: `/api/secrets/${name}`,
      cookie: this.manager,
      body: { value },
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
  }

  async createConnection(body: Record<string, unknown>): Promise<string> {
    const response = await this.ctx.request({
      method: 'POST',
      url: '/api/oscp-connections',
      cookie: this.manager,
      body: {
        preset: 'OSCP_STANDARD',
        displayName: `CP ${String(body.groupId)}`,
        microgridId: this.ids.microgridId,
        scopeId: this.ids.scopeId,
        peerBaseUrl: this.sim.oscpBaseUrl,
        ...body,
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  }

  async action(id: string, action: string) {
    return this.ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/${action}`,
      cookie: this.manager,
    });
  }

  async enable(id: string): Promise<ConnectionDetail> {
    const response = await this.action(id, 'enable');
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  /** A personal API token (`ovt_…`) of a new user with the role. */
  async apiToken(role: Role): Promise<string> {
    const cookie = await this.ctx.signIn(role);
    const response = await this.ctx.request({
      method: 'POST',
      url: '/api/auth/tokens',
      cookie,
      body: { name: 'oscp script' },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().token as string;
  }

  // Driving the lifecycle

  /** Settles due work and deliveries until `check` holds (replies arrive over real HTTP). */
  async settleUntil<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
    return eventually(async () => {
      await this.ctx.app.settle();
      return check();
    }, what);
  }

  async phaseBecomes(id: string, phase: string): Promise<ConnectionDetail> {
    return this.settleUntil(`phase ${phase}`, async () => {
      const detail = await this.detail(id);
      return detail.lifecycle.phase === phase ? detail : undefined;
    });
  }

  /** Waits until the simulator recorded an inbound request matching `where`. */
  async peerReceived(
    what: string,
    where: (record: InboundRecord) => boolean,
    settle = true,
  ): Promise<InboundRecord> {
    return eventually(async () => {
      if (settle) await this.ctx.app.settle();
      return this.sim.messages().find(where);
    }, what);
  }

  /**
   * A token-exchange connection (not yet enabled) and a simulator peer that knows its initial
   * token. The peer registers back unless told otherwise.
   */
  async tokenExchange(
    options: { peer?: Partial<PeerConfig>; connection?: Record<string, unknown> } = {},
  ): Promise<{ id: string; peerId: string; group: string; initialToken: string }> {
    const group = this.nextGroup();
    const initialToken = `init${group}-from-cp`;
    await this.putSecret(`init-${group}`, initialToken);
    const peerId = this.sim.addPeer({
      groupId: group,
      mode: 'OSCP_TOKEN',
      initialTokenForFp: initialToken,
      ...options.peer,
    });
    const id = await this.createConnection({
      groupId: group,
      authReferences: { initialToken: `init-${group}` },
      ...options.connection,
    });
    return { id, peerId, group, initialToken };
  }

  async registered(options: Parameters<LifecycleHarness['tokenExchange']>[0] = {}) {
    const made = await this.tokenExchange(options);
    await this.enable(made.id);
    await this.phaseBecomes(made.id, 'REGISTERED');
    return made;
  }

  /** Registered, then the peer's Handshake acknowledged and delivered: HANDSHAKEN. */
  async handshaken(
    options: Parameters<LifecycleHarness['tokenExchange']>[0] & {
      heartbeatIntervalSeconds?: number;
    } = {},
  ) {
    const made = await this.registered(options);
    const outcome = await this.sim.sendHandshake(made.peerId, {
      heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 60,
      measurementConfiguration: ['CONTINUOUS'],
    });
    expect(outcome).toMatchObject({ status: 'delivered', httpStatus: 204 });
    await this.phaseBecomes(made.id, 'HANDSHAKEN');
    return made;
  }

  /** The token we issued the peer, as the simulator received it in our latest Register. */
  peerToken(peerId: string): string {
    const ours = this.sim
      .messages({ endpoint: 'register', peerId })
      .filter((m) => m.status === 204)
      .at(-1);
    const token = (ours?.body as { token?: string } | undefined)?.token;
    if (!token) throw new Error(`no Register of ours reached peer ${peerId}`);
    return token;
  }

  /**
   * A Vector DERMS (OAuth2 client credentials, static headers both ways) connection, not yet
   * enabled, and a VECTOR simulator peer holding the client credentials we issued it.
   */
  async vector(options: { peer?: Partial<PeerConfig>; connection?: Record<string, unknown> } = {}) {
    const group = this.nextGroup('V');
    const outboundStatic = { 'fp-id': `openvelope-${group}`, apikey: `k-${group}` };
    const inboundStatic = { 'x-access-token': `vector-${group}` };
    await this.putSecret(`vec-${group}-token-url`, this.sim.tokenUrl);
    await this.putSecret(`vec-${group}-client-id`, `fp-at-cp-${group}`);
    await this.putSecret(`vec-${group}-client-secret`, `fp-secret-${group}`);
    await this.putSecret(`vec-${group}-static`, JSON.stringify(outboundStatic));
    await this.putSecret(`vec-${group}-inbound`, JSON.stringify(inboundStatic));
    const id = await this.createConnection({
      preset: 'VECTOR_DERMS',
      groupId: group,
      reportingAssetId: `${group}-CHARGING`,
      authReferences: {
        tokenUrl: `vec-${group}-token-url`,
        clientId: `vec-${group}-client-id`,
        clientSecret: `vec-${group}-client-secret`,
        staticHeaders: `vec-${group}-static`,
        inboundStaticHeaders: `vec-${group}-inbound`,
      },
      ...options.connection,
    });
    const issued = await this.ctx.request({
      method: 'POST',
      url: `/api/oscp-connections/${id}/oauth-client`,
      cookie: this.manager,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const client = issued.json() as { clientId: string; clientSecret: string; tokenUrl: string };
    const peerId = this.sim.addPeer({
      groupId: group,
      mode: 'VECTOR',
      fpBaseUrl: this.fpBaseUrl,
      oauth: {
        fpTokenUrl: client.tokenUrl,
        clientId: `fp-at-cp-${group}`,
        clientSecret: `fp-secret-${group}`,
        outboundClientId: client.clientId,
        outboundClientSecret: client.clientSecret,
      },
      expectedStaticHeaders: outboundStatic,
      staticHeadersToSend: inboundStatic,
      heartbeatIntervalSeconds: 60,
      ...options.peer,
    });
    return { id, peerId, group, outboundStatic, inboundStatic };
  }

  /** One hour of capacity from now, in amperes on all phases. */
  forecastBlocks(capacity = 50) {
    const start = this.ctx.clock.now();
    return [
      {
        start,
        end: new Date(start.getTime() + 3_600_000),
        capacity,
        unit: 'A' as const,
        phase: 'ALL' as const,
      },
    ];
  }

  /** A raw POST to one of our OSCP endpoints (for what the simulator will not send). */
  async post(
    path: string,
    options: {
      authorization?: string;
      requestId?: string;
      correlationId?: string;
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': options.requestId ?? crypto.randomUUID(),
        ...(options.authorization ? { authorization: options.authorization } : {}),
        ...(options.correlationId ? { 'x-correlation-id': options.correlationId } : {}),
        ...options.headers,
      },
      body: JSON.stringify(options.body ?? {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
  }
}

/** Registers the file's hooks and returns the harness its tests use. */
export function useLifecycleHarness(): LifecycleHarness {
  const h = new LifecycleHarness();
  beforeAll(async () => {
    h.ctx = await startTestApp('2026-03-02T09:00:00Z');
    h.baseUrl = await h.ctx.listen();
    h.sim = new CapacityProviderSimulator({ clock: h.ctx.clock, requestTimeoutMs: 5000 });
    await h.sim.start();
  });
  afterAll(async () => {
    await h.sim?.stop();
    await h.ctx?.close();
  });
  beforeEach(async () => {
    await h.ctx.reset();
    h.sim.clearFaults();
    h.sim.clearMessages();
    h.ids = await seedDemo(h.ctx);
    h.manager = await h.ctx.signIn('MANAGER');
  });
  return h;
}

/** An http URL on a loopback port nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/oscp/cp/2.0`;
}
