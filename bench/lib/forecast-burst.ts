import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { forecastBody } from './forecast-load';
import { round, summarise, type LatencySummary } from './report';

const FORECAST_PATH = '/oscp/fp/2.0/update_group_capacity_forecast';

export interface BurstResult {
  forecasts: number;
  /** Over how long the sends were spread (the issue: within the same second). */
  spreadMs: number;
  accepted: number;
  errors: number;
  errorSamples: string[];
  /** From the first send until the last forecast was answered 204 (applied and committed). */
  allAppliedSeconds: number | null;
  /** Per forecast: from its send to its 204. */
  latency: LatencySummary;
  /** Answers slower than the 120 s of Vector's rule, and slower than 60 s. */
  over60s: number;
  over120s: number;
  startedAt: string;
  endedAt: string;
  /** Sockets the burst was allowed at once per instance (see bench/README.md). */
  sockets: number;
}

/**
 * The quarter-hour burst: every peer sends its group's 96-block forecast with its own token
 * (`Authorization: Token <token the FP issued in its Register>`), the sends spread evenly over
 * `spreadMs`, round-robin over the FP instances. The FP answers 204 only once the forecast's
 * envelope and allocations are committed, so the last 204 is when every forecast was applied.
 */
export async function runForecastBurst(options: {
  ports: readonly number[];
  peers: readonly { groupId: string; token: string }[];
  spreadMs: number;
  sockets: number;
  timeoutMs: number;
}): Promise<BurstResult> {
  const agents = options.ports.map(
    () => new http.Agent({ keepAlive: true, maxSockets: options.sockets, maxFreeSockets: 256 }),
  );
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let lastAnswer = 0;
  const startedAt = new Date();
  const start = performance.now() + 5;
  const step = options.peers.length > 1 ? options.spreadMs / options.peers.length : 0;
  const pending: Promise<void>[] = [];
  for (const [i, peer] of options.peers.entries()) {
    const due = start + i * step;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const payload = JSON.stringify(forecastBody(peer.groupId, i, 1, new Date()));
    const sentAt = performance.now();
    const which = i % options.ports.length;
    pending.push(
      new Promise<void>((resolve) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port: options.ports[which],
            path: FORECAST_PATH,
            method: 'POST',
            agent: agents[which],
            timeout: options.timeoutMs,
            headers: {
              authorization: `Token ${peer.token}`,
              'x-request-id': randomUUID(),
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.on('end', () => {
              const now = performance.now();
              if (response.statusCode === 204) {
                latencies.push(now - sentAt);
                lastAnswer = Math.max(lastAnswer, now);
              } else {
                errors += 1;
                if (errorSamples.length < 5)
                  errorSamples.push(
                    `${peer.groupId}: ${response.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`,
                  );
              }
              resolve();
            });
          },
        );
        request.on('timeout', () => request.destroy(new Error('timed out')));
        request.on('error', (error) => {
          errors += 1;
          if (errorSamples.length < 5) errorSamples.push(`${peer.groupId}: ${error.message}`);
          resolve();
        });
        request.end(payload);
      }),
    );
  }
  await Promise.all(pending);
  for (const agent of agents) agent.destroy();
  const latency = summarise(latencies);
  return {
    forecasts: options.peers.length,
    spreadMs: options.spreadMs,
    accepted: latencies.length,
    errors,
    errorSamples,
    allAppliedSeconds:
      errors === 0 && latencies.length > 0 ? round((lastAnswer - start) / 1000, 2) : null,
    latency,
    over60s: latencies.filter((ms) => ms > 60_000).length,
    over120s: latencies.filter((ms) => ms > 120_000).length,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    sockets: options.sockets,
  };
}
