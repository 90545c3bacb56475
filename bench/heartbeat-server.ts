/**
 * The Flexibility Provider under test for the heartbeat benchmark (heartbeat.ts), in a child
 * process of its own so neither the simulator nor the orchestrator shares its event loop or its
 * CPU account. It runs the whole app on PostgreSQL with the system clock, the real scheduler and
 * dispatcher polling as in production, no demo.
 *
 * Start-up: migrate, createApp, listen on 127.0.0.1, start the scheduler and the dispatcher, seed
 * BENCH_HB_CONNECTIONS circuits (microgrids of at most 100 circuits, one managed scope per circuit),
 * one initial-token secret per connection and one OSCP_TOKEN connection per scope (disabled, the
 * peer asked for a heartbeat every BENCH_HB_INTERVAL_SECONDS). Then one JSON line on stdout:
 * {"ready": true, port, pid, ...}.
 *
 * Commands on stdin, one JSON object a line, each answered by a line {"reply": id, ...}:
 *   {"id", "cmd": "enable", "batch", "pauseMs"}  enable every connection, `batch` at a time (the
 *                                                same service call as the console's Enable),
 *                                                pausing between batches; progress lines on the way.
 *   {"id", "cmd": "window"}                      start an observation window (resets the counters).
 *   {"id", "cmd": "stats"}                       the window's counters: event-loop delay, database
 *                                                pool waits, scheduler and dispatcher ticks, and
 *                                                with BENCH_PROFILE=1 every SQL statement.
 *
 * Environment: BENCH_DB_URL (required), BENCH_HB_CONNECTIONS, BENCH_HB_INTERVAL_SECONDS,
 * BENCH_HB_SEED (initial tokens), BENCH_HB_PEER_URL (the simulator's OSCP root),
 * BENCH_HB_SCHEDULER_POLL_MS, BENCH_HB_DISPATCHER_POLL_MS, BENCH_PROFILE, BENCH_LOG_LEVEL.
 *
 * It stops on SIGTERM/SIGINT, when its stdin closes, or after BENCH_MAX_LIFETIME_SECONDS.
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import { createApp, type App } from '../packages/server/src/app';
import { systemClock } from '../packages/server/src/platform/clock';
import { provisionServiceToken } from '../packages/server/src/platform/auth/service-account';
import type { Db } from '../packages/server/src/platform/db/database';
import { migrateToLatest } from '../packages/server/src/platform/db/migrator';
import { schedulerWorkersFor } from '../packages/server/src/platform/scheduler/scheduler';
import type { MeasurementAlignment } from '../packages/server/src/oscp/domain/connection-profile';
import type { Database } from '../packages/server/src/platform/db/schema';
import { createLogger } from '../packages/server/src/platform/logging';
import { initialTokenFor, groupIdFor, secretNameFor } from './lib/heartbeat-peers';

const databaseUrl = process.env.BENCH_DB_URL;
const connectionCount = Number(process.env.BENCH_HB_CONNECTIONS ?? 200);
const intervalSeconds = Number(process.env.BENCH_HB_INTERVAL_SECONDS ?? 10);
const tokenSeed = process.env.BENCH_HB_SEED ?? 'seed';
const peerUrl = process.env.BENCH_HB_PEER_URL ?? '';
const schedulerPollMs = Number(process.env.BENCH_HB_SCHEDULER_POLL_MS ?? 200);
const dispatcherPollMs = Number(process.env.BENCH_HB_DISPATCHER_POLL_MS ?? 200);
const profiling = process.env.BENCH_PROFILE === '1';
const maxLifetimeMs = Number(process.env.BENCH_MAX_LIFETIME_SECONDS ?? 3600) * 1000;
/** Measurement publication interval of every connection (all fall due at the same boundaries). */
const measurementSeconds = Number(process.env.BENCH_HB_MEASUREMENT_SECONDS ?? 300);
/**
 * `CLOCK_HOUR` puts every connection's measurement windows on the clock grid, so all fall due at
 * the same boundary (the measurement burst); `NONE` anchors each at its own start, spreading them.
 */
const measurementAlignment: MeasurementAlignment =
  process.env.BENCH_HB_MEASUREMENT_ALIGNMENT === 'CLOCK_HOUR' ? 'CLOCK_HOUR' : 'NONE';
/** Charging chargers per circuit (one session each), so a forecast has allocations to recompute. */
const chargersPerCircuit = Number(process.env.BENCH_HB_CHARGERS_PER_CIRCUIT ?? 0);
/**
 * `follower`: a second instance on the same database; it seeds nothing and enables nothing, and
 * shares the due work and the outbox with the first (SKIP LOCKED), as behind a load balancer.
 */
