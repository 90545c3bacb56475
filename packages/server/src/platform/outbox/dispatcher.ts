import type { Clock } from '../clock';
import type { Db, Trx } from '../db/database';
import type { Logger } from '../logging';
import { OutageWatch } from '../outage';
import type { OutboundMessage, OutboundStatus } from './outbox';

/** What happened when a message was handed to the network. */
export type DeliveryOutcome =
  | { status: 'delivered'; httpStatus: number; url: string }
  | { status: 'rejected'; httpStatus: number; message: string; url: string; body?: string }
  | {
      status: 'failed';
      reason: 'server_error' | 'network' | 'timeout';
      httpStatus?: number;
      message: string;
      url: string;
      /** The start of the peer's answer, when it answered with a body. */
      body?: string;
    }
  | { status: 'invalid'; message: string; url?: string };

/** Sends one message; never throws for protocol outcomes. */
export type Transport = (message: OutboundMessage) => Promise<DeliveryOutcome>;

export interface AttemptRecord {
  message: OutboundMessage;
  attempt: number;
  outcome: DeliveryOutcome;
  /** The message's state after this attempt. */
  status: Extract<OutboundStatus, 'DELIVERED' | 'RETRYING' | 'FAILED'>;
  nextAttemptAt: Date | null;
  at: Date;
}

/** Called in the transaction that records an attempt: the owner records events and reacts. */
export type AttemptHook = (trx: Trx, record: AttemptRecord) => Promise<void>;

export interface DispatcherOptions {
  /** Per-request timeout. The lease on a claimed message is longer, so two senders never overlap. */
  timeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  batchSize: number;
  /**
   * How many messages may be on the network at once when polling (default 2 × batchSize). The
   * poller claims more as soon as there is room, so one slow peer never holds up a whole batch.
   */
  maxInFlight?: number;
  random?: () => number;
}

/** 4xx answers are final, except those that mean "try later". */
const RETRYABLE_REJECTIONS = new Set([408, 425, 429]);

/**
 * Exponential back-off with jitter: attempt n waits base × 2^(n-1), capped, then scaled by a
 * random factor in [0.5, 1) so many senders that failed together do not retry together.
 */
export function retryDelayMs(
  attempt: number,
  options: Pick<DispatcherOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: number,
): number {
  const exponential = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** Math.max(0, attempt - 1),
  );
  return Math.round(exponential * (0.5 + random * 0.5));
}

export function nextStatus(
  outcome: DeliveryOutcome,
  attempt: number,
  maxAttempts: number,
): AttemptRecord['status'] {
  if (outcome.status === 'delivered') return 'DELIVERED';
  if (outcome.status === 'invalid') return 'FAILED';
  if (outcome.status === 'rejected' && !RETRYABLE_REJECTIONS.has(outcome.httpStatus))
    return 'FAILED';
  return attempt >= maxAttempts ? 'FAILED' : 'RETRYING';
}

function describe(outcome: DeliveryOutcome): string | null {
  switch (outcome.status) {
    case 'delivered':
      return null;
    case 'rejected':
      return `HTTP ${outcome.httpStatus}: ${outcome.message}`;
    case 'failed':
      return outcome.reason === 'timeout'
        ? `timed out: ${outcome.message}`
        : outcome.httpStatus
          ? `HTTP ${outcome.httpStatus}: ${outcome.message}`
          : `${outcome.reason}: ${outcome.message}`;
    case 'invalid':
      return `not sent, invalid: ${outcome.message}`;
  }
}

/**
 * Delivers outbound messages written by `enqueueOutbound`. A claim marks rows SENDING with a lease
 * (`FOR UPDATE SKIP LOCKED`, so instances never claim the same row), the network call happens
 * outside any transaction, and the outcome is written only if the claim is still ours. A crash
 * mid-send leaves the row SENDING until its lease ends; then it is claimed again and re-sent with
 * the same X-Request-ID, so nothing persisted is lost and the peer can drop the duplicate.
 */
