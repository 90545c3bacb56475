import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile, round, summarise, type LatencySummary } from './report';

/** One peer the load is spread over: its group and the Authorization header it calls with. */
export interface ForecastTarget {
  groupId: string;
  authorization: string | undefined;
}

const QUARTER_HOUR_MS = 15 * 60_000;
const BLOCKS = 96;

/**
 * A 24-hour CONSUMPTION forecast as a Capacity Provider sends it: 96 blocks of 15 minutes from the
 * current quarter-hour boundary (so the first block is in force at once), kW for the whole group,
 * phase ALL. Capacities vary per block and per request (20..110 kW; the circuits' 160 A per phase
 * is about 110 kW), so every forecast changes the limits, the scope's envelope is replaced each
 * time, and the limit binds (sometimes pausing sessions).
 */
export function forecastBody(groupId: string, client: number, seq: number, now: Date) {
  const from = Math.floor(now.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const forecasted_blocks = Array.from({ length: BLOCKS }, (_, b) => ({
    capacity: 20 + ((seq * 7 + client * 13 + b * 5) % 91),
    phase: 'ALL',
    unit: 'KW',
    start_time: new Date(from + b * QUARTER_HOUR_MS).toISOString(),
    end_time: new Date(from + (b + 1) * QUARTER_HOUR_MS).toISOString(),
  }));
  return { group_id: groupId, type: 'CONSUMPTION', forecasted_blocks };
}

export interface OpenLoopOptions {
  port: number;
  path: string;
  /** The status of an accepted request (204 for OSCP, 201 for the floor). */
  expect: number;
  ratePerSecond: number;
  seconds: number;
  /** Request i goes to target i mod targets.length. */
  targets: readonly ForecastTarget[];
  body(target: ForecastTarget, client: number, seq: number, now: Date): unknown;
  requestTimeoutMs: number;
  /** Answers slower than this are counted (a peer's own request timeout). */
  lateThresholdMs: number;
  /**
   * Sockets open at once (4096 when not given: no request waits for one here). Fewer keep the
   * server's accept queue from overflowing, as a load balancer in front of it would; a request
   * waiting for a socket is still timed from its send.
   */
  maxSockets?: number;
}

export interface OpenLoopResult {
  offeredPerSecond: number;
  /** The sending window, in seconds. */
  seconds: number;
  sent: number;
  accepted: number;
  errors: number;
  errorSamples: string[];
  /** Accepted requests, from handing the request to the socket to the full answer. */
  latency: LatencySummary;
  /**
   * Accepted requests per second over the sending window, or from the first send to the last
   * answer when that is longer: the offered rate when the server keeps up, its capacity when not.
   */
  achievedPerSecond: number;
  /** Answers received during the sending window, per second of the window. */
  answeredInWindowPerSecond: number;
  /** How late the load generator sent against its schedule (its own event loop lag). */
  sendLagMs: { p99: number; max: number };
  /** The most requests in flight at once. */
  maxOutstanding: number;
  /** Requests still unanswered when the sending window closed: the queue built up. */
  outstandingAtEndOfSending: number;
  /** From the end of the sending window to the last answer. */
  drainMs: number;
  /** Accepted answers slower than `lateThresholdMs` (a real peer would already have given up). */
  late: { thresholdMs: number; count: number };
  /** The longest time with requests in flight and no answer. */
  longestStallMs: number;
  /** The 10 slowest accepted requests: when they were sent (s into the run), to which peer. */
  slowest: { sentAtSeconds: number; ms: number; groupId: string }[];
  startedAt: string;
  endedAt: string;
  /** Quarter-hour boundaries inside the run: block boundaries, where the FP's due work fires. */
  quarterHourBoundaries: string[];
}

function post(
  agent: http.Agent,
  port: number,
  path: string,
  authorization: string | undefined,
  payload: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: {
          ...(authorization ? { authorization } : {}),
          'x-request-id': randomUUID(),
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}

/**
 * Open loop: requests leave on a fixed schedule (one every 1/rate s) whatever the answers do, for
 * `seconds`, spread round-robin over the targets, each with a fresh X-Request-ID; then every
 * request still in flight is awaited (bounded by the request timeout). A server that cannot keep
 * up shows as a queue: latency growing through the run, requests outstanding at the end, a drain.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSecond, seconds, targets } = options;
  if (targets.length === 0) throw new Error('runOpenLoop: no targets');
  // By default enough sockets that no request waits for one here: queueing happens in the server.
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.maxSockets ?? 4096,
    maxFreeSockets: 256,
  });
  const total = Math.max(1, Math.round(ratePerSecond * seconds));
  const intervalMs = 1000 / ratePerSecond;
  const latencies: number[] = [];
  const timed: { sentAtSeconds: number; ms: number; groupId: string }[] = [];
  const lags: number[] = [];
  const errorSamples: string[] = [];
  let accepted = 0;
  let errors = 0;
  let outstanding = 0;
  let maxOutstanding = 0;
  let late = 0;
  let answeredInWindow = 0;
  let lastAnswer = 0;
  let busySince = 0;
  let longestStall = 0;
  const pending: Promise<void>[] = [];

  const startedWall = new Date();
  const start = performance.now() + 5;
  const windowEnd = start + total * intervalMs;

  const fire = (i: number, scheduled: number) => {
    const client = i % targets.length;
    const target = targets[client]!;
    const seq = Math.floor(i / targets.length);
    const payload = JSON.stringify(options.body(target, client, seq, new Date()));
    const sentAt = performance.now();
    lags.push(sentAt - scheduled);
    if (outstanding === 0) busySince = sentAt;
    outstanding += 1;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    const done = (ok: boolean, sample?: string) => {
      const now = performance.now();
      longestStall = Math.max(longestStall, now - Math.max(lastAnswer, busySince));
      lastAnswer = now;
      outstanding -= 1;
      if (now <= windowEnd) answeredInWindow += 1;
      if (ok) {
        const ms = now - sentAt;
        latencies.push(ms);
        timed.push({
          sentAtSeconds: round((sentAt - start) / 1000, 2),
          ms: round(ms, 1),
          groupId: target.groupId,
        });
        accepted += 1;
        if (ms > options.lateThresholdMs) late += 1;
      } else {
        errors += 1;
        if (sample && errorSamples.length < 5) errorSamples.push(sample.slice(0, 500));
      }
    };
    pending.push(
      post(
        agent,
        options.port,
        options.path,
        target.authorization,
        payload,
        options.requestTimeoutMs,
      )
        .then((response) => {
          if (response.status === options.expect) done(true);
          else done(false, `POST ${options.path}: ${response.status} ${response.body}`);
        })
        .catch((error: unknown) =>
          done(
            false,
            `POST ${options.path}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        ),
    );
  };

  let next = 0;
  await new Promise<void>((finished) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        fire(next, start + next * intervalMs);
        next += 1;
      }
      if (next >= total) {
        finished();
        return;
      }
      setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  const outstandingAtEndOfSending = outstanding;
  await Promise.all(pending);
  agent.destroy();
  const endedWall = new Date();

  // The window, or longer when answers came after it.
  const lastAt = Math.max(lastAnswer, windowEnd);
  const boundaries: string[] = [];
  for (
    let t = Math.ceil(startedWall.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
    t <= endedWall.getTime();
    t += QUARTER_HOUR_MS
  )
    boundaries.push(new Date(t).toISOString());
  const sortedLags = [...lags].sort((a, b) => a - b);
  const windowSeconds = (windowEnd - start) / 1000;
  return {
    offeredPerSecond: ratePerSecond,
    seconds: round(windowSeconds, 2),
    sent: total,
    accepted,
    errors,
    errorSamples,
    latency: summarise(latencies),
    achievedPerSecond: round(accepted / ((lastAt - start) / 1000), 2),
    answeredInWindowPerSecond: round(answeredInWindow / windowSeconds, 2),
    sendLagMs: { p99: round(percentile(sortedLags, 0.99)), max: round(sortedLags.at(-1) ?? 0) },
    maxOutstanding,
    outstandingAtEndOfSending,
    drainMs: round(Math.max(0, lastAnswer - windowEnd), 1),
    late: { thresholdMs: options.lateThresholdMs, count: late },
    longestStallMs: round(longestStall, 1),
    slowest: timed.sort((a, b) => b.ms - a.ms).slice(0, 10),
    startedAt: startedWall.toISOString(),
    endedAt: endedWall.toISOString(),
    quarterHourBoundaries: boundaries,
  };
}