const follower = process.env.BENCH_HB_ROLE === 'follower';
/** The product's pool size (openPostgres) and per-request timeout (OSCP_REQUEST_TIMEOUT_MS). */
const POOL_SIZE = 10;
const CIRCUITS_PER_MICROGRID = 100;
const SEED_CONCURRENCY = 8;
const INT8_OID = 20;

// As database.ts does when the product opens its database.
pg.types.setTypeParser(INT8_OID, (v) => Number(v));

const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', process.stderr);

function write(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

// Observation ---------------------------------------------------------------------------------

/** Per SQL text: how often and how long (BENCH_PROFILE=1 only; BEGIN/COMMIT are not seen). */
let statements = new Map<string, { count: number; totalMs: number }>();
function record(event: LogEvent): void {
  const entry = statements.get(event.query.sql) ?? { count: 0, totalMs: 0 };
  entry.count += 1;
  entry.totalMs += event.queryDurationMillis;
  statements.set(event.query.sql, entry);
}

/** A polling loop's ticks: how many, how long they took, how much work they found. */
class TickStats {
  ticks = 0;
  items = 0;
  busyMs = 0;
  /** Time in ticks that found work: what the work itself cost (plus one empty look each). */
  workingMs = 0;
  maxTickMs = 0;
  maxItems = 0;
  /** Ticks that found as much as one tick takes (the scheduler's limit, the dispatcher's batch). */
  fullTicks = 0;
  fullTickMs = 0;
  constructor(private readonly full: number) {}
  add(ms: number, items: number): void {
    this.ticks += 1;
    this.items += items;
    this.busyMs += ms;
    if (items > 0) this.workingMs += ms;
    this.maxTickMs = Math.max(this.maxTickMs, ms);
    this.maxItems = Math.max(this.maxItems, items);
    if (items >= this.full) {
      this.fullTicks += 1;
      this.fullTickMs += ms;
    }
  }
  view(wallMs: number) {
    const r = (v: number) => Math.round(v * 10) / 10;
    return {
      ticks: this.ticks,
      items: this.items,
      itemsPerSecond: r((this.items * 1000) / wallMs),
      busyPercent: r((100 * this.busyMs) / wallMs),
      meanTickMs: this.ticks ? r(this.busyMs / this.ticks) : null,
      maxTickMs: r(this.maxTickMs),
      msPerItem: this.items ? Math.round((this.workingMs / this.items) * 100) / 100 : null,
      maxItemsPerTick: this.maxItems,
      fullTicks: this.fullTicks,
      meanFullTickMs: this.fullTicks ? r(this.fullTickMs / this.fullTicks) : null,
    };
  }
}

/**
 * Times every runDue of the scheduler (its polling loop calls it) and every send of the dispatcher
 * (its transport: the dispatcher keeps several sends in flight, so "busy" there is the sum of the
 * sends' times, and ms per item the mean time a send took), by wrapping instance members.
 */
function instrument(app: App) {
  const scheduler = { stats: new TickStats(100) };
  const dispatcher = { stats: new TickStats(1) };
  const wrap = (target: { runDue: () => Promise<number> }, holder: { stats: TickStats }) => {
    const original = target.runDue.bind(target);
    target.runDue = async () => {
      const started = performance.now();
      const n = await original();
      holder.stats.add(performance.now() - started, n);
      return n;
    };
  };
  wrap(app.scheduler as unknown as { runDue: () => Promise<number> }, scheduler);
  const sender = app.oscp.dispatcher as unknown as { transport: (m: unknown) => Promise<unknown> };
  const send = sender.transport;
  sender.transport = async (message: unknown) => {
    const started = performance.now();
    try {
      return await send(message);
    } finally {
      dispatcher.stats.add(performance.now() - started, 1);
    }
  };
  return {
    reset() {
      scheduler.stats = new TickStats(100);
      dispatcher.stats = new TickStats(1);
    },
    view(wallMs: number) {
      return { scheduler: scheduler.stats.view(wallMs), dispatcher: dispatcher.stats.view(wallMs) };
    },
  };
}

/** Every 50 ms: requests waiting for a pooled connection, and connections in use. */
function watchPool(pool: pg.Pool) {
  let samples = 0;
  let waitingSum = 0;
  let waitingMax = 0;
  let samplesWithWaiters = 0;
  let busySum = 0;
  const timer = setInterval(() => {
    const waiting = pool.waitingCount;
    samples += 1;
    waitingSum += waiting;
    waitingMax = Math.max(waitingMax, waiting);
    if (waiting > 0) samplesWithWaiters += 1;
    busySum += pool.totalCount - pool.idleCount;
  }, 50);
  timer.unref();
  return {
    reset() {
      samples = 0;
      waitingSum = 0;
      waitingMax = 0;
      samplesWithWaiters = 0;
      busySum = 0;
    },
    view() {
      const r = (v: number) => Math.round(v * 100) / 100;
      return {
        size: POOL_SIZE,
        samples,
        meanBusy: samples ? r(busySum / samples) : null,
        meanWaiting: samples ? r(waitingSum / samples) : null,
        maxWaiting: waitingMax,
        percentOfTimeWithWaiters: samples ? r((100 * samplesWithWaiters) / samples) : null,
      };
    },
    stop: () => clearInterval(timer),
  };
}

// Seeding -------------------------------------------------------------------------------------

async function inChunks<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(work));
  }
}

