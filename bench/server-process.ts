/**
 * The server under test, run as a child of run.ts so the load generator never shares its event
 * loop. Prints one JSON line on stdout when it is ready: {port, token, scopeIds, ...}.
 *
 * Environment:
 *   BENCH_MODE        envelope (default): the whole app, seeded with BENCH_CIRCUITS circuits.
 *                     floor: a bare Fastify route doing one INSERT, nothing else.
 *                     forecast: envelope, plus the OSCP dispatcher and one OSCP connection per
 *                     circuit, handshaken with the Capacity Provider simulator at
 *                     BENCH_FORECAST_PEER_URL (lib/forecast-provision.ts) before the ready line.
 *   BENCH_DB_URL      a PostgreSQL database to use (run.ts creates a fresh one); otherwise
 *   BENCH_PGLITE_DIR  the folder of an embedded PGlite database (run.ts creates a fresh temp dir).
 *   BENCH_CIRCUITS    circuits to seed, each with its own scope (default 50).
 *   BENCH_PROFILE     1: time every SQL statement; written as JSON to BENCH_PROFILE_OUT on exit.
 *   BENCH_LOG_LEVEL   server log level (default info, the product's default), to stderr.
 *
 * On stdin it takes one command a line: `reset` starts a new observation window, `stats` prints
 * {"stats": {...}} for the window: the most requests the server had in progress at once and the
 * server-side time of the measured requests (from Node parsing the request to the response).
 *
 * It stops on SIGTERM/SIGINT, when its stdin closes (the parent went away), or after
 * BENCH_MAX_LIFETIME_SECONDS (default 1800) whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import Fastify from 'fastify';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createApp, type App } from '../packages/server/src/app';
import { provisionServiceToken } from '../packages/server/src/platform/auth/service-account';
import { systemClock } from '../packages/server/src/platform/clock';
import {
  openPglite,
  openPostgres,
  type DatabaseHandle,
  type Db,
} from '../packages/server/src/platform/db/database';
import { migrateToLatest } from '../packages/server/src/platform/db/migrator';
import { schedulerWorkersFor } from '../packages/server/src/platform/scheduler/scheduler';
import { PGliteDialect } from '../packages/server/src/platform/db/pglite-dialect';
import type { Database } from '../packages/server/src/platform/db/schema';
import { createLogger } from '../packages/server/src/platform/logging';
import { provisionForecastConnections } from './lib/forecast-provision';

const mode = process.env.BENCH_MODE ?? 'envelope';
const databaseUrl = process.env.BENCH_DB_URL || undefined;
const pgliteDir = process.env.BENCH_PGLITE_DIR || undefined;
const circuitCount = Number(process.env.BENCH_CIRCUITS ?? 50);
const profileOut = process.env.BENCH_PROFILE === '1' ? process.env.BENCH_PROFILE_OUT : undefined;
const maxLifetimeMs = Number(process.env.BENCH_MAX_LIFETIME_SECONDS ?? 1800) * 1000;
/** The product's default pool size (openDatabase), so the benchmark sees what production sees. */
const POOL_SIZE = 10;
const INT8_OID = 20;

// Logs go to stderr: stdout carries the one ready line.
const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', process.stderr);

/** Per-statement timings, grouped by SQL text (BEGIN/COMMIT are issued by the driver and not seen). */
const profile = new Map<string, { count: number; totalMs: number; maxMs: number }>();
function record(event: LogEvent): void {
  const key = event.query.sql;
  const entry = profile.get(key) ?? { count: 0, totalMs: 0, maxMs: 0 };
  entry.count += 1;
  entry.totalMs += event.queryDurationMillis;
  entry.maxMs = Math.max(entry.maxMs, event.queryDurationMillis);
  profile.set(key, entry);
}

/**
 * The same databases as openPostgres / openPglite; in profile mode built here with Kysely's query
 * log switched on (the product's functions do not take a log option).
 */
async function openDatabase(): Promise<DatabaseHandle> {
  if (!profileOut) {
    if (databaseUrl) return openPostgres(databaseUrl, POOL_SIZE);
    if (pgliteDir) return openPglite(pgliteDir);
    throw new Error('server-process: set BENCH_DB_URL or BENCH_PGLITE_DIR');
  }
  if (databaseUrl) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: record });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  if (!pgliteDir) throw new Error('server-process: set BENCH_DB_URL or BENCH_PGLITE_DIR');
  const client = await PGlite.create(pgliteDir, {
    parsers: { [INT8_OID]: (v: string) => Number(v) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client), log: record });
  return {
    db,
    engine: 'pglite',
    close: async () => {
      await db.destroy();
      await client.close();
    },
  };
}

