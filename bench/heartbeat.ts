/**
 * Heartbeat scale on one instance with PostgreSQL (`npm run bench -- heartbeat`): N OSCP
 * connections, each with a Capacity Provider simulator peer asking for a heartbeat every 10 s, for
 * a measured window. The FP runs alone in heartbeat-server.ts, the simulator in heartbeat-sim.ts,
 * this process only orchestrates and samples. See bench/README.md, section "Heartbeat scale".
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { freshPostgres, type BenchDatabase } from './lib/databases';
import {
  activityDelta,
  analyseInbound,
  analyseOutbound,
  connectionStates,
  databaseActivity,
  eventCounts,
  loadOutboundHeartbeats,
  type DatabaseActivity,
  type OutboundHeartbeat,
  type InboundAnalysis,
  type OutboundAnalysis,
} from './lib/heartbeat-analysis';
import { startJsonChild, type JsonChild } from './lib/json-child';
import { startSampler, type SamplerResult } from './lib/heartbeat-sampler';
import { envNumber, round } from './lib/report';
import { startCpuMeasurement } from './lib/cpu';
import { analyseMeasurementBoundaries, type MeasurementBoundary } from './lib/network-analysis';
import { waitBeforeWindowMs, type BoundaryPlacement } from './lib/boundary-placement';

export const HEARTBEAT_LATENESS_P99_TARGET_MS = 1000;

export interface HeartbeatConfig {
  connections: number;
  intervalSeconds: number;
  seconds: number;
  settleSeconds: number;
  enableBatch: number;
  /** Between two batches; default: the batches spread over one interval. */
  enablePauseMs: number | null;
  schedulerPollMs: number;
  dispatcherPollMs: number;
  onlineTimeoutSeconds: number;
  sampleEveryMs: number;
  drainSeconds: number;
  profile: boolean;
}

export function heartbeatConfig(): HeartbeatConfig {
  return {
    connections: Math.floor(envNumber('BENCH_HEARTBEAT_CONNECTIONS', 2000)),
    intervalSeconds: envNumber('BENCH_HEARTBEAT_INTERVAL_SECONDS', 10),
    seconds: envNumber('BENCH_HEARTBEAT_SECONDS', 300),
    settleSeconds: envNumber('BENCH_HEARTBEAT_SETTLE_SECONDS', 15),
    enableBatch: Math.floor(envNumber('BENCH_HEARTBEAT_ENABLE_BATCH', 50)),
    enablePauseMs: process.env.BENCH_HEARTBEAT_ENABLE_PAUSE_MS
      ? envNumber('BENCH_HEARTBEAT_ENABLE_PAUSE_MS', 250)
      : null,
    schedulerPollMs: envNumber('BENCH_HEARTBEAT_SCHEDULER_POLL_MS', 200),
    dispatcherPollMs: envNumber('BENCH_HEARTBEAT_DISPATCHER_POLL_MS', 200),
    onlineTimeoutSeconds: envNumber('BENCH_HEARTBEAT_ONLINE_TIMEOUT_SECONDS', 900),
    sampleEveryMs: 2000,
    drainSeconds: 15,
    profile: process.env.BENCH_PROFILE === '1',
  };
}

interface FpReady {
  port: number;
  /** A VIEWER API token of that instance. */
  token: string;
  pid: number;
  connections: number;
  seedMs: Record<string, number>;
  schedulerPollMs: number;
  dispatcherPollMs: number;
  poolSize: number;
}
export interface SimReady {
  url: string;
  oscpBaseUrl: string;
  pid: number;
}
interface SimStats {
  peers: number;
  registered: number;
  handshaken: number;
  heartbeating: number;
  heartbeatsSent: number;
  heartbeatsDelivered: number;
  fpHeartbeatsArrived: number;
  inbound: Record<string, number>;
  heartbeatCalls: {
    count: number;
    failures: number;
    p50Ms: number | null;
    p99Ms: number | null;
    maxMs: number | null;
  };
  duplicateDeliveries: number;
  duplicateSamples: string[];
  warnings: number;
  warningSamples: string[];
  rssMiB: number;
}