interface Seeded {
  connectionIds: string[];
  seedMs: { depot: number; secrets: number; connections: number };
}

/**
 * Microgrids of at most 100 circuits (depots are not 2,000 circuits wide, and the depot model
 * checks a scope's circuits against its microgrid's), one managed scope per circuit, one connection
 * per scope. Connections are created with the product's ConnectionService.
 */
async function seed(app: App, db: Db): Promise<Seeded> {
  const now = systemClock.now();
  const started = performance.now();
  const { model } = app.microgrid;
  const slots = Array.from({ length: connectionCount }, (_, i) => i);
  const microgridIds: string[] = [];
  for (let m = 0; m * CIRCUITS_PER_MICROGRID < connectionCount; m += 1) {
    const microgrid = await model.createMicrogrid(
      { name: `Heartbeat Depot ${m + 1}`, timezone: 'Pacific/Auckland' },
      now,
    );
    microgridIds.push(microgrid.id);
  }
  const scopes: { microgridId: string; scopeId: string }[] = new Array(connectionCount);
  await inChunks(slots, SEED_CONCURRENCY, async (i) => {
    const microgridId = microgridIds[Math.floor(i / CIRCUITS_PER_MICROGRID)]!;
    const label = String(i + 1).padStart(4, '0');
    const circuitId = await model.createCircuit(
      microgridId,
      { name: `Switchboard ${label}`, phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 160 },
      now,
    );
    const scopeId = await model.createScope(
      microgridId,
      { name: `Connection ${label}`, circuitIds: [circuitId] },
      now,
    );
    scopes[i] = { microgridId, scopeId };
    for (let n = 0; n < chargersPerCircuit; n += 1) {
      const chargerId = await model.createCharger(
        circuitId,
        {
          name: `Bay ${n + 1}`,
          phases: ['L1', 'L2', 'L3'],
          minCurrentA: 6,
          maxCurrentA: 32,
          priority: 0,
        },
        now,
      );
      await app.microgrid.charging.startSession(
        chargerId,
        { vehicleLabel: `Vehicle ${label}-${n + 1}` },
        now,
      );
    }
  });
  const depotMs = performance.now() - started;

  const secretsStarted = performance.now();
  await inChunks(slots, SEED_CONCURRENCY, (i) =>
    app.secrets.put(db, secretNameFor(i), initialTokenFor(tokenSeed, i), 'bench', now),
  );
  const secretsMs = performance.now() - secretsStarted;

  const connectionsStarted = performance.now();
  const creator = app.oscp.connections;
  const connectionIds: string[] = new Array(connectionCount);
  await inChunks(slots, SEED_CONCURRENCY, async (i) => {
    const scope = scopes[i]!;
    connectionIds[i] = await creator.create(
      {
        preset: 'OSCP_STANDARD',
        displayName: `Heartbeat CP ${String(i + 1).padStart(4, '0')}`,
        groupId: groupIdFor(i),
        microgridId: scope.microgridId,
        scopeId: scope.scopeId,
        peerBaseUrl: peerUrl,
        authReferences: { initialToken: secretNameFor(i) },
        requestedHeartbeatIntervalSeconds: intervalSeconds,
        // Every 5 minutes by default, so every measured window holds a full publication round.
        measurementPublicationIntervalSeconds: measurementSeconds,
        measurementAlignment,
        enabled: false,
      },
      'bench',
      now,
    );
  });
  return {
    connectionIds,
    seedMs: {
      depot: Math.round(depotMs),
      secrets: Math.round(secretsMs),
      connections: Math.round(performance.now() - connectionsStarted),
    },
  };
}