/**
 * Circuits shaped like the demo depot (seed/demo-depot.ts): 3-phase, 230 V, 160 A; twelve 32 A
 * three-phase chargers and two 32 A single-phase chargers on L1 and L2; seven sessions, one of
 * them a vehicle limited to 16 A. Each circuit has its own managed scope, so concurrent clients
 * never contend for the same circuit row.
 */
async function seedCircuits(
  app: App,
  count: number,
): Promise<{ scopeIds: string[]; circuitIds: string[] }> {
  const { model, charging } = app.microgrid;
  const now = systemClock.now();
  const microgrid = await model.createMicrogrid(
    { name: 'Bench Depot', timezone: 'Pacific/Auckland' },
    now,
  );
  const scopeIds: string[] = [];
  const circuitIds: string[] = [];
  for (let c = 1; c <= count; c += 1) {
    const label = String(c).padStart(2, '0');
    const circuitId = await model.createCircuit(
      microgrid.id,
      { name: `Switchboard ${label}`, phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 160 },
      now,
    );
    scopeIds.push(
      await model.createScope(
        microgrid.id,
        { name: `Connection ${label}`, circuitIds: [circuitId] },
        now,
      ),
    );
    circuitIds.push(circuitId);
    const chargers: string[] = [];
    for (let n = 1; n <= 12; n += 1) {
      chargers.push(
        await model.createCharger(
          circuitId,
          {
            name: `Bay ${String(n).padStart(2, '0')}`,
            phases: ['L1', 'L2', 'L3'],
            minCurrentA: 6,
            maxCurrentA: 32,
            priority: 0,
          },
          now,
        ),
      );
    }
    for (const phase of ['L1', 'L2'] as const) {
      chargers.push(
        await model.createCharger(
          circuitId,
          {
            name: `Workshop ${phase}`,
            phases: [phase],
            minCurrentA: 6,
            maxCurrentA: 32,
            priority: 0,
          },
          now,
        ),
      );
    }
    const charging7: { index: number; vehicleMaxCurrentA?: number }[] = [
      { index: 0 },
      { index: 1 },
      { index: 2, vehicleMaxCurrentA: 16 },
      { index: 3 },
      { index: 4 },
      { index: 12 },
      { index: 13 },
    ];
    for (const s of charging7) {
      await charging.startSession(
        chargers[s.index]!,
        { vehicleLabel: `Vehicle ${label}-${s.index}`, vehicleMaxCurrentA: s.vehicleMaxCurrentA },
        now,
      );
    }
  }
  return { scopeIds, circuitIds };
}

async function startEnvelopeServer(db: Db, engine: DatabaseHandle['engine']) {
  await migrateToLatest(db);
  const app = await createApp({ db, clock: systemClock, log, secretsKey: randomBytes(32) });
  const seeded = await seedCircuits(app, circuitCount);
  const token = await provisionServiceToken(db, systemClock, 'bench-manager', 'MANAGER');
  // As in production: due work is polled (the product's default interval).
  app.scheduler.start(250, schedulerWorkersFor(engine));
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    token,
    ...seeded,
    http: app.http.server,
    stop: async () => {
      await app.scheduler.stop();
      await app.http.close();
    },
  };
}

/**
 * BENCH_MODE=forecast: the envelope server's app and depot, plus what OSCP needs in production (the
 * dispatcher, the public URL, the production OSCP settings) and one connection per circuit, driven
 * to HANDSHAKEN by the simulator at BENCH_FORECAST_PEER_URL before the ready line.
 */
