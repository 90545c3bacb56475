/**
 * The forecast benchmark (`npm run bench -- forecast`): a 24-hour, 96-block capacity forecast
 * received over HTTP until the scope's envelope and the circuit's allocations are committed
 * (POST /oscp/fp/2.0/update_group_capacity_forecast answered 204), at fixed open-loop rates, on
 * PGlite and on PostgreSQL, with the bare-INSERT floor driven the same way in the same run.
 *
 * Three processes per engine: the FP (server-process.ts, BENCH_MODE=forecast), the Capacity
 * Provider simulator (lib/forecast-sim.ts) that takes every connection through the real Register
 * and Handshake exchange, and this one, the load generator. Then the floor (server-process.ts,
 * BENCH_MODE=floor) on the same database. Writes results/forecast.json; run.ts puts the returned
 * markdown into results/summary.md. See README.md, section 5.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServer, type RunningServer, type ServerStats } from './lib/child';
import { startCpuMeasurement, type CpuUse } from './lib/cpu';
import { freshPglite, freshPostgres, type BenchDatabase } from './lib/databases';
import { startSimChild, type SimChild } from './lib/forecast-child';
import {
  forecastBody,
  runOpenLoop,
  type ForecastTarget,
  type OpenLoopResult,
} from './lib/forecast-load';
import { forecastGroupIdFor } from './lib/forecast-peers';
import { startPgBackendCpu } from './lib/forecast-pgcpu';
import { envNumber, round, writeResult, type MachineInfo } from './lib/report';

export const FORECAST_P99_TARGET_MS = 50;
/** The rate at which the issue sets the target. */
export const FORECAST_TARGET_RATE = 10;
const FORECAST_PATH = '/oscp/fp/2.0/update_group_capacity_forecast';

type Engine = 'pglite' | 'postgres';
const ENGINE_LABEL: Record<Engine, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

export interface ForecastConfig {
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  warmupRate: number;
  connections: number;
  auth: 'peer' | 'manager';
  blocksPerForecast: number;
  requestTimeoutMs: number;
  lateThresholdMs: number;
}

/** One open-loop run with what it cost the server (and, on PostgreSQL, the database). */
export type RateResult = OpenLoopResult & {
  cpu: CpuUse;
  /** The PostgreSQL backends of the benchmark database (null on PGlite: it runs in the server). */
  postgresCpu: { percent: number; msPerRequest: number } | null;
  server: ServerStats;
  /**
   * Connections the kernel dropped because a listening socket's accept queue was full, during the
   * run (machine-wide, from /proc/net/netstat; null elsewhere). Non-zero when the server's event
   * loop was too busy to accept new connections: their requests fail with ECONNRESET.
   */
  listenOverflows: number | null;
};

function listenOverflows(): number | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'));
    const header = lines[0]?.split(/\s+/);
    const values = lines[1]?.split(/\s+/);
    const at = header?.indexOf('ListenOverflows') ?? -1;
    return values && at > 0 ? Number(values[at]) : null;
  } catch {
    return null;
  }
}

export interface ForecastEngineRun {
  engine: Engine;
  measured: boolean;
  note?: string;
  database?: string;
  settings?: Record<string, string>;
  /** Starting the FP until it was ready: migration, seeding, every connection handshaken. */
  setupMs?: number;
  forecast: RateResult[];
  floor: RateResult[];
  /** Forecasts the server accepted in all (warm-up, runs and settling probes): the profile's divisor. */
  forecastsAccepted: number;
  /** BENCH_PROFILE=1: every SQL statement the FP ran during the runs, per accepted forecast. */
  sqlProfile?: SqlProfile;
}

export interface SqlProfile {
  forecasts: number;
  /**
   * Statements (database round trips) per forecast, BEGIN, COMMIT and savepoints included, the
   * background polling of the scheduler and the dispatcher (and their transactions) left out.
   */
  statementsPerForecast: number;
  /** Time in those statements per forecast: each round trip's wall time, as Kysely saw it. */
  statementMsPerForecast: number;
  /** The scheduler's and dispatcher's polls in the same time, per forecast (not in the above). */
  pollerStatementsPerForecast: number;
  /** Most time per forecast first; the polls (`background`) last. */
  statements: {
    sql: string;
    background: boolean;
    perForecast: number;
    meanMs: number;
    msPerForecast: number;
  }[];
}