/** Enables every connection through the product's service, `batch` at a time. */
async function enableAll(
  app: App,
  ids: readonly string[],
  batch: number,
  pauseMs: number,
  progress: (enabled: number) => void,
): Promise<{ ms: number; errors: string[] }> {
  const started = performance.now();
  const errors: string[] = [];
  for (let i = 0; i < ids.length; i += batch) {
    const batchStarted = performance.now();
    await Promise.all(
      ids.slice(i, i + batch).map((id) =>
        app.oscp.connections.enable(id, 'bench', systemClock.now()).catch((error: unknown) => {
          if (errors.length < 20)
            errors.push(error instanceof Error ? error.message : String(error));
        }),
      ),
    );
    progress(Math.min(ids.length, i + batch));
    const wait = pauseMs - (performance.now() - batchStarted);
    if (i + batch < ids.length && wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { ms: Math.round(performance.now() - started), errors };
}

// Main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!databaseUrl) throw new Error('heartbeat-server: BENCH_DB_URL is required');
  if (!peerUrl) throw new Error('heartbeat-server: BENCH_HB_PEER_URL is required');
  // The same pool as openPostgres (size, error listener), built here so its queue can be watched.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  pool.on('error', () => {});
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    ...(profiling ? { log: record } : {}),
  });
  // A follower starts once the first instance has migrated the database.
  if (!follower) await migrateToLatest(db);
  const app = await createApp({
    db,
    clock: systemClock,
    log,
    // One key for every instance of a run (from the run's seed), as instances in production share
    // SECRETS_KEY: a key of its own would leave a follower unable to read the secrets the first
    // instance stored, and every Register it sent would fail on the peer's token.
    secretsKey: createHash('sha256').update(`secrets:${tokenSeed}`).digest(),
    // The production defaults (platform/config.ts).
    oscp: {
      requestTimeoutMs: 10_000,
      maxDeliveryAttempts: 5,
      retryBaseDelayMs: 2000,
      registrationReplyTimeoutMs: 60_000,
    },
  });
  const ticks = instrument(app);
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  // Every instance announces one address to peers, as instances behind one load balancer share
  // one PUBLIC_URL: a follower is given the first instance's. Otherwise which instance a peer
  // talks to would depend on which dispatcher happened to send it the Register.
  app.setPublicUrl(process.env.BENCH_HB_PUBLIC_URL ?? `http://127.0.0.1:${port}`);
  app.scheduler.start(schedulerPollMs, schedulerWorkersFor('postgres'));
  app.oscp.dispatcher.start(dispatcherPollMs);

  const seeded: Seeded = follower
    ? { connectionIds: [], seedMs: { depot: 0, secrets: 0, connections: 0 } }
    : await seed(app, db);

  // A read-only API token, for the console's reads measured beside the heartbeats (reads.ts).
  const apiToken = await provisionServiceToken(
    db,
    systemClock,
    `bench-viewer-${process.pid}`,
    'VIEWER',
  );
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const poolWatch = watchPool(pool);
  let windowStarted = performance.now();
  const resetWindow = () => {
    windowStarted = performance.now();
    loop.reset();
    poolWatch.reset();
    ticks.reset();
    statements = new Map();
  };

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'heartbeat bench server stopping');
    const force = setTimeout(() => process.exit(0), 15_000);
    force.unref();
    try {
      poolWatch.stop();
      await app.oscp.dispatcher.stop();
      await app.scheduler.stop();
      await app.http.close();
      await db.destroy();
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
    let command: { id?: string; cmd?: string; batch?: number; pauseMs?: number };
    try {
      command = JSON.parse(line) as typeof command;
    } catch {
      return;
    }
    const id = command.id ?? '';
    if (command.cmd === 'enable') {
      const batch = Math.max(1, Math.floor(command.batch ?? 50));
      void enableAll(app, seeded.connectionIds, batch, command.pauseMs ?? 0, (enabled) =>
        write({ progress: id, enabled }),
      ).then((outcome) => write({ reply: id, ...outcome }));
    } else if (command.cmd === 'window') {
      resetWindow();
      write({ reply: id });
    } else if (command.cmd === 'stats') {
      const wallMs = performance.now() - windowStarted;
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      write({
        reply: id,
        wallMs: Math.round(wallMs),
        eventLoopDelayMs: {
          p50: ms(loop.percentile(50)),
          p99: ms(loop.percentile(99)),
          max: ms(loop.max),
          mean: ms(loop.mean),
        },
        pool: poolWatch.view(),
        ...ticks.view(wallMs),
        ...(profiling
          ? {
              statements: [...statements.entries()]
                .map(([sql, s]) => ({ sql, count: s.count, totalMs: Math.round(s.totalMs) }))
                .sort((a, b) => b.count - a.count),
            }
          : {}),
      });
    }
  });

  write({
    ready: true,
    port,
    token: apiToken,
    pid: process.pid,
    connections: seeded.connectionIds.length,
    seedMs: seeded.seedMs,
    schedulerPollMs,
    dispatcherPollMs,
    poolSize: POOL_SIZE,
    profiling,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `heartbeat bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
