import { performance } from 'node:perf_hooks';
import { requester, type HttpResponse } from './load';
import { round, summarise, type LatencySummary } from './report';

export interface EnvelopeOpenLoopResult {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  accepted: number;
  errors: number;
  errorSamples: string[];
  /** Every change (submission or withdrawal), from sending to the full answer. */
  latency: LatencySummary;
  submissions: LatencySummary;
  withdrawals: LatencySummary;
  /** Accepted changes per second, until the last answer. */
  achievedPerSecond: number;
  maxOutstanding: number;
}

/**
 * Open loop of envelope changes: one change every 1/rate s whatever the answers do, round-robin
 * over the scopes. A scope holding an envelope of ours has its oldest withdrawn; otherwise a new one
 * is submitted (one block now..now + 1 h, the limit changing each time). So every request is one
 * envelope change that recomputes the circuit's allocations, and open envelopes never pile up
 * beyond what is in flight. For the floor (`floor: true`) every request is the one-INSERT route
 * with the same kind of body.
 */
export async function runEnvelopeOpenLoop(options: {
  port: number;
  token: string;
  scopeIds: readonly string[];
  ratePerSecond: number;
  seconds: number;
  floor?: boolean;
}): Promise<EnvelopeOpenLoopResult> {
  const { ratePerSecond, seconds, scopeIds } = options;
  const client = requester(options.port, options.token, 1024);
  const total = Math.max(1, Math.round(ratePerSecond * seconds));
  const intervalMs = 1000 / ratePerSecond;
  const open = scopeIds.map(() => [] as string[]);
  const all: number[] = [];
  const submissions: number[] = [];
  const withdrawals: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let outstanding = 0;
  let maxOutstanding = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 5;

  const body = (scope: number, seq: number) => {
    const now = new Date();
    return {
      source: `bench open loop ${scope}`,
      blocks: [
        {
          start: now.toISOString(),
          end: new Date(now.getTime() + 3_600_000).toISOString(),
          importLimit: { value: 20 + ((scope * 13 + seq * 7) % 101), unit: 'A' },
        },
      ],
    };
  };

  const fire = (i: number) => {
    const scope = i % scopeIds.length;
    const seq = Math.floor(i / scopeIds.length);
    const held = open[scope]!;
    const withdrawing = !options.floor && held.length > 0;
    const path = options.floor
      ? '/floor'
      : withdrawing
        ? `/api/envelopes/${held.shift()!}/withdraw`
        : `/api/scopes/${scopeIds[scope]!}/envelopes`;
    const expect = withdrawing ? 200 : 201;
    const sentAt = performance.now();
    outstanding += 1;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    const settle = (response: HttpResponse | undefined, failure?: string) => {
      outstanding -= 1;
      const ms = performance.now() - sentAt;
      if (response && response.status === expect) {
        all.push(ms);
        (withdrawing ? withdrawals : submissions).push(ms);
        if (!withdrawing && !options.floor)
          held.push((JSON.parse(response.body) as { id: string }).id);
        return;
      }
      errors += 1;
      if (errorSamples.length < 5)
        errorSamples.push(
          `POST ${path}: ${failure ?? `${response?.status} ${response?.body.slice(0, 300)}`}`,
        );
    };
    pending.push(
      client
        .post(path, withdrawing ? undefined : body(scope, seq))
        .then((r) => settle(r))
        .catch((error: unknown) =>
          settle(undefined, error instanceof Error ? error.message : String(error)),
        ),
    );
  };

  for (let i = 0; i < total; i += 1) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    fire(i);
  }
  await Promise.all(pending);
  // Leave nothing open for the next row.
  for (const held of open)
    for (const id of held.splice(0))
      await client.post(`/api/envelopes/${id}/withdraw`).catch(() => undefined);
  const elapsed = (performance.now() - start) / 1000;
  client.close();
  return {
    offeredPerSecond: ratePerSecond,
    seconds,
    sent: total,
    accepted: all.length,
    errors,
    errorSamples,
    latency: summarise(all),
    submissions: summarise(submissions),
    withdrawals: summarise(withdrawals),
    achievedPerSecond: round(all.length / elapsed, 1),
    maxOutstanding,
  };
}
