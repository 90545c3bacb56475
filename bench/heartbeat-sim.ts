/**
 * The Capacity Provider side of the heartbeat benchmark (heartbeat.ts): the product's simulator
 * with BENCH_HB_CONNECTIONS OSCP_TOKEN peers, in a child process of its own so its work is never
 * counted as the Flexibility Provider's. Each peer registers back, handshakes (asking for a
 * heartbeat every BENCH_HB_INTERVAL_SECONDS) and sends its own heartbeats at the interval the FP
 * asks for, all by the simulator's own switches (autoHandshakeAfterRegister, autoHeartbeats).
 *
 * Prints {"ready": true, url, oscpBaseUrl, pid} when listening. Commands on stdin (one JSON object
 * a line, answered by {"reply": id, ...}):
 *   {"id", "cmd": "stats"}          peers' progress, heartbeat counters, what arrived from the FP.
 *   {"id", "cmd": "window"}         start a window: resets the timings of the peers' heartbeat calls.
 *   {"id", "cmd": "dump", "path"}   writes every FP heartbeat that arrived (X-Request-ID, arrival
 *                                   time) to `path` as JSON.
 *   {"id", "cmd": "recover"}        peers stuck since the previous `recover` (our Register back or
 *                                   our Handshake was not answered within the simulator's request
 *                                   timeout, so the simulator gave up) send it again.
 *
 * It stops on SIGTERM/SIGINT, when its stdin closes, or after BENCH_MAX_LIFETIME_SECONDS.
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { CapacityProviderSimulator } from '@openvelope/sim';
import { groupIdFor, initialTokenFor } from './lib/heartbeat-peers';

const peerCount = Number(process.env.BENCH_HB_CONNECTIONS ?? 200);
const intervalSeconds = Number(process.env.BENCH_HB_INTERVAL_SECONDS ?? 10);
const seed = process.env.BENCH_HB_SEED ?? 'seed';
const maxLifetimeMs = Number(process.env.BENCH_MAX_LIFETIME_SECONDS ?? 3600) * 1000;

function write(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Durations of the peers' own heartbeat calls to the FP (sent → answer), for the window. */
let heartbeatCallMs: number[] = [];
let heartbeatCallFailures = 0;
const timedFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.endsWith('/heartbeat')) return fetch(input, init);
  const started = performance.now();
  try {
    const response = await fetch(input, init);
    heartbeatCallMs.push(performance.now() - started);
    return response;
  } catch (error) {
    heartbeatCallFailures += 1;
    throw error;
  }
};

let warnings = 0;
const warningSamples: string[] = [];
const sim = new CapacityProviderSimulator({
  autoHandshakeAfterRegister: true,
  autoHeartbeats: true,
  // Enough to hold more than a second of traffic between two drains of the recording.
  maxRecordedMessages: 20_000,
  fetch: timedFetch,
  log: {
    info: () => {},
    warn: (obj, msg) => {
      warnings += 1;
      if (warningSamples.length < 20) warningSamples.push(`${msg} ${JSON.stringify(obj)}`);
    },
  },
});

/** Every FP heartbeat that reached us: X-Request-ID → arrival (ms since the epoch). */
const arrivals = new Map<string, number>();
const inboundByEndpoint = new Map<string, number>();
/** Every X-Request-ID the FP sent us, and how many arrived a second time (a duplicate delivery). */
const seenRequestIds = new Set<string>();
let duplicateDeliveries = 0;
/** The token of the FP's latest accepted Register, by peer id (kept: the recording is capped). */
const registerTokens = new Map<string, string>();
const duplicateSamples: string[] = [];
let lastSeq = 0;
function drain(): void {
  for (const m of sim.messages()) {
    if (m.seq <= lastSeq) continue;
    lastSeq = m.seq;
    inboundByEndpoint.set(
      `${m.endpoint} ${m.status}`,
      (inboundByEndpoint.get(`${m.endpoint} ${m.status}`) ?? 0) + 1,
    );
    if (m.endpoint === 'heartbeat' && m.requestId) arrivals.set(m.requestId, Date.parse(m.at));
    if (m.endpoint === 'register' && m.method !== 'DELETE' && m.status < 300 && m.peerId) {
      const token = (m.body as { token?: unknown } | undefined)?.token;
      if (typeof token === 'string') registerTokens.set(m.peerId, token);
    }
    // Register and Handshake are resent on purpose (recover); every other message must arrive once.
    if (m.requestId && m.status < 300 && m.endpoint !== 'register' && m.endpoint !== 'handshake') {
      const key = `${m.endpoint} ${m.requestId}`;
      if (seenRequestIds.has(key)) {
        duplicateDeliveries += 1;
        if (duplicateSamples.length < 10) duplicateSamples.push(key);
      } else seenRequestIds.add(key);
    }
  }
}

function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]!;
}

