import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectionAuditStream } from '../../oscp/app/stream-names';
import { createOscpTransport } from '../../oscp/app/transport';
import { seedDemo } from '../../testing/demo';
import { startTestApp, type TestContext } from '../../testing/test-app';
import { StatementCounter } from '../../testing/statement-counter';
import { eventually } from '../../testing/wait';
import { readStream } from '../events/event-store';
import { createLogger } from '../logging';
import {
  Dispatcher,
  nextStatus,
  retryDelayMs,
  type AttemptRecord,
  type DeliveryOutcome,
  type Transport,
} from './dispatcher';
import { enqueueOutbound, type NewOutboundMessage } from './outbox';

// The outbox and its dispatcher: unit checks of the retry rules, then the app's own dispatcher
// (with the real OSCP transport and the lifecycle's attempt hook) against a local HTTP peer,
// driven by the manual clock.

type Reply = number | 'hold';

/** A peer on loopback that answers each X-Request-ID as scripted (204 by default) and records every request. */
class ScriptedPeer {
  readonly received: {
    requestId: string;
    correlationId: string | undefined;
    authorization: string | undefined;
    path: string;
    body: unknown;
  }[] = [];
  readonly #scripts = new Map<string, Reply[]>();
  readonly #held: ServerResponse[] = [];
  #server: Server | undefined;

  /** The next answers to requests carrying this X-Request-ID, in order. */
  script(requestId: string, ...replies: Reply[]): void {
    this.#scripts.set(requestId, [...(this.#scripts.get(requestId) ?? []), ...replies]);
  }

  receivedFor(requestId: string) {
    return this.received.filter((r) => r.requestId === requestId);
  }

  /** Answers held requests now, oldest first: all of them, or the first `count`. */
  release(status = 204, count = Infinity): void {
    for (const response of this.#held.splice(0, count)) {
      if (!response.writableEnded && !response.destroyed) ScriptedPeer.#answer(response, status);
    }
  }

  static #answer(response: ServerResponse, status: number): void {
    if (status === 204) {
      response.writeHead(204).end();
      return;
    }
    response
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ message: `scripted ${status}` }));
  }

  async start(): Promise<string> {
    this.#server = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        const requestId = String(request.headers['x-request-id'] ?? '');
        this.received.push({
          requestId,
          correlationId: request.headers['x-correlation-id'] as string | undefined,
          authorization: request.headers.authorization,
          path: request.url ?? '',
          body: text ? JSON.parse(text) : null,
        });
        const reply = this.#scripts.get(requestId)?.shift() ?? 204;
        if (reply === 'hold') this.#held.push(response);
        else ScriptedPeer.#answer(response, reply);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  reset(): void {
    this.release(503);
    this.received.length = 0;
    this.#scripts.clear();
  }

  async stop(): Promise<void> {
    this.release(503);
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

describe('retry rules', () => {
  const options = { baseDelayMs: 1_000, maxDelayMs: 30_000 };

  it('waits base × 2^(attempt-1), capped, scaled by a jitter factor in [0.5, 1)', () => {
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const exponential = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
      expect(retryDelayMs(attempt, options, 0)).toBe(exponential / 2);
      expect(retryDelayMs(attempt, options, 0.5)).toBe(exponential * 0.75);
      const top = retryDelayMs(attempt, options, 0.999_999);
      expect(top).toBeLessThanOrEqual(exponential);
      expect(top).toBeGreaterThan(exponential * 0.999);
    }
    expect(retryDelayMs(6, options, 0)).toBe(15_000);
    expect(retryDelayMs(7, options, 0)).toBe(15_000);
  });

  it('retries 5xx, network errors, timeouts, 408, 425 and 429 until the last attempt; other 4xx and invalid messages are final', () => {
    const url = 'http://peer/x';
    const failed = (reason: 'server_error' | 'network' | 'timeout'): DeliveryOutcome => ({
      status: 'failed',
      reason,
      message: reason,
      url,
    });
    const rejected = (httpStatus: number): DeliveryOutcome => ({
      status: 'rejected',
      httpStatus,
      message: 'no',
      url,
    });
    expect(nextStatus({ status: 'delivered', httpStatus: 204, url }, 1, 3)).toBe('DELIVERED');
    for (const outcome of [
      failed('server_error'),
      failed('network'),
      failed('timeout'),
      rejected(408),
      rejected(425),
      rejected(429),
    ]) {
      expect(nextStatus(outcome, 1, 3)).toBe('RETRYING');
      expect(nextStatus(outcome, 2, 3)).toBe('RETRYING');
      expect(nextStatus(outcome, 3, 3)).toBe('FAILED');
    }
    for (const httpStatus of [400, 401, 403, 404, 409, 422]) {
      expect(nextStatus(rejected(httpStatus), 1, 3)).toBe('FAILED');
    }
    expect(nextStatus({ status: 'invalid', message: 'no secret' }, 1, 3)).toBe('FAILED');
  });
});