export class Dispatcher {
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #running: Promise<unknown> = Promise.resolve();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #random: () => number;
  readonly #outage: OutageWatch;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly transport: Transport,
    private readonly onAttempt: AttemptHook,
    private readonly options: DispatcherOptions,
    private readonly log: Logger,
  ) {
    this.#random = options.random ?? Math.random;
    this.#outage = new OutageWatch(log, 'dispatcher');
  }

  /**
   * Long enough for a token fetch and the send (each bounded by the timeout) plus as long again for
   * waiting on the database and the event loop under load: a lease that ran out mid-send would let
   * another sender send the message a second time.
   */
  get leaseMs(): number {
    return this.options.timeoutMs * 3 + 1000;
  }

  /**
   * Claims up to `limit` due messages (and those whose lease ran out) in one statement: they are
   * locked, skipping rows another sender holds, and marked SENDING under a fresh lease.
   */
  async #claim(now: Date, limit: number): Promise<OutboundMessage[]> {
    // The chosen ids are materialised first: as a plain sub-query the planner may run it again per
    // row (a rescanned semi-join), and with SKIP LOCKED each run can pick other rows, past `limit`.
    const rows = await this.db
      .with(
        (cte) => cte('chosen').materialized(),
        (db) =>
          db
            .selectFrom('outbound_messages')
            .select('id')
            .where((w) =>
              w.or([
                w.and([
                  w('status', 'in', ['PENDING', 'RETRYING']),
                  w('next_attempt_at', '<=', now),
                ]),
                w.and([w('status', '=', 'SENDING'), w('lease_until', '<=', now)]),
              ]),
            )
            .orderBy('next_attempt_at')
            .orderBy('created_at')
            .limit(limit)
            .forUpdate()
            .skipLocked(),
      )
      .updateTable('outbound_messages')
      .set((eb) => ({
        status: 'SENDING',
        attempts: eb('attempts', '+', 1),
        lease_until: new Date(now.getTime() + this.leaseMs),
        updated_at: now,
      }))
      .where('id', 'in', (eb) => eb.selectFrom('chosen').select('id'))
      .returningAll()
      .execute();
    // RETURNING keeps no order: the oldest due go out first, as claimed.
    rows.sort(
      (a, b) =>
        a.next_attempt_at.getTime() - b.next_attempt_at.getTime() ||
        a.created_at.getTime() - b.created_at.getTime(),
    );
    return rows.map((r) => ({
      id: r.id,
      connectionId: r.connection_id,
      kind: r.kind,
      body: r.body,
      requestId: r.request_id,
      correlationId: r.correlation_id,
      attempts: r.attempts,
      maxAttempts: r.max_attempts,
      createdAt: r.created_at,
    }));
  }

  async #record(message: OutboundMessage, outcome: DeliveryOutcome): Promise<void> {
    const at = this.clock.now();
    const status = nextStatus(outcome, message.attempts, message.maxAttempts);
    const nextAttemptAt =
      status === 'RETRYING'
        ? new Date(at.getTime() + retryDelayMs(message.attempts, this.options, this.#random()))
        : null;
    await this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('outbound_messages')
        .set({
          status,
          lease_until: null,
          updated_at: at,
          last_error: describe(outcome),
          last_http_status: 'httpStatus' in outcome ? (outcome.httpStatus ?? null) : null,
          last_url: outcome.url ?? null,
          ...(nextAttemptAt ? { next_attempt_at: nextAttemptAt } : {}),
          ...(status === 'DELIVERED' ? { delivered_at: at } : {}),
        })
        .where('id', '=', message.id)
        .where('status', '=', 'SENDING')
        .where('attempts', '=', message.attempts)
        .executeTakeFirst();
      // Our lease ran out and someone else owns the message now: their outcome counts, not ours.
      if (Number(updated.numUpdatedRows) === 0) return;
      await this.onAttempt(trx, {
        message,
        attempt: message.attempts,
        outcome,
        status,
        nextAttemptAt,
        at,
      });
    });
  }

  async #deliver(message: OutboundMessage): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.transport(message);
    } catch (error) {
      outcome = {
        status: 'failed',
        reason: 'network',
        message: error instanceof Error ? error.message : String(error),
        url: '',
      };
    }
    try {
      await this.#record(message, outcome);
    } catch (error) {
      // The message stays SENDING until its lease ends and is then sent again (same request id).
      // While the database is down every recording fails: the outage is said once, not per message.
      if (this.#outage.failing)
        this.log.debug(
          { err: error, 'oscp.request_id': message.requestId },
          'outcome not recorded',
        );
      else
        this.log.error(
          { err: error, 'oscp.request_id': message.requestId },
          'recording a delivery outcome failed',
        );
    }
  }

  /** Claims what is due at the clock's now and delivers it. Returns how many messages were attempted. */
  async runDue(): Promise<number> {
    const claimed = await this.#claim(this.clock.now(), this.options.batchSize);
    await Promise.all(claimed.map((message) => this.#deliver(message)));
    return claimed.length;
  }

  /** Claims as many due messages as there is room for and starts them without waiting. */
  async #pump(): Promise<number> {
    const maxInFlight = this.options.maxInFlight ?? this.options.batchSize * 2;
    const room = Math.min(this.options.batchSize, maxInFlight - this.#inFlight.size);
    if (room <= 0) return 0;
    const claimed = await this.#claim(this.clock.now(), room);
    for (const message of claimed) {
      const delivery: Promise<void> = this.#deliver(message).finally(() =>
        this.#inFlight.delete(delivery),
      );
      this.#inFlight.add(delivery);
    }
    return claimed.length;
  }

  /** Runs until nothing is due (for tests with a manual clock). */
  async drain(maxRounds = 50): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round += 1) {
      const n = await this.runDue();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  /** Polls until stop(); a full claim looks again at once, since more is probably due. */
  start(pollMs: number): void {
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      let delay = pollMs;
      this.#running = this.#pump()
        .then((claimed) => {
          this.#outage.succeeded();
          if (claimed === this.options.batchSize) delay = 0;
        })
        .catch((error: unknown) => (delay = this.#outage.failed(error, pollMs)))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, delay);
        });
    };
    tick();
  }

  /** Stops polling and waits for the messages already on the network to be recorded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
    await Promise.all([...this.#inFlight]);
  }
}
