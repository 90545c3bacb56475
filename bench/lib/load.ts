import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { round, summarise, type LatencySummary } from './report';

export interface HttpResponse {
  status: number;
  body: string;
}

export interface Requester {
  post(path: string, body?: unknown): Promise<HttpResponse>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** Keep-alive HTTP to 127.0.0.1 only, one socket per concurrent client. */
export function requester(port: number, token: string, sockets: number): Requester {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  return {
    post(path, body) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise<HttpResponse>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            agent,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(payload !== undefined
                ? {
                    'content-type': 'application/json',
                    'content-length': Buffer.byteLength(payload),
                  }
                : { 'content-length': 0 }),
            },
            timeout: REQUEST_TIMEOUT_MS,
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
        request.on('timeout', () =>
          request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
        );
        request.on('error', reject);
        request.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/**
 * What one client does in its loop. `measured` is the timed request and must answer `expect`;
 * `after` does the unmeasured follow-up (e.g. withdraw the previous envelope); `finish` cleans up.
 */
export interface Scenario {
  expect: number;
  measured(client: number, seq: number): { path: string; body: unknown };
  after?(client: number, seq: number, response: HttpResponse, http: Requester): Promise<void>;
  finish?(client: number, http: Requester): Promise<void>;
}

export interface LoadResult {
  concurrency: number;
  durationSeconds: number;
  latency: LatencySummary;
  /** Measured requests answered with the expected status, per second of the run. */
  throughputPerSecond: number;
  /** Every request of the loop (measured and follow-ups), per second. */
  requestsPerSecond: number;
  /** Every request of the loop, measured and follow-ups. */
  requests: number;
  accepted: number;
  errors: number;
  followUpErrors: number;
  /**
   * The longest time during the run in which no request of the loop completed: a stall of the
   * server (or of the machine) shows here, and explains a p99 far above the p50.
   */
  longestStallMs: number;
  errorSamples: string[];
}

/**
 * `concurrency` clients loop until `seconds` have passed: each sends its measured request, waits
 * for the answer, runs the follow-up, and starts again. A request still in flight at the deadline
 * completes (bounded by the request timeout) and counts.
 */
export async function runLoad(options: {
  port: number;
  token: string;
  concurrency: number;
  seconds: number;
  scenario: Scenario;
}): Promise<LoadResult> {
  const { concurrency, seconds, scenario } = options;
  const client = requester(options.port, options.token, concurrency);
  const latencies: number[] = [];
  let accepted = 0;
  let errors = 0;
  let followUpErrors = 0;
  let requests = 0;
  const errorSamples: string[] = [];
  const sample = (text: string) => {
    if (errorSamples.length < 5) errorSamples.push(text.slice(0, 500));
  };

  const started = performance.now();
  const deadline = started + seconds * 1000;
  let lastCompletion = started;
  let longestStall = 0;
  const completed = () => {
    const now = performance.now();
    longestStall = Math.max(longestStall, now - lastCompletion);
    lastCompletion = now;
  };
  const loop = async (index: number) => {
    for (let seq = 0; performance.now() < deadline; seq += 1) {
      const { path, body } = scenario.measured(index, seq);
      const t0 = performance.now();
      let response: HttpResponse;
      try {
        response = await client.post(path, body);
      } catch (error) {
        errors += 1;
        requests += 1;
        sample(`POST ${path}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const elapsed = performance.now() - t0;
      completed();
      requests += 1;
      if (response.status !== scenario.expect) {
        errors += 1;
        sample(`POST ${path}: ${response.status} ${response.body}`);
        continue;
      }
      latencies.push(elapsed);
      accepted += 1;
      if (scenario.after) {
        try {
          await scenario.after(index, seq, response, client);
        } catch (error) {
          followUpErrors += 1;
          sample(
            `follow-up of POST ${path}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
        completed();
        requests += 1;
      }
    }
    if (scenario.finish) {
      try {
        await scenario.finish(index, client);
      } catch (error) {
        followUpErrors += 1;
        sample(`clean-up: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const loops = Array.from({ length: concurrency }, (_, i) => loop(i));
  await Promise.all(loops);
  const elapsedSeconds = (performance.now() - started) / 1000;
  client.close();
  return {
    concurrency,
    durationSeconds: round(elapsedSeconds, 2),
    latency: summarise(latencies),
    throughputPerSecond: round(accepted / elapsedSeconds, 1),
    requestsPerSecond: round(requests / elapsedSeconds, 1),
    requests,
    accepted,
    errors,
    followUpErrors,
    longestStallMs: round(longestStall, 1),
    errorSamples,
  };
}

/**
 * The envelope scenario: client i submits to its own scope one block from now to now + 1 h with a
 * limit that changes on every request (20..120 A, so the capacity binds and sometimes pauses), then
 * withdraws its previous envelope, unmeasured, so open envelopes never pile up.
 */
export function envelopeScenario(scopeIds: readonly string[]): Scenario {
  const previous = new Map<number, string>();
  const withdraw = async (id: string, http: Requester) => {
    const response = await http.post(`/api/envelopes/${id}/withdraw`);
    if (response.status !== 200)
      throw new Error(`withdraw ${id}: ${response.status} ${response.body}`);
  };
  return {
    expect: 201,
    measured(client, seq) {
      const scopeId = scopeIds[client];
      if (!scopeId) throw new Error(`no scope for client ${client}`);
      const now = new Date();
      return {
        path: `/api/scopes/${scopeId}/envelopes`,
        body: {
          source: `bench client ${client}`,
          blocks: [
            {
              start: now.toISOString(),
              end: new Date(now.getTime() + 3_600_000).toISOString(),
              importLimit: { value: 20 + ((client * 13 + seq * 7) % 101), unit: 'A' },
            },
          ],
        },
      };
    },
    async after(client, _seq, response, http) {
      const { id } = JSON.parse(response.body) as { id: string };
      const before = previous.get(client);
      previous.set(client, id);
      if (before) await withdraw(before, http);
    },
    async finish(client, http) {
      const last = previous.get(client);
      previous.delete(client);
      if (last) await withdraw(last, http);
    },
  };
}

/** The floor scenario: the same kind of body, POSTed to the one-INSERT route. */
export function floorScenario(): Scenario {
  const envelopeLike = envelopeScenario(['00000000-0000-0000-0000-000000000000']);
  return {
    expect: 201,
    measured(_client, seq) {
      return { path: '/floor', body: envelopeLike.measured(0, seq).body };
    },
  };
}