async function startForecastServer(db: Db, engine: DatabaseHandle['engine']) {
  const peerUrl = process.env.BENCH_FORECAST_PEER_URL;
  if (!peerUrl)
    throw new Error('server-process: BENCH_MODE=forecast needs BENCH_FORECAST_PEER_URL');
  await migrateToLatest(db);
  const app = await createApp({
    db,
    clock: systemClock,
    log,
    secretsKey: randomBytes(32),
    // The production defaults (platform/config.ts).
    oscp: {
      requestTimeoutMs: 10_000,
      maxDeliveryAttempts: 5,
      retryBaseDelayMs: 2000,
      registrationReplyTimeoutMs: 60_000,
    },
  });
  const seeded = await seedCircuits(app, circuitCount);
  const token = await provisionServiceToken(db, systemClock, 'bench-manager', 'MANAGER');
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  app.setPublicUrl(`http://127.0.0.1:${port}`);
  // As in production (the product's default intervals).
  app.scheduler.start(250, schedulerWorkersFor(engine));
  app.oscp.dispatcher.start(200);
  const connections = await provisionForecastConnections(app, db, systemClock, {
    scopeIds: seeded.scopeIds,
    peerUrl,
    seed: process.env.BENCH_FORECAST_SEED ?? 'seed',
    timeoutMs: Number(process.env.BENCH_FORECAST_HANDSHAKE_TIMEOUT_SECONDS ?? 180) * 1000,
    enableBatch: Number(process.env.BENCH_FORECAST_ENABLE_BATCH ?? 0),
  });
  log.info({ handshakeMs: connections.handshakeMs }, 'forecast bench: connections handshaken');
  // The SQL profile counts the measured forecasts, not the seeding and the handshakes.
  profile.clear();
  return {
    port,
    token,
    ...seeded,
    http: app.http.server,
    stop: async () => {
      await app.oscp.dispatcher.stop();
      await app.scheduler.stop();
      await app.http.close();
    },
  };
}

/** The floor: HTTP + JSON + one INSERT round trip on the same kind of database, nothing else. */
async function startFloorServer(db: Db) {
  await sql`CREATE TABLE IF NOT EXISTS bench_floor(id bigserial primary key, at timestamptz, payload jsonb)`.execute(
    db,
  );
  const http = Fastify({ logger: false });
  http.post('/floor', async (request, reply) => {
    const result = await sql<{ id: number }>`
      INSERT INTO bench_floor (at, payload) VALUES (${systemClock.now()}, ${JSON.stringify(request.body ?? null)})
      RETURNING id`.execute(db);
    return reply.code(201).send({ id: result.rows[0]?.id });
  });
  await http.listen({ port: 0, host: '127.0.0.1' });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    token: '',
    scopeIds: [] as string[],
    circuitIds: [] as string[],
    http: http.server,
    stop: () => http.close(),
  };
}

/**
 * Watches the Node HTTP server from outside the product: requests in progress at once, and each
 * request's time from Node handing it over (headers parsed) until its response is done. Withdrawals
 * (the unmeasured follow-ups) count as in progress but are left out of the times.
 */
function observe(server: Server) {
  let inFlight = 0;
  let maxInFlight = 0;
  let samples: number[] = [];
  server.on('request', (request, response) => {
    const start = performance.now();
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const measured = !(request.url ?? '').endsWith('/withdraw');
    response.once('close', () => {
      inFlight -= 1;
      if (measured) samples.push(performance.now() - start);
    });
  });
  return {
    reset() {
      maxInFlight = inFlight;
      samples = [];
    },
    stats() {
      const sorted = [...samples].sort((a, b) => a - b);
      const at = (q: number) =>
        sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
      const r = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
      return {
        maxInFlight,
        count: sorted.length,
        p50Ms: r(at(0.5)),
        p99Ms: r(at(0.99)),
        maxMs: r(sorted.at(-1) ?? null),
      };
    },
  };
}

async function main(): Promise<void> {
  const handle = await openDatabase();
  const server =
    mode === 'floor'
      ? await startFloorServer(handle.db)
      : mode === 'forecast'
        ? await startForecastServer(handle.db, handle.engine)
        : await startEnvelopeServer(handle.db, handle.engine);
  const observer = observe(server.http);

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'bench server stopping');
    const force = setTimeout(() => process.exit(0), 10_000);
    force.unref();
    try {
      await server.stop();
      await handle.close();
      if (profileOut) {
        const statements = [...profile.entries()]
          .map(([statement, s]) => ({ sql: statement, ...s, meanMs: s.totalMs / s.count }))
          .sort((a, b) => b.totalMs - a.totalMs);
        writeFileSync(
          profileOut,
          `${JSON.stringify({ engine: handle.engine, statements }, null, 2)}\n`,
        );
      }
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // The parent holds our stdin: when it goes away (even killed), so do we.
  process.stdin.on('end', () => void stop('parent gone'));
  process.stdin.on('error', () => void stop('parent gone'));
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'reset') observer.reset();
    if (line.trim() === 'stats')
      process.stdout.write(`${JSON.stringify({ stats: observer.stats() })}\n`);
  });
  setTimeout(() => void stop('maximum lifetime reached'), maxLifetimeMs).unref();

  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      mode,
      engine: handle.engine,
      port: server.port,
      token: server.token,
      scopeIds: server.scopeIds,
      circuitIds: server.circuitIds,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