function stats() {
  drain();
  const peers = sim.state().peers;
  const count = (predicate: (p: (typeof peers)[number]) => boolean) =>
    peers.filter(predicate).length;
  const sorted = [...heartbeatCallMs].sort((a, b) => a - b);
  const r = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    peers: peers.length,
    registered: count((p) => p.registration.status === 'REGISTERED'),
    handshaken: count((p) => p.handshake.handshaken),
    heartbeating: count((p) => p.heartbeats.running),
    heartbeatsSent: peers.reduce((s, p) => s + p.heartbeats.sent, 0),
    heartbeatsDelivered: peers.reduce((s, p) => s + p.heartbeats.delivered, 0),
    fpHeartbeatsArrived: arrivals.size,
    inbound: Object.fromEntries(inboundByEndpoint),
    heartbeatCalls: {
      count: sorted.length,
      failures: heartbeatCallFailures,
      p50Ms: r(percentile(sorted, 0.5)),
      p99Ms: r(percentile(sorted, 0.99)),
      maxMs: r(sorted.at(-1) ?? null),
    },
    duplicateDeliveries,
    duplicateSamples,
    warnings,
    warningSamples,
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  };
}

/**
 * A peer whose exchange stopped by itself: the FP's Register reached us, but our Register back or
 * our Handshake failed on our side (typically our request timed out while the FP was busy; the FP
 * may well have processed it). A failed Register back is sent again (the simulator then
 * handshakes by itself); a failed Handshake after a completed registration is sent again. Only
 * peers found stuck by two calls in a row are handled, so an exchange in progress is left alone.
 */
let stuckBefore = new Set<string>();
async function recover(): Promise<{
  resent: number;
  stuck: number;
  outcomes: Record<string, number>;
}> {
  const stuck = new Map<string, 'register' | 'handshake'>();
  for (const p of sim.state().peers) {
    if (p.registration.status === 'FAILED') stuck.set(p.id, 'register');
    else if (
      p.registration.status === 'REGISTERED' &&
      (p.handshake.status === 'FAILED' || p.handshake.status === 'NONE')
    )
      stuck.set(p.id, 'handshake');
  }
  const again = [...stuck.keys()].filter((id) => stuckBefore.has(id));
  stuckBefore = new Set([...stuck.keys()].filter((id) => !again.includes(id)));
  const outcomes: Record<string, number> = {};
  await Promise.all(
    again.map(async (id) => {
      const what = stuck.get(id)!;
      const outcome = what === 'register' ? await sim.register(id) : await sim.sendHandshake(id);
      const key = `${what} ${outcome.status}`;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }),
  );
  return { resent: again.length, stuck: stuck.size, outcomes };
}

/**
 * The token of the FP's latest accepted Register to each peer, by group id: the credential a real
 * peer sends its forecasts with (`Authorization: Token <token>`).
 */
function tokens(): Record<string, string> {
  drain();
  const out: Record<string, string> = {};
  for (const p of sim.state().peers) {
    const token = registerTokens.get(p.id);
    if (token) out[p.groupId] = token;
  }
  return out;
}

async function main(): Promise<void> {
  await sim.start({ port: 0, host: '127.0.0.1' });
  for (let i = 0; i < peerCount; i += 1) {
    sim.addPeer({
      groupId: groupIdFor(i),
      mode: 'OSCP_TOKEN',
      initialTokenForFp: initialTokenFor(seed, i),
      autoHandshakeAfterRegister: true,
      autoHeartbeats: true,
      heartbeatIntervalSeconds: intervalSeconds,
    });
  }
  const drainTimer = setInterval(drain, 500);
  drainTimer.unref();

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`heartbeat simulator stopping: ${why}\n`);
    const force = setTimeout(() => process.exit(0), 10_000);
    force.unref();
    try {
      clearInterval(drainTimer);
      await sim.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.stdin.on('end', () => void stop('parent gone'));
  process.stdin.on('error', () => void stop('parent gone'));
  setTimeout(() => void stop('maximum lifetime reached'), maxLifetimeMs).unref();

  createInterface({ input: process.stdin }).on('line', (line) => {
    let command: { id?: string; cmd?: string; path?: string };
    try {
      command = JSON.parse(line) as typeof command;
    } catch {
      return;
    }
    const id = command.id ?? '';
    if (command.cmd === 'stats') write({ reply: id, ...stats() });
    else if (command.cmd === 'window') {
      heartbeatCallMs = [];
      heartbeatCallFailures = 0;
      write({ reply: id });
    } else if (command.cmd === 'recover') {
      void recover().then((outcome) => write({ reply: id, ...outcome }));
    } else if (command.cmd === 'tokens') {
      write({ reply: id, tokens: tokens() });
    } else if (command.cmd === 'dump' && command.path) {
      drain();
      writeFileSync(command.path, JSON.stringify([...arrivals.entries()]));
      write({ reply: id, dumped: arrivals.size });
    }
  });

  write({ ready: true, url: sim.url, oscpBaseUrl: sim.oscpBaseUrl, pid: process.pid });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `heartbeat simulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