export interface HeartbeatResult {
  measured: boolean;
  note?: string;
  config: HeartbeatConfig;
  database?: string;
  settings?: Record<string, string>;
  setup?: {
    fpStartAndSeedSeconds: number;
    seedMs: Record<string, number>;
    enableSeconds: number;
    /** From the first enable until every connection was ONLINE. */
    timeToAllOnlineSeconds: number | null;
    statesAtStart: Record<string, number>;
    enableErrors: string[];
    /** Register backs or Handshakes the simulator sent again because its first one failed
     * (typically its 5 s request timeout while the FP was busy). */
    exchangesResent: number;
  };
  window?: { start: string; end: string; seconds: number };
  outbound?: OutboundAnalysis;
  inbound?: InboundAnalysis & {
    /** The simulator's own count of heartbeats it sent to the FP and got a 2xx for. */
    simSentPerSecond: number;
    simDeliveredPerSecond: number;
    simNotDelivered: number;
    /** The simulator's heartbeat calls to the FP: sent → answer. */
    responseMs: SimStats['heartbeatCalls'];
  };
  /** OscpPeerOffline events recorded in the window (every connection is ONLINE when it starts). */
  falseOfflineTransitions?: number;
  offlineTransitionsWholeRun?: number;
  eventsInWindow?: Record<string, number>;
  statesAtEnd?: Record<string, number>;
  resources?: SamplerResult;
  fpInternals?: Record<string, unknown>;
  databaseActivity?: DatabaseActivity & {
    transactionsPerSecond: number;
    /** Committed transactions per heartbeat (sent and received) in the window. */
    transactionsPerHeartbeat: number | null;
  };
  /** BENCH_PROFILE=1: SQL statements per heartbeat, most frequent first. */
  statementsPerHeartbeat?: {
    sql: string;
    perHeartbeat: number;
    perSecond: number;
    count: number;
    totalMs: number;
  }[];
  statementDenominators?: Record<string, number | null>;
  simulator?: SimStats;
  meetsTarget?: boolean;
  /** Every connection's measurements due at each boundary inside the window. */
  measurementBoundaries?: MeasurementBoundary[];
  /** What ran beside the window (e.g. the forecast burst). */
  inWindow?: unknown;
  /** The other FP instances (their CPU in % of one core over the window). */
  followers?: { pid: number; cpuPercent: number | null }[];
  /** The window's heartbeat rows, for callers' own analysis (not written to the JSON). */
  heartbeatRows?: OutboundHeartbeat[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until every connection is ONLINE (or the timeout), printing the states every 10 s. Every
 * 15 s the simulator re-sends the Register back or Handshake of peers that gave up (see
 * heartbeat-sim.ts `recover`):
 * a CP whose Register back or Handshake timed out while the FP was busy does nothing more by
 * itself, and its connection would stay REGISTERED.
 */
async function waitAllOnline(
  client: pg.Client,
  sim: JsonChild<SimReady>,
  total: number,
  timeoutMs: number,
  started: number,
): Promise<{ ms: number | null; states: Record<string, number>; exchangesResent: number }> {
  let states: Record<string, number> = {};
  let lastPrint = 0;
  let lastRecover = 0;
  let exchangesResent = 0;
  while (performance.now() - started < timeoutMs) {
    states = await connectionStates(client);
    const elapsed = performance.now() - started;
    if ((states.ONLINE ?? 0) >= total) return { ms: elapsed, states, exchangesResent };
    if (elapsed - lastPrint >= 10_000) {
      lastPrint = elapsed;
      log(`  ${round(elapsed / 1000, 0)} s: ${JSON.stringify(states)}`);
    }
    if (elapsed - lastRecover >= 15_000) {
      lastRecover = elapsed;
      const recovered = await sim.request<{ resent: number; outcomes: Record<string, number> }>(
        { cmd: 'recover' },
        60_000,
      );
      if (recovered.resent > 0) {
        exchangesResent += recovered.resent;
        log(
          `  the simulator had given up on ${recovered.resent} peers (its Register back or Handshake failed, ` +
            `typically timed out); sent again: ${JSON.stringify(recovered.outcomes)}`,
        );
      }
    }
    await sleep(1000);
  }
  return { ms: null, states, exchangesResent };
}

/** What a run inside the measured window can reach (the burst benchmark's forecasts). */
export interface WindowContext {
  /** The FP instances' ports, the first one the instance that seeded. */
  ports: number[];
  /** The FP instances' process ids, in the same order. */
  pids: number[];
  databaseUrl: string;
  /** A VIEWER API token (management API). */
  token: string;
  sim: JsonChild<SimReady>;
  client: pg.Client;
  windowStart: number;
}

export interface HeartbeatRunOptions {
  config?: HeartbeatConfig;
  /** FP instances on the one database (default 1); the others start as followers. */
  instances?: number;
  /** More settings for the FP processes (heartbeat-server.ts). */
  serverEnv?: Record<string, string>;
  /** Runs beside the measured window (started at its start, awaited at its end). */
  inWindow?: (context: WindowContext) => Promise<unknown>;
  /** Delays the window until a measurement boundary lies well inside it. */
  boundary?: BoundaryPlacement;
}

export async function runHeartbeatBenchmark(
  postgresUrl: string | undefined,
  options: HeartbeatRunOptions = {},
): Promise<HeartbeatResult> {
  const config = options.config ?? heartbeatConfig();
  const instances = Math.max(1, Math.floor(options.instances ?? 1));
  const result: HeartbeatResult = { measured: false, config };
  const followers: JsonChild<FpReady>[] = [];
  log(
    `\nHeartbeat scale: ${config.connections} connections, a heartbeat every ${config.intervalSeconds} s each way, ` +
      `${config.seconds} s measured on PostgreSQL`,
  );
  if (!postgresUrl) {
    result.note = 'BENCH_DATABASE_URL is not set (the heartbeat benchmark runs on PostgreSQL only)';
    log(`  NOT MEASURED: ${result.note}`);
    return result;
  }

  let database: BenchDatabase | undefined;
  let sim: JsonChild<SimReady> | undefined;
  let fp: JsonChild<FpReady> | undefined;
  let client: pg.Client | undefined;
  const tmp = mkdtempSync(join(os.tmpdir(), 'openvelope-bench-heartbeat-'));
  try {
    database = await freshPostgres(postgresUrl);
    result.database = database.description;
    if (database.settings) result.settings = database.settings;
    log(`  ${database.description}`);
    const seed = randomBytes(6).toString('hex');
    const common = {
      BENCH_HB_CONNECTIONS: String(config.connections),
      BENCH_HB_INTERVAL_SECONDS: String(config.intervalSeconds),
      BENCH_HB_SEED: seed,
    };

    sim = await startJsonChild<SimReady>('heartbeat-sim.ts', common, {
      readyTimeoutMs: 120_000,
      label: 'simulator',
    });
    log(`  simulator (pid ${sim.pid}) with ${config.connections} peers on ${sim.ready.url}`);

    const profileDir = process.env.BENCH_CPU_PROF_DIR;
    const fpStarted = performance.now();
    log('  starting the FP, migrating, seeding circuits, scopes, secrets and connections…');
    fp = await startJsonChild<FpReady>(
      'heartbeat-server.ts',
      {
        ...common,
        BENCH_DB_URL: database.env.BENCH_DB_URL!,
        BENCH_HB_PEER_URL: sim.ready.oscpBaseUrl,
        BENCH_HB_SCHEDULER_POLL_MS: String(config.schedulerPollMs),
        BENCH_HB_DISPATCHER_POLL_MS: String(config.dispatcherPollMs),
        ...(config.profile ? { BENCH_PROFILE: '1' } : {}),
        ...options.serverEnv,
      },
      {
        readyTimeoutMs: 1_200_000,
        label: 'FP server',
        ...(profileDir ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] } : {}),
      },
    );
    const fpStartAndSeedSeconds = round((performance.now() - fpStarted) / 1000, 1);
    log(
      `  FP (pid ${fp.pid}) on port ${fp.ready.port} ready after ${fpStartAndSeedSeconds} s ` +
        `(seeding ms: ${JSON.stringify(fp.ready.seedMs)}); scheduler polls every ${fp.ready.schedulerPollMs} ms, ` +
        `dispatcher every ${fp.ready.dispatcherPollMs} ms, pool ${fp.ready.poolSize}`,
    );

    for (let n = 1; n < instances; n += 1) {
      const follower = await startJsonChild<FpReady>(
        'heartbeat-server.ts',
        {
          ...common,
          BENCH_DB_URL: database.env.BENCH_DB_URL!,
          BENCH_HB_PEER_URL: sim.ready.oscpBaseUrl,
          BENCH_HB_SCHEDULER_POLL_MS: String(config.schedulerPollMs),
          BENCH_HB_DISPATCHER_POLL_MS: String(config.dispatcherPollMs),
          ...options.serverEnv,
          BENCH_HB_ROLE: 'follower',
          BENCH_HB_PUBLIC_URL: `http://127.0.0.1:${fp.ready.port}`,
        },
        { readyTimeoutMs: 120_000, label: `FP instance ${n + 1}` },
      );
      followers.push(follower);
      log(
        `  FP instance ${n + 1} (pid ${follower.pid}) on port ${follower.ready.port}, same database`,
      );
    }

    client = new pg.Client({ connectionString: database.env.BENCH_DB_URL });
    await client.connect();

    // Enable in batches spread over one interval, so the connections' heartbeats are spread too.
    const batches = Math.ceil(config.connections / config.enableBatch);
    const pauseMs = config.enablePauseMs ?? Math.round((config.intervalSeconds * 1000) / batches);
    log(
      `  enabling ${config.connections} connections, ${config.enableBatch} at a time every ${pauseMs} ms…`,
    );
    const enableStarted = performance.now();
    const enabling = fp.request<{ ms: number; errors: string[] }>(
      { cmd: 'enable', batch: config.enableBatch, pauseMs },
      config.onlineTimeoutSeconds * 1000,
    );
    enabling.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
    const online = await waitAllOnline(
      client,
      sim,
      config.connections,
      config.onlineTimeoutSeconds * 1000,
      enableStarted,
    );
    const enabled = await enabling;
    result.setup = {
      fpStartAndSeedSeconds,
      seedMs: fp.ready.seedMs,
      enableSeconds: round(enabled.ms / 1000, 1),
      timeToAllOnlineSeconds: online.ms === null ? null : round(online.ms / 1000, 1),
      statesAtStart: online.states,
      enableErrors: enabled.errors,
      exchangesResent: online.exchangesResent,
    };
    if (online.ms === null) {
      throw new Error(
        `not every connection was ONLINE within ${config.onlineTimeoutSeconds} s: ${JSON.stringify(online.states)}` +
          (enabled.errors.length
            ? `; enable errors: ${enabled.errors.slice(0, 3).join(' | ')}`
            : ''),
      );
    }
    log(
      `  all ${config.connections} ONLINE ${result.setup.timeToAllOnlineSeconds} s after the first enable ` +
        `(enabling took ${result.setup.enableSeconds} s); settling ${config.settleSeconds} s…`,
    );
    await sleep(config.settleSeconds * 1000);
    if (options.boundary) {
      const waitMs = waitBeforeWindowMs(Date.now(), config.seconds, options.boundary);
      if (waitMs > 0) {
        log(
          `  waiting ${round(waitMs / 1000, 0)} s so a measurement boundary lies inside the window…`,
        );
        await sleep(waitMs);
      }
    }

    // The measured window.
    await fp.request({ cmd: 'window' });
    await sim.request({ cmd: 'window' });
    const sim0 = await sim.request<SimStats>({ cmd: 'stats' });
    const activity0 = await databaseActivity(client);
    const start = Date.now();
    const sampler = startSampler({
      fpPid: fp.pid,
      simPid: sim.pid,
      client,
      everyMs: config.sampleEveryMs,
    });
    log(`  measuring for ${config.seconds} s…`);
    const followerCpu = followers.map((f) => startCpuMeasurement(f.pid));
    const inWindow = options.inWindow?.({
      ports: [fp.ready.port, ...followers.map((f) => f.ready.port)],
      pids: [fp.pid, ...followers.map((f) => f.pid)],
      databaseUrl: database.env.BENCH_DB_URL!,
      token: fp.ready.token,
      sim,
      client,
      windowStart: start,
    });
    inWindow?.catch(() => {}); // awaited below
    const windowMs = config.seconds * 1000;
    const windowStarted = performance.now();
    let nextReport = 30_000;
    while (performance.now() - windowStarted < windowMs) {
      await sleep(Math.min(1000, windowMs - (performance.now() - windowStarted)));
      const elapsed = performance.now() - windowStarted;
      if (elapsed >= nextReport && elapsed < windowMs) {
        nextReport += 30_000;
        const s = sampler.latest();
        const simNow = await sim.request<SimStats>({ cmd: 'stats' });
        log(
          `  ${round(elapsed / 1000, 0)} s: FP CPU ${s?.fpCpuPercent ?? '?'}%, RSS ${s?.fpRssMiB ?? '?'} MiB, ` +
            `PostgreSQL ${s?.postgresCpuPercent ?? '?'}%, simulator ${s?.simCpuPercent ?? '?'}%, machine ${s?.machineBusyPercent ?? '?'}%; ` +
            `due work ${s?.dueWork ?? '?'}, outbox due ${s?.outboxDue ?? '?'}; ` +
            `FP heartbeats at the peer ${simNow.fpHeartbeatsArrived - sim0.fpHeartbeatsArrived}, ` +
            `peer heartbeats delivered ${simNow.heartbeatsDelivered - sim0.heartbeatsDelivered}`,
        );
      }
    }
    const windowExtra = await inWindow;
    const end = Date.now();
    const resources = await sampler.stop();
    result.followers = followers.map((f, n) => ({
      pid: f.pid,
      cpuPercent: followerCpu[n]!(0).serverPercent,
    }));
    const internals = await fp.request<Record<string, unknown>>({ cmd: 'stats' });
    const sim1 = await sim.request<SimStats>({ cmd: 'stats' });
    const activity1 = await databaseActivity(client);
    const window = { start, end };
    const seconds = (end - start) / 1000;
    result.window = {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      seconds: round(seconds, 1),
    };

    // Heartbeats due near the end get the drain to be sent, then everything is read back.
    log(`  window over; ${config.drainSeconds} s for the last heartbeats due in it…`);
    await sleep(config.drainSeconds * 1000);
    const arrivalsFile = join(tmp, 'arrivals.json');
    await sim.request({ cmd: 'dump', path: arrivalsFile }, 60_000);
    const arrivals = new Map(JSON.parse(readFileSync(arrivalsFile, 'utf8')) as [string, number][]);
    const rows = await loadOutboundHeartbeats(client, arrivals);
    result.outbound = analyseOutbound(rows, window, config.connections, config.intervalSeconds);
    result.measurementBoundaries = await analyseMeasurementBoundaries(client, window, rows);
    if (windowExtra !== undefined) result.inWindow = windowExtra;
    result.heartbeatRows = rows;
    const inbound = await analyseInbound(client, window);
    result.inbound = {
      ...inbound,
      simSentPerSecond: round((sim1.heartbeatsSent - sim0.heartbeatsSent) / seconds, 2),
      simDeliveredPerSecond: round(
        (sim1.heartbeatsDelivered - sim0.heartbeatsDelivered) / seconds,
        2,
      ),
      simNotDelivered:
        sim1.heartbeatsSent -
        sim0.heartbeatsSent -
        (sim1.heartbeatsDelivered - sim0.heartbeatsDelivered),
      responseMs: sim1.heartbeatCalls,
    };
    result.eventsInWindow = await eventCounts(client, start, end);
    result.falseOfflineTransitions = result.eventsInWindow.OscpPeerOffline ?? 0;
    result.offlineTransitionsWholeRun =
      (await eventCounts(client, 0, Date.now() + 60_000)).OscpPeerOffline ?? 0;
    result.statesAtEnd = await connectionStates(client);
    result.resources = resources;
    const { statements, ...fpInternals } = internals as { statements?: unknown } & Record<
      string,
      unknown
    >;
    delete fpInternals.reply;
    result.fpInternals = fpInternals;
    const delta = activityDelta(activity0, activity1);
    // Heartbeats handled in the window: sent (delivered) and received (accepted).
    const heartbeats = result.outbound.deliveredInWindow + inbound.accepted;
    result.databaseActivity = {
      ...delta,
      transactionsPerSecond: round(delta.transactions / seconds, 1),
      transactionsPerHeartbeat: heartbeats ? round(delta.transactions / heartbeats, 2) : null,
    };
    if (Array.isArray(statements) && heartbeats > 0) {
      result.statementsPerHeartbeat = (
        statements as { sql: string; count: number; totalMs: number }[]
      ).map((s) => ({
        ...s,
        perSecond: round(s.count / seconds, 1),
        perHeartbeat: round(s.count / heartbeats, 3),
      }));
      result.statementDenominators = {
        heartbeatsSent: result.outbound.deliveredInWindow,
        heartbeatsReceived: inbound.accepted,
        schedulerItems: (fpInternals.scheduler as { items?: number } | undefined)?.items ?? null,
        dispatcherItems: (fpInternals.dispatcher as { items?: number } | undefined)?.items ?? null,
      };
    }
    result.simulator = sim1;
    result.measured = true;
    result.meetsTarget =
      result.outbound.sendLatenessMs.p99Ms < HEARTBEAT_LATENESS_P99_TARGET_MS &&
      result.falseOfflineTransitions === 0 &&
      result.outbound.arrivedAtPeer >= result.outbound.dueInWindow &&
      result.outbound.dueInWindow > 0;
    describe(result);
  } catch (error) {
    result.note = `failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`  ${result.note}`);
    if (fp) log(`  --- FP stderr (last lines) ---\n${fp.stderrTail()}`);
  } finally {
    await client?.end().catch(() => {});
    for (const f of followers) await f.stop();
    await fp?.stop();
    await sim?.stop();
    await database
      ?.drop()
      .catch((error: unknown) => log(`  could not drop the database: ${String(error)}`));
    rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}

function describe(r: HeartbeatResult): void {
  const o = r.outbound!;
  const i = r.inbound!;
  const res = r.resources!;
  const l = o.sendLatenessMs;
  log(
    `  outbound: ${o.deliveredPerSecond}/s delivered (target ${round(r.config.connections / r.config.intervalSeconds, 1)}/s); ` +
      `${o.arrivedAtPeer} of ${o.dueInWindow} due in the window reached the peer (${o.expected} expected), ${JSON.stringify(o.byStatus)}`,
  );
  log(
    `  send lateness (arrival at the peer − due): p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms; ` +
      `enqueue p50 ${o.enqueueLatenessMs.p50Ms} / p99 ${o.enqueueLatenessMs.p99Ms} ms, ` +
      `dispatch p50 ${o.dispatchMs.p50Ms} / p99 ${o.dispatchMs.p99Ms} ms; ${o.lateOver1s} over 1 s; ` +
      `longest gap at the peer ${o.longestGapMs} ms, ${o.gapsOver1_5xInterval} gaps > 1.5 × interval`,
  );
  log(
    `  inbound: ${i.acceptedPerSecond}/s accepted by the FP (simulator sent ${i.simSentPerSecond}/s, ` +
      `${i.simNotDelivered} not delivered); FP answered p50 ${i.responseMs.p50Ms} ms, p99 ${i.responseMs.p99Ms} ms, max ${i.responseMs.maxMs} ms`,
  );
  log(
    `  false OFFLINE transitions: ${r.falseOfflineTransitions} (whole run ${r.offlineTransitionsWholeRun}); states at the end ${JSON.stringify(r.statesAtEnd)}`,
  );
  log(
    `  FP CPU ${res.fp.cpuPercent}% of a core (${res.fp.cpuSeconds} s), RSS peak ${res.fp.rssPeakMiB} MiB / mean ${res.fp.rssMeanMiB} MiB; ` +
      `PostgreSQL backends ${res.postgres.cpuPercent}%; simulator ${res.sim.cpuPercent}%; machine busy ${res.machineBusyPercent}%; ` +
      `due-work backlog max ${res.backlog.dueWorkMax}, outbox backlog max ${res.backlog.outboxDueMax}`,
  );
  const f = r.fpInternals as {
    scheduler?: { itemsPerSecond: number; busyPercent: number; msPerItem: number | null };
    dispatcher?: { itemsPerSecond: number; busyPercent: number; msPerItem: number | null };
    pool?: { meanBusy: number | null; percentOfTimeWithWaiters: number | null; maxWaiting: number };
    eventLoopDelayMs?: { p99: number; max: number };
  };
  log(
    `  FP inside: scheduler ${f.scheduler?.itemsPerSecond}/s, busy ${f.scheduler?.busyPercent}% (${f.scheduler?.msPerItem} ms/item); ` +
      `dispatcher ${f.dispatcher?.itemsPerSecond} sends/s, ${f.dispatcher?.msPerItem} ms per send; ` +
      `pool busy ${f.pool?.meanBusy} of 10, waiters ${f.pool?.percentOfTimeWithWaiters}% of the time (max ${f.pool?.maxWaiting}); ` +
      `event loop delay p99 ${f.eventLoopDelayMs?.p99} ms, max ${f.eventLoopDelayMs?.max} ms; ` +
      `${r.databaseActivity?.transactionsPerSecond} transactions/s, ${r.databaseActivity?.transactionsPerHeartbeat} per heartbeat`,
  );
}

// Markdown

const fmt = (n: number | null | undefined, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '–';

export function heartbeatMarkdown(r: HeartbeatResult): string {
  const head = [
    '| Heartbeat scale (PostgreSQL) | Connections × interval | Window | Time to all ONLINE | Outbound (delivered/s) | Inbound (accepted/s) | Send lateness p50 / p99 / max (ms) | False OFFLINE | FP CPU (% of a core) | FP RSS peak / mean (MiB) | PostgreSQL CPU | Target |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  const what = `${r.config.connections} × ${r.config.intervalSeconds} s`;
  if (!r.measured || !r.outbound || !r.inbound || !r.resources) {
    return [
      ...head,
      `| Heartbeats both ways, simulator as peer | ${what} | ${r.config.seconds} s | | | | | | | | | not measured: ${r.note ?? ''} |`,
    ].join('\n');
  }
  const o = r.outbound;
  const l = o.sendLatenessMs;
  const res = r.resources;
  const target = r.config.connections / r.config.intervalSeconds;
  const verdict = r.meetsTarget ? '✅' : '❌';
  return [
    ...head,
    `| Heartbeats both ways, simulator as peer | ${what} | ${fmt(r.window?.seconds)} s | ${fmt(r.setup?.timeToAllOnlineSeconds, 1)} s | ${fmt(o.deliveredPerSecond, 1)} (of ${fmt(target, 1)}) | ${fmt(r.inbound.acceptedPerSecond, 1)} (of ${fmt(target, 1)}) | ${fmt(l.p50Ms)} / ${fmt(l.p99Ms)} / ${fmt(l.maxMs)} | ${r.falseOfflineTransitions} | ${fmt(res.fp.cpuPercent, 1)} | ${fmt(res.fp.rssPeakMiB)} / ${fmt(res.fp.rssMeanMiB)} | ${fmt(res.postgres.cpuPercent, 1)}% | p99 < ${HEARTBEAT_LATENESS_P99_TARGET_MS} ms, 0 OFFLINE ${verdict} |`,
    '',
    `Send lateness: a heartbeat's arrival at the simulator − the instant it was due (from its dedupe key). ` +
      `${o.arrivedAtPeer} of ${o.dueInWindow} heartbeats due in the window arrived (${o.expected} expected); ` +
      `${o.lateOver1s} arrived more than 1 s late; the longest gap between two heartbeats at a peer was ${fmt((o.longestGapMs ?? NaN) / 1000, 1)} s. ` +
      `Machine busy ${fmt(res.machineBusyPercent)}% (simulator ${fmt(res.sim.cpuPercent)}% of a core).`,
  ].join('\n');
}