export interface ForecastBenchmark {
  config: ForecastConfig;
  engines: ForecastEngineRun[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function readConfig(): ForecastConfig {
  const rates = (process.env.BENCH_FORECAST_RATES ?? '1,10,100')
    .split(',')
    .map((r) => Number(r.trim()))
    .filter((r) => Number.isFinite(r) && r > 0);
  if (rates.length === 0) throw new Error('BENCH_FORECAST_RATES must list rates, e.g. 1,10,100');
  const auth = (process.env.BENCH_FORECAST_AUTH ?? 'peer').toLowerCase();
  if (auth !== 'peer' && auth !== 'manager')
    throw new Error('BENCH_FORECAST_AUTH must be peer or manager');
  return {
    rates,
    seconds: envNumber('BENCH_SECONDS', 20),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3),
    warmupRate: 10,
    connections: Math.floor(envNumber('BENCH_FORECAST_CONNECTIONS', 50)),
    auth,
    blocksPerForecast: 96,
    requestTimeoutMs: envNumber('BENCH_FORECAST_TIMEOUT_SECONDS', 120) * 1000,
    lateThresholdMs: 5000,
  };
}

function describe(label: string, r: RateResult): void {
  const l = r.latency;
  log(
    `  ${label} @ ${String(r.offeredPerSecond).padStart(3)}/s: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms; ` +
      `achieved ${r.achievedPerSecond}/s (${r.accepted}/${r.sent}), errors ${r.errors}, ` +
      `in flight at most ${r.maxOutstanding}, drain ${r.drainMs} ms, >${r.late.thresholdMs / 1000} s: ${r.late.count}; ` +
      `server CPU ${r.cpu.serverPercent ?? '?'}% (${r.cpu.serverMsPerRequest ?? '?'} ms/req), ` +
      (r.postgresCpu
        ? `PostgreSQL CPU ${r.postgresCpu.percent}% (${r.postgresCpu.msPerRequest} ms/req), `
        : '') +
      `load generator ${r.cpu.loadGeneratorPercent}%, machine busy ${r.cpu.machineBusyPercent ?? '?'}%; ` +
      `server-side p50 ${r.server.p50Ms} ms, at most ${r.server.maxInFlight} in progress; ` +
      `send lag p99 ${r.sendLagMs.p99} ms` +
      (r.listenOverflows ? `; listen queue overflows ${r.listenOverflows}` : '') +
      (r.quarterHourBoundaries.length ? `; crossed ${r.quarterHourBoundaries.join(', ')}` : ''),
  );
  for (const e of r.errorSamples) log(`    error: ${e}`);
}

/**
 * After a run whose answers came late, the server may still be working through requests the
 * client gave up on: single forecasts, one at a time, until one is answered within 1 s (60 s at
 * most), so the next run starts on an idle server. Returns how many were accepted.
 */
async function settle(
  port: number,
  path: string,
  expect: number,
  targets: readonly ForecastTarget[],
  body: (t: ForecastTarget, client: number, seq: number, now: Date) => unknown,
): Promise<number> {
  const deadline = performance.now() + 60_000;
  let accepted = 0;
  for (let i = 0; performance.now() < deadline; i += 1) {
    const probe = await runOpenLoop({
      port,
      path,
      expect,
      ratePerSecond: 1,
      seconds: 1,
      targets: [targets[i % targets.length]!],
      body: (t, _c, s, now) => body(t, i % targets.length, s, now),
      requestTimeoutMs: 60_000,
      lateThresholdMs: 1000,
    });
    accepted += probe.accepted;
    if (probe.accepted === 1 && probe.latency.maxMs < 1000) break;
  }
  return accepted;
}

async function measureRates(
  server: RunningServer,
  config: ForecastConfig,
  label: string,
  path: string,
  expect: number,
  targets: readonly ForecastTarget[],
  body: (t: ForecastTarget, client: number, seq: number, now: Date) => unknown,
  postgresUrl: string | undefined,
): Promise<{ results: RateResult[]; accepted: number }> {
  const common = {
    port: server.info.port,
    path,
    expect,
    targets,
    body,
    requestTimeoutMs: config.requestTimeoutMs,
    lateThresholdMs: config.lateThresholdMs,
    maxSockets: envNumber('BENCH_FORECAST_SOCKETS', 4096),
  };
  const warmup = await runOpenLoop({
    ...common,
    ratePerSecond: config.warmupRate,
    // At least one forecast per connection: a connection's first forecast has no envelope to
    // replace (50 round trips instead of 65), so the measured ones all replace one.
    seconds: Math.max(config.warmupSeconds, targets.length / config.warmupRate),
  });
  let accepted = warmup.accepted;
  if (warmup.errors > 0)
    throw new Error(`${label} warm-up failed: ${warmup.errorSamples.join(' | ')}`);
  const results: RateResult[] = [];
  for (const rate of config.rates) {
    accepted += await settle(server.info.port, path, expect, targets, body);
    server.resetStats();
    const postgresCpu = postgresUrl ? await startPgBackendCpu(postgresUrl) : undefined;
    const started = performance.now();
    const overflowsBefore = listenOverflows();
    const cpu = startCpuMeasurement(server.pid);
    const result = await runOpenLoop({ ...common, ratePerSecond: rate, seconds: config.seconds });
    // CPU per accepted forecast (whatever failed requests cost stays in the total).
    const serverCpu = cpu(Math.max(1, result.accepted));
    const overflowsAfter = listenOverflows();
    const wallMs = performance.now() - started;
    const postgresMs = postgresCpu ? await postgresCpu() : null;
    const measured: RateResult = {
      ...result,
      cpu: serverCpu,
      postgresCpu:
        postgresMs === null
          ? null
          : {
              percent: round((100 * postgresMs) / wallMs, 1),
              msPerRequest: round(postgresMs / Math.max(1, result.accepted), 3),
            },
      server: await server.stats(),
      listenOverflows:
        overflowsBefore === null || overflowsAfter === null
          ? null
          : overflowsAfter - overflowsBefore,
    };
    accepted += result.accepted;
    describe(label, measured);
    results.push(measured);
  }
  return { results, accepted };
}

/** The scheduler's and the dispatcher's polls: each runs in a transaction of its own. */
const POLLS = [
  /from "scheduled_work" where "due_at" <=/,
  /from "outbound_messages" where \(\("status"/,
];

function readProfile(file: string, forecasts: number): SqlProfile | undefined {
  let parsed: { statements: { sql: string; count: number; totalMs: number }[] };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
  const n = Math.max(1, forecasts);
  const isPoll = (sql: string) => POLLS.some((re) => re.test(sql));
  const polls = parsed.statements.filter((x) => isPoll(x.sql)).reduce((s, x) => s + x.count, 0);
  const pollMs = parsed.statements.filter((x) => isPoll(x.sql)).reduce((s, x) => s + x.totalMs, 0);
  const isTransactionEdge = (sql: string) => /^(begin|commit)$/i.test(sql.trim());
  const edgeMean = (word: string) => {
    const x = parsed.statements.find((s) => s.sql.trim().toLowerCase() === word);
    return x ? x.totalMs / x.count : 0;
  };
  const count = parsed.statements.reduce((s, x) => s + x.count, 0) - 3 * polls;
  const totalMs =
    parsed.statements.reduce((s, x) => s + x.totalMs, 0) -
    pollMs -
    polls * (edgeMean('begin') + edgeMean('commit'));
  return {
    forecasts,
    statementsPerForecast: round(count / n, 2),
    statementMsPerForecast: round(totalMs / n, 3),
    pollerStatementsPerForecast: round((3 * polls) / n, 2),
    statements: parsed.statements
      .map((x) => {
        // BEGIN/COMMIT of the polls' transactions are not the forecasts'.
        const own = isTransactionEdge(x.sql) ? x.count - polls : x.count;
        return {
          sql: x.sql.length > 300 ? `${x.sql.slice(0, 300)}…` : x.sql,
          background: isPoll(x.sql),
          perForecast: round(own / n, 3),
          meanMs: round(x.totalMs / x.count, 3),
          msPerForecast: round((own * (x.totalMs / x.count)) / n, 3),
        };
      })
      .sort(
        (a, b) => Number(a.background) - Number(b.background) || b.msPerForecast - a.msPerForecast,
      ),
  };
}

async function runEngine(
  engine: Engine,
  config: ForecastConfig,
  postgresUrl: string | undefined,
): Promise<ForecastEngineRun> {
  const run: ForecastEngineRun = {
    engine,
    measured: false,
    forecast: [],
    floor: [],
    forecastsAccepted: 0,
  };
  const profiling = process.env.BENCH_PROFILE === '1';
  const profileOut = join(os.tmpdir(), `openvelope-bench-forecast-${process.pid}-${engine}.json`);
  const seed = randomBytes(6).toString('hex');
  let database: BenchDatabase | undefined;
  let sim: SimChild<{ oscpBaseUrl: string }> | undefined;
  let server: RunningServer | undefined;
  try {
    database = engine === 'pglite' ? freshPglite() : await freshPostgres(postgresUrl!);
    run.database = database.description;
    if (database.settings) run.settings = database.settings;
    log(`\nForecasts on ${ENGINE_LABEL[engine]} (${database.description})`);

    sim = await startSimChild<{ oscpBaseUrl: string }>('lib/forecast-sim.ts', {
      BENCH_FORECAST_PEERS: String(config.connections),
      BENCH_FORECAST_SEED: seed,
    });
    log(
      `  starting the FP, seeding ${config.connections} circuits and handshaking ${config.connections} connections with the simulator…`,
    );
    const setupStarted = performance.now();
    server = await startServer(
      {
        ...database.env,
        BENCH_MODE: 'forecast',
        BENCH_CIRCUITS: String(config.connections),
        BENCH_FORECAST_PEER_URL: sim.ready.oscpBaseUrl,
        BENCH_FORECAST_SEED: seed,
        ...(profiling ? { BENCH_PROFILE: '1', BENCH_PROFILE_OUT: profileOut } : {}),
      },
      // Seeding and handshaking grow with the connections (1,000 on PGlite: minutes).
      envNumber('BENCH_FORECAST_READY_TIMEOUT_SECONDS', 180) * 1000,
    );
    run.setupMs = Math.round(performance.now() - setupStarted);
    const peers = await sim.request<{ handshaken: number; peers: number }>('state');
    const { tokens } = await sim.request<{ tokens: Record<string, string> }>('tokens');
    const targets: ForecastTarget[] = Array.from({ length: config.connections }, (_, i) => {
      const groupId = forecastGroupIdFor(i);
      const token = tokens[groupId];
      if (config.auth === 'peer' && !token)
        throw new Error(`the simulator holds no token for ${groupId}`);
      return {
        groupId,
        authorization: config.auth === 'peer' ? `Token ${token}` : `Bearer ${server!.info.token}`,
      };
    });
    log(
      `  ready after ${round(run.setupMs / 1000, 1)} s: ${peers.handshaken}/${peers.peers} simulator peers handshaken; ` +
        `forecasts sent with ${config.auth === 'peer' ? "each peer's own token (Token …)" : 'a MANAGER API token and group_id'}`,
    );

    // Each connection's forecasts are numbered through the whole run (warm-up and probes too), so
    // every forecast differs from the connection's previous one and replaces its envelope.
    const sequence = new Map<string, number>();
    const body = (t: ForecastTarget, client: number, _seq: number, now: Date) => {
      const seq = (sequence.get(t.groupId) ?? 0) + 1;
      sequence.set(t.groupId, seq);
      return forecastBody(t.groupId, client, seq, now);
    };
    const postgresDbUrl = database.env.BENCH_DB_URL;
    const forecast = await measureRates(
      server,
      config,
      'forecast',
      FORECAST_PATH,
      204,
      targets,
      body,
      postgresDbUrl,
    );
    run.forecast = forecast.results;
    run.forecastsAccepted = forecast.accepted;
    await server.stop();
    server = undefined;
    if (profiling) run.sqlProfile = readProfile(profileOut, run.forecastsAccepted);
    await sim.stop();
    sim = undefined;

    server = await startServer({ ...database.env, BENCH_MODE: 'floor' });
    const floorTargets = targets.map((t) => ({ groupId: t.groupId, authorization: undefined }));
    run.floor = (
      await measureRates(
        server,
        config,
        'floor   ',
        '/floor',
        201,
        floorTargets,
        body,
        postgresDbUrl,
      )
    ).results;
    await server.stop();
    server = undefined;
    run.measured = true;
  } catch (error) {
    run.note = `failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`  ${run.note}`);
  } finally {
    await server?.stop();
    await sim?.stop();
    rmSync(profileOut, { force: true });
    await database
      ?.drop()
      .catch((error: unknown) => log(`  could not drop the database: ${String(error)}`));
  }
  return run;
}

export async function runForecastBenchmark(
  postgresUrl: string | undefined,
): Promise<ForecastBenchmark> {
  const config = readConfig();
  log(
    `\nForecast benchmark: ${config.blocksPerForecast}-block forecasts at ${config.rates.join(', ')}/s, ` +
      `${config.seconds} s each (after ${config.warmupSeconds} s at ${config.warmupRate}/s), ${config.connections} connections`,
  );
  const engines: ForecastEngineRun[] = [await runEngine('pglite', config, postgresUrl)];
  if (postgresUrl) {
    engines.push(await runEngine('postgres', config, postgresUrl));
  } else {
    const note = 'BENCH_DATABASE_URL is not set';
    log(`\nForecasts on PostgreSQL: NOT MEASURED (${note}).`);
    engines.push({
      engine: 'postgres',
      measured: false,
      note,
      forecast: [],
      floor: [],
      forecastsAccepted: 0,
    });
  }
  return { config, engines };
}

/** What run.ts writes to results/forecast.json (after the machine). */
export function forecastJson(result: ForecastBenchmark): Record<string, unknown> {
  return {
    description:
      `POST ${FORECAST_PATH} with a 24-hour CONSUMPTION forecast of 96 15-minute blocks (kW, phase ALL, ` +
      'capacities varying) from the current quarter hour, answered 204 once the forecast is stored and the ' +
      "scope's envelope and the circuit's allocations are committed; open-loop at fixed rates spread " +
      'round-robin over the connections, each request with a fresh X-Request-ID. The floor: the same bodies ' +
      'at the same rates to POST /floor (one INSERT) on the same database engine.',
    targetP99Ms: FORECAST_P99_TARGET_MS,
    targetRatePerSecond: FORECAST_TARGET_RATE,
    config: result.config,
    engines: result.engines.map((r) => ({
      ...r,
      forecast: r.forecast.map((f) => {
        const floor = r.floor.find((x) => x.offeredPerSecond === f.offeredPerSecond);
        return {
          ...f,
          ...(f.offeredPerSecond === FORECAST_TARGET_RATE
            ? { meetsTarget: f.errors === 0 && f.latency.p99Ms < FORECAST_P99_TARGET_MS }
            : {}),
          floor: floor
            ? {
                achievedPerSecond: floor.achievedPerSecond,
                p50Ms: floor.latency.p50Ms,
                p99Ms: floor.latency.p99Ms,
                throughputRatio:
                  floor.achievedPerSecond > 0
                    ? round(f.achievedPerSecond / floor.achievedPerSecond, 3)
                    : null,
                p50Ratio:
                  floor.latency.p50Ms > 0 ? round(f.latency.p50Ms / floor.latency.p50Ms, 1) : null,
              }
            : null,
        };
      }),
    })),
  };
}

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
/** Every request answered, none late, at (nearly) the offered rate. */
const keptUp = (r: RateResult) =>
  r.errors === 0 && r.late.count === 0 && r.achievedPerSecond >= 0.95 * r.offeredPerSecond;
const cpuCell = (r: RateResult) =>
  r.cpu.serverMsPerRequest === null
    ? '–'
    : r.postgresCpu
      ? `${fmt(r.cpu.serverMsPerRequest, 1)} + ${fmt(r.postgresCpu.msPerRequest, 1)}`
      : fmt(r.cpu.serverMsPerRequest, 1);

/** The summary section: one row per engine and rate for the forecast path, then the floor's. */
export function forecastMarkdown(result: ForecastBenchmark): string {
  const rows = [
    '| Benchmark | DB | Offered /s | p50 (ms) | p99 (ms) | max (ms) | Achieved /s | Errors | Max in flight | CPU ms/req (FP + PG) | × floor (throughput) | p50 × floor | Target |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const run of result.engines) {
    const db = ENGINE_LABEL[run.engine];
    if (!run.measured) {
      rows.push(
        `| Forecast (96 blocks) → allocations committed | ${db} | ${result.config.rates.join(', ')} | | | | | | | | | | not measured: ${run.note ?? ''} |`,
      );
      continue;
    }
    for (const f of run.forecast) {
      const floor = run.floor.find((x) => x.offeredPerSecond === f.offeredPerSecond);
      const ratio =
        floor && floor.achievedPerSecond > 0
          ? `${fmt(f.achievedPerSecond / floor.achievedPerSecond)}×`
          : '–';
      // Latencies compare only while both keep up; behind, the forecast's is its queue.
      const p50Ratio =
        floor && floor.latency.p50Ms > 0 && keptUp(f)
          ? `${fmt(f.latency.p50Ms / floor.latency.p50Ms, 1)}×`
          : '–';
      const target =
        f.offeredPerSecond === FORECAST_TARGET_RATE
          ? `p99 < ${FORECAST_P99_TARGET_MS} ms ${f.errors === 0 && f.latency.p99Ms < FORECAST_P99_TARGET_MS ? '✅' : '❌'}`
          : '–';
      rows.push(
        `| Forecast (96 blocks) → allocations committed | ${db} | ${f.offeredPerSecond} | ${fmt(f.latency.p50Ms)} | ${fmt(f.latency.p99Ms)} | ${fmt(f.latency.maxMs)} | ${fmt(f.achievedPerSecond, 1)} | ${f.errors} | ${f.maxOutstanding} | ${cpuCell(f)} | ${ratio} | ${p50Ratio} | ${target} |`,
      );
    }
    for (const f of run.floor) {
      rows.push(
        `| Floor: one INSERT, same body | ${db} | ${f.offeredPerSecond} | ${fmt(f.latency.p50Ms)} | ${fmt(f.latency.p99Ms)} | ${fmt(f.latency.maxMs)} | ${fmt(f.achievedPerSecond, 1)} | ${f.errors} | ${f.maxOutstanding} | ${cpuCell(f)} | 1× | 1× | – |`,
      );
    }
  }
  const c = result.config;
  const notes = [
    `Open loop: ${c.seconds} s per row after ${fmt(Math.max(c.warmupSeconds, c.connections / c.warmupRate), 0)} s at ${c.warmupRate}/s; ${c.connections} connections (one circuit of 14 chargers and 7 sessions each), requests round-robin; ` +
      `${c.auth === 'peer' ? "each sent with its peer's own token" : 'sent with a MANAGER API token and group_id'}. ` +
      'Achieved: accepted forecasts per second over the window, or until the last answer when the server fell behind. ' +
      '× floor: achieved forecasts/s ÷ achieved bare INSERTs/s at the same offered rate (1× whenever both keep up).',
  ];
  for (const run of result.engines) {
    const late = run.forecast.filter((f) => f.late.count > 0);
    for (const f of late)
      notes.push(
        `${ENGINE_LABEL[run.engine]} at ${f.offeredPerSecond}/s: the server fell behind; ${f.outstandingAtEndOfSending} forecasts were still queued when sending stopped, ` +
          `the last answer came ${fmt(f.drainMs / 1000, 1)} s later, and ${f.late.count} of ${f.accepted} answers took over ${f.late.thresholdMs / 1000} s (a peer's request timeout)` +
          (f.errors > 0
            ? `; ${f.errors} requests failed (${f.listenOverflows ? `${f.listenOverflows} connections dropped from full accept queues on the machine meanwhile; ` : ''}${f.errorSamples[0] ?? ''}).`
            : '.'),
      );
    if (run.sqlProfile)
      notes.push(
        `${ENGINE_LABEL[run.engine]} (BENCH_PROFILE=1): ${fmt(run.sqlProfile.statementsPerForecast, 1)} SQL round trips per forecast, ${fmt(run.sqlProfile.statementMsPerForecast, 1)} ms in them.`,
      );
  }
  return [table(rows), '', ...notes.map((n) => `${n}  `)].join('\n');
}

function table(rows: string[]): string {
  return rows.join('\n');
}

/** Whether the run should make `npm run bench` exit non-zero: a failure or an error answer. */
export function forecastFailed(result: ForecastBenchmark): boolean {
  return result.engines.some(
    (r) => r.note?.startsWith('failed') || [...r.forecast, ...r.floor].some((x) => x.errors > 0),
  );
}

/** For run.ts: runs the benchmark, writes results/forecast.json, returns the summary section. */
export async function runForecastSection(
  machine: MachineInfo,
  postgresUrl: string | undefined,
): Promise<{ markdown: string; failed: boolean }> {
  const result = await runForecastBenchmark(postgresUrl);
  writeResult('forecast', machine, forecastJson(result));
  const markdown = [
    '### Forecast path',
    '',
    `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · load average at start ${machine.loadAverage1m}` +
      (machine.gitCommit
        ? ` · ${machine.gitCommit.slice(0, 10)}${machine.gitDirty ? ' (uncommitted changes)' : ''}`
        : ''),
    '',
    forecastMarkdown(result),
    '',
  ].join('\n');
  return { markdown, failed: forecastFailed(result) };
}