describe('the dispatcher of the app against a local peer', () => {
  let ctx: TestContext;
  let peer: ScriptedPeer;
  let peerUrl: string;
  let connectionId: string;
  const LEASE_MS = 2_000 * 3 + 1_000; // the test app's 2 s request timeout

  beforeAll(async () => {
    ctx = await startTestApp('2026-03-02T09:00:00Z');
    peer = new ScriptedPeer();
    peerUrl = `${await peer.start()}/oscp/cp/2.0`;
  });
  afterAll(async () => {
    await peer.stop();
    await ctx.close();
  });
  beforeEach(async () => {
    await ctx.reset();
    peer.reset();
    const ids = await seedDemo(ctx);
    await ctx.app.secrets.put(ctx.db, 'peer-initial', 'initial-4711', 'test', ctx.clock.now());
    // Created disabled: no Register of its own, just a peer and credentials for our messages.
    connectionId = await ctx.app.oscp.connections.create(
      {
        preset: 'OSCP_STANDARD',
        displayName: 'Local peer',
        groupId: 'LOCAL1',
        microgridId: ids.microgridId,
        scopeId: ids.scopeId,
        peerBaseUrl: peerUrl,
        authReferences: { initialToken: 'peer-initial' },
        enabled: false,
      },
      'test',
      ctx.clock.now(),
    );
    // Enabled in the read model only: the transport sends for enabled connections alone.
    await setEnabled(true);
  });

  const setEnabled = (enabled: boolean) =>
    ctx.db
      .updateTable('oscp_connections')
      .set({ enabled })
      .where('id', '=', connectionId)
      .execute();

  const dispatcher = () => ctx.app.oscp.dispatcher;

  async function enqueue(overrides: Partial<NewOutboundMessage> = {}) {
    const message = await ctx.db.transaction().execute((trx) =>
      enqueueOutbound(
        trx,
        {
          connectionId,
          kind: 'GroupCapacityComplianceError',
          body: { message: 'cannot keep to the forecast' },
          correlationId: 'forecast-1',
          maxAttempts: 3,
          ...overrides,
        },
        ctx.clock.now(),
      ),
    );
    return message!;
  }

  const row = (id: string) =>
    ctx.db
      .selectFrom('outbound_messages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  async function attempts(requestId: string) {
    const events = await readStream(ctx.db, connectionAuditStream(connectionId));
    return events
      .filter((e) => e.type === 'OscpOutboundAttempted' && e.data.requestId === requestId)
      .map((e) => e.data);
  }

  it('writes the message in the caller’s transaction before any I/O; a rolled-back transaction leaves no row and sends nothing', async () => {
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await enqueueOutbound(
          trx,
          {
            connectionId,
            kind: 'Heartbeat',
            body: { offline_mode_at: '2026-03-02T10:00:00Z' },
            maxAttempts: 1,
          },
          ctx.clock.now(),
        );
        throw new Error('the decision was rolled back');
      }),
    ).rejects.toThrow('the decision was rolled back');
    expect(await ctx.db.selectFrom('outbound_messages').selectAll().execute()).toHaveLength(0);
    expect(await dispatcher().runDue()).toBe(0);
    expect(peer.received).toHaveLength(0);

    const written = await ctx.db.transaction().execute(async (trx) => {
      const message = await enqueueOutbound(
        trx,
        {
          connectionId,
          kind: 'GroupCapacityComplianceError',
          body: { message: 'x' },
          maxAttempts: 3,
        },
        ctx.clock.now(),
      );
      // Inside the transaction: the row is there, with its request id fixed, and nothing was sent.
      const inside = await trx
        .selectFrom('outbound_messages')
        .selectAll()
        .where('id', '=', message!.id)
        .executeTakeFirstOrThrow();
      expect(inside).toMatchObject({
        status: 'PENDING',
        attempts: 0,
        request_id: message!.requestId,
      });
      expect(peer.received).toHaveLength(0);
      return message!;
    });
    expect(await row(written.id)).toMatchObject({ status: 'PENDING' });
    expect(peer.received).toHaveLength(0);
    expect(await dispatcher().runDue()).toBe(1);
    expect(peer.received.map((r) => r.requestId)).toEqual([written.requestId]);
  });

  it('writes a periodic publication once per dedupe key', async () => {
    const first = await enqueue({ dedupeKey: 'heartbeat:x:09:00' });
    const second = await enqueue({ dedupeKey: 'heartbeat:x:09:00' });
    expect(first).toBeDefined();
    expect(second).toBeUndefined();
    expect(await ctx.db.selectFrom('outbound_messages').selectAll().execute()).toHaveLength(1);
  });

  it('moves a message PENDING → SENDING (leased while the peer answers) → DELIVERED, with the request’s headers', async () => {
    const message = await enqueue();
    expect(await row(message.id)).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      lease_until: null,
    });
    peer.script(message.requestId, 'hold');
    const run = dispatcher().runDue();
    await eventually(() => peer.received.length === 1, 'the request at the peer');
    const sending = await row(message.id);
    expect(sending).toMatchObject({ status: 'SENDING', attempts: 1 });
    expect(sending.lease_until?.getTime()).toBe(ctx.clock.now().getTime() + LEASE_MS);

    peer.release(204);
    expect(await run).toBe(1);
    const delivered = await row(message.id);
    expect(delivered).toMatchObject({
      status: 'DELIVERED',
      attempts: 1,
      lease_until: null,
      last_http_status: 204,
      last_error: null,
      last_url: `${peerUrl}/group_capacity_compliance_error`,
    });
    expect(delivered.delivered_at?.toISOString()).toBe(ctx.clock.now().toISOString());
    expect(peer.received[0]).toEqual({
      requestId: message.requestId,
      correlationId: 'forecast-1',
      authorization: 'Token initial-4711',
      path: '/oscp/cp/2.0/group_capacity_compliance_error',
      body: { message: 'cannot keep to the forecast' },
    });
    expect(await attempts(message.requestId)).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'DELIVERED',
        outcome: 'delivered',
        httpStatus: 204,
      }),
    ]);
  });

  it('when polling, delivers what becomes due while an earlier message is still waiting on the peer', async () => {
    const slow = await enqueue();
    peer.script(slow.requestId, 'hold');
    dispatcher().start(1);
    try {
      await eventually(() => peer.receivedFor(slow.requestId).length === 1, 'the slow request');
      const quick = await enqueue({ correlationId: 'forecast-2' });
      await eventually(
        async () => (await row(quick.id)).status === 'DELIVERED',
        'the later message delivered',
      );
      expect(await row(slow.id)).toMatchObject({ status: 'SENDING' });
      peer.release(204);
    } finally {
      await dispatcher().stop();
    }
    // stop() waited for the message on the network to be recorded.
    expect(await row(slow.id)).toMatchObject({ status: 'DELIVERED' });
  });

  it('cancels what is waiting to be sent when the connection is disabled, and sends nothing', async () => {
    const pending = await enqueue();
    const retrying = await enqueue({ correlationId: 'forecast-2' });
    peer.script(retrying.requestId, 503);
    await ctx.db
      .updateTable('outbound_messages')
      .set({ next_attempt_at: new Date(ctx.clock.now().getTime() + 60_000) })
      .where('id', '=', pending.id)
      .execute();
    expect(await dispatcher().runDue()).toBe(1);
    expect(await row(retrying.id)).toMatchObject({ status: 'RETRYING' });

    await ctx.db
      .transaction()
      .execute((trx) => ctx.app.oscp.lifecycle.stop(trx, connectionId, ctx.clock.now()));
    ctx.clock.advance(120_000);
    expect(await dispatcher().runDue()).toBe(0);
    expect(peer.receivedFor(pending.requestId)).toHaveLength(0);
    expect(peer.receivedFor(retrying.requestId)).toHaveLength(1);
    for (const id of [pending.id, retrying.id]) {
      expect(await row(id)).toMatchObject({
        status: 'FAILED',
        last_error: 'not sent: the connection was disabled',
      });
    }
  });

  it('after a 503 waits out the back-off (not resent before next_attempt_at), then delivers with the same X-Request-ID', async () => {
    const message = await enqueue();
    peer.script(message.requestId, 503, 204);
    expect(await dispatcher().runDue()).toBe(1);
    const retrying = await row(message.id);
    expect(retrying).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      last_http_status: 503,
      last_error: 'HTTP 503: scripted 503',
      lease_until: null,
    });
    const due = retrying.next_attempt_at.getTime();
    const delay = due - ctx.clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1_000);

    ctx.clock.set(new Date(due - 1));
    expect(await dispatcher().runDue()).toBe(0);
    expect(peer.received).toHaveLength(1);
    ctx.clock.set(new Date(due));
    expect(await dispatcher().runDue()).toBe(1);
    expect(peer.received.map((r) => r.requestId)).toEqual([message.requestId, message.requestId]);
    expect(await row(message.id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });

    // Each attempt and the final outcome is an event on the connection's stream.
    expect(await attempts(message.requestId)).toEqual([
      expect.objectContaining({
        connectionId,
        kind: 'GroupCapacityComplianceError',
        correlationId: 'forecast-1',
        attempt: 1,
        status: 'RETRYING',
        outcome: 'failed',
        httpStatus: 503,
        nextAttemptAt: new Date(due).toISOString(),
      }),
      expect.objectContaining({
        attempt: 2,
        status: 'DELIVERED',
        outcome: 'delivered',
        httpStatus: 204,
        nextAttemptAt: null,
        at: new Date(due).toISOString(),
      }),
    ]);
  });

  it('backs off exponentially and gives up after the last attempt: FAILED, every attempt with the same X-Request-ID', async () => {
    const message = await enqueue({ maxAttempts: 4 });
    peer.script(message.requestId, 503, 503, 503, 503);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await dispatcher().runDue()).toBe(1);
      const current = await row(message.id);
      expect(current).toMatchObject({ status: 'RETRYING', attempts: attempt });
      const exponential = 1_000 * 2 ** (attempt - 1);
      const delay = current.next_attempt_at.getTime() - ctx.clock.now().getTime();
      expect(delay).toBeGreaterThanOrEqual(exponential / 2);
      expect(delay).toBeLessThanOrEqual(exponential);
      ctx.clock.set(current.next_attempt_at);
    }
    expect(await dispatcher().runDue()).toBe(1);
    expect(await row(message.id)).toMatchObject({ status: 'FAILED', attempts: 4 });
    ctx.clock.advance(3_600_000);
    expect(await dispatcher().runDue()).toBe(0);
    expect(peer.receivedFor(message.requestId)).toHaveLength(4);
    expect(peer.received.every((r) => r.requestId === message.requestId)).toBe(true);
    expect((await attempts(message.requestId)).map((a) => [a.attempt, a.status])).toEqual([
      [1, 'RETRYING'],
      [2, 'RETRYING'],
      [3, 'RETRYING'],
      [4, 'FAILED'],
    ]);
  });

  it('fails at once on a 4xx, but retries 408, 425 and 429', async () => {
    const final = await Promise.all([400, 401, 403, 404, 409, 422].map(() => enqueue()));
    const retried = await Promise.all([408, 425, 429].map(() => enqueue()));
    [400, 401, 403, 404, 409, 422].forEach((status, i) => peer.script(final[i]!.requestId, status));
    [408, 425, 429].forEach((status, i) => peer.script(retried[i]!.requestId, status, 204));
    expect(await dispatcher().runDue()).toBe(9);
    for (const message of final) {
      expect(await row(message.id)).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(await attempts(message.requestId)).toEqual([
        expect.objectContaining({ status: 'FAILED', outcome: 'rejected' }),
      ]);
    }
    for (const message of retried) {
      expect(await row(message.id)).toMatchObject({ status: 'RETRYING', attempts: 1 });
    }
    ctx.clock.advance(1_000);
    expect(await dispatcher().runDue()).toBe(3);
    for (const message of retried) {
      expect(await row(message.id)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
    }
    for (const message of final) expect(peer.receivedFor(message.requestId)).toHaveLength(1);
  });

  it('records a peer that does not answer within the request timeout as failed with reason timeout', async () => {
    const message = await enqueue({ maxAttempts: 1 });
    peer.script(message.requestId, 'hold');
    expect(await dispatcher().runDue()).toBe(1);
    peer.release(204);
    expect(await row(message.id)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      last_error: 'timed out: no response within 2000 ms',
      last_http_status: null,
    });
    expect(await attempts(message.requestId)).toEqual([
      expect.objectContaining({
        status: 'FAILED',
        outcome: 'failed',
        httpStatus: null,
        error: 'no response within 2000 ms',
      }),
    ]);
    const connection = await ctx.app.oscp.connections.detail(connectionId);
    expect(connection.latestError).toMatchObject({
      status: 'timeout',
      attempted: 'GroupCapacityComplianceError (attempt 1 of 1)',
    });
  });

  it('claims a message again once its lease ran out (its sender presumed dead), re-sends it with the same X-Request-ID, and ignores the stale sender’s late outcome', async () => {
    const message = await enqueue();
    // The first sender claims and sends, then hangs: as if its process died before recording.
    peer.script(message.requestId, 'hold', 'hold');
    const stale = dispatcher().runDue();
    await eventually(() => peer.received.length === 1, 'the first request at the peer');
    expect(await row(message.id)).toMatchObject({ status: 'SENDING', attempts: 1 });

    // Another sender (a second dispatcher on the same database) finds nothing to do while the
    // lease holds…
    const other = new Dispatcher(
      ctx.db,
      ctx.clock,
      createOscpTransport({
        db: ctx.db,
        secrets: ctx.app.secrets,
        clock: ctx.clock,
        timeoutMs: 2_000,
      }),
      (trx, record) => ctx.app.oscp.lifecycle.onDeliveryAttempt(trx, record),
      { timeoutMs: 2_000, baseDelayMs: 1_000, maxDelayMs: 300_000, batchSize: 50 },
      createLogger('silent'),
    );
    ctx.clock.advance(LEASE_MS - 1);
    expect(await other.runDue()).toBe(0);
    // …and claims it when the lease is over: attempt 2, same request id.
    ctx.clock.advance(1);
    const fresh = other.runDue();
    await eventually(() => peer.received.length === 2, 'the second request at the peer');
    expect(peer.received.map((r) => r.requestId)).toEqual([message.requestId, message.requestId]);
    expect(await row(message.id)).toMatchObject({ status: 'SENDING', attempts: 2 });

    // The first sender comes back with a 503 for attempt 1 while attempt 2 is in flight: too
    // late, it changes nothing.
    peer.release(503, 1);
    await stale;
    expect(await row(message.id)).toMatchObject({
      status: 'SENDING',
      attempts: 2,
      last_error: null,
    });
    expect(await attempts(message.requestId)).toEqual([]);

    // The current sender's outcome counts.
    peer.release(204, 1);
    expect(await fresh).toBe(1);
    expect(await row(message.id)).toMatchObject({
      status: 'DELIVERED',
      attempts: 2,
      last_http_status: 204,
      last_error: null,
    });
    expect((await attempts(message.requestId)).map((a) => [a.attempt, a.status])).toEqual([
      [2, 'DELIVERED'],
    ]);
    expect(peer.received).toHaveLength(2);
  });

  it.runIf(process.env.DATABASE_URL)(
    'skips a message another instance is claiming (row locked) rather than waiting for it or taking it too (PostgreSQL)',
    async () => {
      const locked = await enqueue();
      const free = await enqueue();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let hasLock!: () => void;
      const lockTaken = new Promise<void>((resolve) => (hasLock = resolve));
      // Another instance's claim transaction, holding one row.
      const claimer = ctx.db.transaction().execute(async (trx) => {
        await trx
          .selectFrom('outbound_messages')
          .select('id')
          .where('id', '=', locked.id)
          .forUpdate()
          .execute();
        hasLock();
        await held;
      });
      await lockTaken;
      try {
        // Bounded: a dispatcher that waited for the lock would never return while it is held.
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the claim waited for a locked row')), 5_000);
        });
        const claimed = await Promise.race([dispatcher().runDue(), waited]);
        clearTimeout(timer);
        expect(claimed).toBe(1);
        expect(peer.received.map((r) => r.requestId)).toEqual([free.requestId]);
        expect(await row(locked.id)).toMatchObject({ status: 'PENDING', attempts: 0 });
      } finally {
        release();
        await claimer;
      }
      expect(await dispatcher().runDue()).toBe(1);
      expect(peer.received.map((r) => r.requestId)).toEqual([free.requestId, locked.requestId]);
    },
  );

  it('claims at most a batch of what is due in one statement, the oldest due first', async () => {
    const sent: string[] = [];
    const statements = new StatementCounter();
    const standalone = new Dispatcher(
      ctx.db.withPlugin(statements),
      ctx.clock,
      async (message) => {
        sent.push(message.requestId);
        return { status: 'delivered', httpStatus: 204, url: 'http://peer.invalid/x' };
      },
      async () => {},
      { timeoutMs: 1_000, baseDelayMs: 1_000, maxDelayMs: 3_000, batchSize: 2 },
      createLogger('silent'),
    );
    // Written newest-due first, so the order they are stored in is not the order they are due in.
    const byDue: string[] = [];
    for (let i = 1; i <= 3; i += 1) {
      const dueAt = new Date(ctx.clock.now().getTime() - i * 1_000);
      byDue.unshift((await enqueue({ dueAt })).requestId);
    }
    // One claim for the batch, then one recorded outcome per message (the hook writes nothing).
    const { count } = await statements.during(async () => {
      expect(await standalone.runDue()).toBe(2);
    });
    expect(count).toBe(1 + 2);
    expect(sent).toEqual(byDue.slice(0, 2));
    expect(await standalone.runDue()).toBe(1);
    expect(sent).toEqual(byDue);
    for (const id of byDue) {
      const stored = await ctx.db
        .selectFrom('outbound_messages')
        .select(['status', 'attempts'])
        .where('request_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ status: 'DELIVERED', attempts: 1 });
    }
  });

  it('takes its jitter from the injected random source', async () => {
    const records: AttemptRecord[] = [];
    const randoms = [0, 0.5, 0.999_999, 0];
    const failing: Transport = async () => ({
      status: 'failed',
      reason: 'server_error',
      httpStatus: 503,
      message: 'busy',
      url: 'http://peer.invalid/x',
    });
    const standalone = new Dispatcher(
      ctx.db,
      ctx.clock,
      failing,
      async (_trx, record) => {
        records.push(record);
      },
      {
        timeoutMs: 1_000,
        baseDelayMs: 1_000,
        maxDelayMs: 3_000,
        batchSize: 10,
        random: () => randoms.shift()!,
      },
      createLogger('silent'),
    );
    const message = await enqueue({ maxAttempts: 5 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(await standalone.runDue()).toBe(1);
      const next = (await row(message.id)).next_attempt_at.getTime();
      delays.push(next - ctx.clock.now().getTime());
      ctx.clock.set(new Date(next));
    }
    // 1 s × 0.5, 2 s × 0.75, min(3 s, 4 s) × ~1, min(3 s, 8 s) × 0.5.
    expect(delays).toEqual([500, 1_500, 3_000, 1_500]);
    expect(records.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'RETRYING'],
      [2, 'RETRYING'],
      [3, 'RETRYING'],
      [4, 'RETRYING'],
    ]);
    expect(await standalone.runDue()).toBe(1);
    expect(records.at(-1)).toMatchObject({ attempt: 5, status: 'FAILED', nextAttemptAt: null });
    expect(peer.received).toHaveLength(0);
  });
});
