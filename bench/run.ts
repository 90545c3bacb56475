/**
 * `npm run bench`: the load balancer on 1,000 sessions in-process, then the envelope HTTP path and
 * its floor (one bare INSERT) on PGlite and PostgreSQL, each server in a child process.
 * `npm run bench -- heartbeat` (or BENCH_ONLY=heartbeat): the heartbeat scale benchmark instead
 * (heartbeat.ts); `npm run bench -- all` runs both.
 * `npm run bench -- forecast`: the forecast path benchmark (forecast.ts), also part of `all`.
 * Writes bench/results/<name>.json and bench/results/summary.md. See bench/README.md.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerStats } from './lib/child';
import { startCpuMeasurement, type CpuUse } from './lib/cpu';
import { freshPglite, freshPostgres, type BenchDatabase } from './lib/databases';
import {
  LOAD_BALANCER_TARGET_MS,
  runLoadBalancerBenchmark,
  type LoadBalancerResult,
} from './lib/load-balancer';
import {
  envelopeScenario,
  floorScenario,
  runLoad,
  type LoadResult,
  type Scenario,
} from './lib/load';
import {
  envNumber,
  machineInfo,
  round,
  RESULTS_DIR,
  writeResult,
  writeSummary,
  type MachineInfo,
} from './lib/report';
import { heartbeatMarkdown, runHeartbeatBenchmark } from './heartbeat';
import { mergeSummary, type SummarySection } from './lib/summary-sections';
import { runForecastSection } from './forecast';
import { forecastSelection, withForecastSection } from './lib/forecast-summary';
import {
  SCALE_BENCHMARKS,
  scaleSelection,
  withSection,
  type ScaleBenchmark,
} from './lib/scale-selection';
import { runEnvelopeCostSection } from './envelope-cost';

type SectionRunner = (
  machine: MachineInfo,
  postgresUrl: string | undefined,
) => Promise<{ markdown: string; failed: boolean }>;

/** Each network-scale benchmark, run on request (or with `all`); see bench/README.md. */
const SCALE_RUNNERS: Record<ScaleBenchmark, SectionRunner> = {
  cost: runEnvelopeCostSection,
  reads: async (machine, url) => (await import('./reads')).runReadsSection(machine, url),
  burst: async (machine, url) => (await import('./burst')).runBurstSection(machine, url),
  network: async (machine, url) => (await import('./burst')).runNetworkSection(machine, url),
};

const ENVELOPE_P99_TARGET_MS = 50;

const seconds = envNumber('BENCH_SECONDS', 10);
const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1);
const lbRuns = Math.max(200, Math.floor(envNumber('BENCH_LB_RUNS', 500)));
const lbWarmupRuns = Math.floor(envNumber('BENCH_LB_WARMUP_RUNS', 100));
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,50')
  .split(',')
  .map((c) => Number(c.trim()))
  .filter((c) => Number.isInteger(c) && c > 0);
if (concurrencies.length === 0)
  throw new Error('BENCH_CONCURRENCY must list client counts, e.g. 1,50');
/** One circuit (and scope) per client, at least the 50 of the issue. */
const circuits = Math.max(50, ...concurrencies);
const postgresUrl = process.env.BENCH_DATABASE_URL || undefined;
const profile = process.env.BENCH_PROFILE === '1';

type Engine = 'pglite' | 'postgres';
const ENGINE_LABEL: Record<Engine, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

/** One load run with the CPU it cost. */
type Measured = LoadResult & { cpu: CpuUse; server: ServerStats };

interface EngineRun {
  engine: Engine;
  measured: boolean;
  /** Why not measured, or what failed. */
  note?: string;
  database?: string;
  settings?: Record<string, string>;
  envelope: Measured[];
  floor: Measured[];
  profile?: unknown;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describeLoad(label: string, r: Measured): void {
  const l = r.latency;
  log(
    `  ${label} × ${String(r.concurrency).padStart(2)}: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms, ` +
      `${r.throughputPerSecond}/s (${r.requestsPerSecond} req/s), errors ${r.errors}+${r.followUpErrors}, ` +
      `longest stall ${r.longestStallMs} ms; ` +
      `server CPU ${r.cpu.serverPercent ?? '?'}% (${r.cpu.serverMsPerRequest ?? '?'} ms/req), ` +
      `load generator ${r.cpu.loadGeneratorPercent}%, machine busy ${r.cpu.machineBusyPercent ?? '?'}%; ` +
      `server-side p50 ${r.server.p50Ms} ms, p99 ${r.server.p99Ms} ms, at most ${r.server.maxInFlight} in progress`,
  );
  for (const e of r.errorSamples) log(`    error: ${e}`);
}

async function measure(
  server: RunningServer,
  scenario: () => Scenario,
  label: string,
): Promise<Measured[]> {
  const results: Measured[] = [];
  for (const concurrency of concurrencies) {
    const base = { port: server.info.port, token: server.info.token, concurrency };
    await runLoad({ ...base, seconds: warmupSeconds, scenario: scenario() });
    server.resetStats();
    const cpu = startCpuMeasurement(server.pid);
    const result = await runLoad({ ...base, seconds, scenario: scenario() });
    const measured = { ...result, cpu: cpu(result.requests), server: await server.stats() };
    describeLoad(label, measured);
    results.push(measured);
  }
  return results;
}

async function runEngine(engine: Engine): Promise<EngineRun> {
  const run: EngineRun = { engine, measured: false, envelope: [], floor: [] };
  let database: BenchDatabase | undefined;
  let server: RunningServer | undefined;
  const profileOut = join(os.tmpdir(), `openvelope-bench-profile-${process.pid}-${engine}.json`);
  try {
    database = engine === 'pglite' ? freshPglite() : await freshPostgres(postgresUrl!);
    run.database = database.description;
    if (database.settings) run.settings = database.settings;
    log(`\n${ENGINE_LABEL[engine]} (${database.description})`);

    log(`  starting the app and seeding ${circuits} circuits…`);
    server = await startServer({
      ...database.env,
      BENCH_MODE: 'envelope',
      BENCH_CIRCUITS: String(circuits),
      ...(profile ? { BENCH_PROFILE: '1', BENCH_PROFILE_OUT: profileOut } : {}),
    });
    run.envelope = await measure(server, () => envelopeScenario(server!.info.scopeIds), 'envelope');
    await server.stop();
    server = undefined;
    if (profile) {
      run.profile = JSON.parse(readFileSync(profileOut, 'utf8')) as unknown;
      rmSync(profileOut, { force: true });
    }

    server = await startServer({ ...database.env, BENCH_MODE: 'floor' });
    run.floor = await measure(server, floorScenario, 'floor   ');
    await server.stop();
    server = undefined;
    run.measured = true;
  } catch (error) {
    run.note = `failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`  ${run.note}`);
  } finally {
    await server?.stop();
    await database
      ?.drop()
      .catch((error: unknown) => log(`  could not drop the database: ${String(error)}`));
  }
  return run;
}

// Markdown

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? '✅' : '❌');

function table(
  lb: LoadBalancerResult | undefined,
  lbError: string | undefined,
  runs: EngineRun[],
): string {
  const rows: string[] = [
    '| Benchmark | DB | Clients | p50 (ms) | p99 (ms) | min / max (ms) | Throughput | Errors | × floor | Target |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  if (lb) {
    const l = lb.latency;
    rows.push(
      `| Load balancer, 1,000 sessions (median) | – | – | ${fmt(l.p50Ms, 3)} | ${fmt(l.p99Ms, 3)} | ${fmt(l.minMs, 3)} / ${fmt(l.maxMs, 3)} | ${int(1000 / l.meanMs)} runs/s | 0 | – | median < ${LOAD_BALANCER_TARGET_MS} ms ${verdict(lb.meetsTarget)} |`,
    );
  } else {
    rows.push(`| Load balancer, 1,000 sessions | – | – | | | | | | | ${lbError ?? 'failed'} |`);
  }
  for (const run of runs) {
    const db = ENGINE_LABEL[run.engine];
    if (!run.measured) {
      rows.push(
        `| Envelope → allocations committed | ${db} | ${concurrencies.join(', ')} | | | | | | | not measured: ${run.note ?? ''} |`,
      );
      rows.push(
        `| Floor: one INSERT | ${db} | ${concurrencies.join(', ')} | | | | | | | not measured |`,
      );
      continue;
    }
    for (const e of run.envelope) {
      const floor = run.floor.find((f) => f.concurrency === e.concurrency);
      const ratio =
        floor && floor.throughputPerSecond > 0
          ? `${fmt(e.throughputPerSecond / floor.throughputPerSecond)}×`
          : '–';
      const ok = e.latency.p99Ms < ENVELOPE_P99_TARGET_MS && e.errors + e.followUpErrors === 0;
      // With many clients and no think time, a closed loop's p99 is set by Little's law (clients ÷
      // throughput), not by the code: that target is withdrawn; `npm run bench -- cost` measures
      // the cost per change and an open loop instead.
      const target =
        e.concurrency === 1
          ? `p99 < ${ENVELOPE_P99_TARGET_MS} ms ${verdict(ok)}`
          : 'none (closed loop; see the envelope path cost)';
      rows.push(
        `| Envelope → allocations committed | ${db} | ${e.concurrency} | ${fmt(e.latency.p50Ms)} | ${fmt(e.latency.p99Ms)} | ${fmt(e.latency.minMs)} / ${fmt(e.latency.maxMs)} | ${int(e.throughputPerSecond)} env/s | ${e.errors + e.followUpErrors} | ${ratio} | ${target} |`,
      );
    }
    for (const f of run.floor) {
      rows.push(
        `| Floor: one INSERT | ${db} | ${f.concurrency} | ${fmt(f.latency.p50Ms)} | ${fmt(f.latency.p99Ms)} | ${fmt(f.latency.minMs)} / ${fmt(f.latency.maxMs)} | ${int(f.throughputPerSecond)} ins/s | ${f.errors + f.followUpErrors} | 1× | – |`,
      );
    }
  }
  return rows.join('\n');
}

/** The load balancer, the envelope path and the floor: the default selection. */
async function runHttpBenchmarks(
  machine: MachineInfo,
): Promise<{ markdown: string; failed: boolean }> {
  log(
    `HTTP runs: ${seconds} s each (after ${warmupSeconds} s warm-up), clients ${concurrencies.join(' and ')}`,
  );

  // 1. Load balancer, in this process, before any server competes for the CPU.
  let lb: LoadBalancerResult | undefined;
  let lbError: string | undefined;
  log(`\nLoad balancer: ${lbRuns} runs on 1,000 sessions after ${lbWarmupRuns} warm-up runs`);
  try {
    lb = runLoadBalancerBenchmark({ runs: lbRuns, warmupRuns: lbWarmupRuns });
    log(
      `  median ${lb.latency.p50Ms} ms, p99 ${lb.latency.p99Ms} ms, min ${lb.latency.minMs} ms; ` +
        `bindings ${JSON.stringify(lb.outcome.bindings)}`,
    );
    writeResult('load-balancer', machine, { ...lb });
  } catch (error) {
    lbError = error instanceof Error ? error.message : String(error);
    log(`  failed: ${lbError}`);
  }

  // 2 and 3. Envelope path and floor, per database engine.
  const runs: EngineRun[] = [await runEngine('pglite')];
  if (postgresUrl) {
    runs.push(await runEngine('postgres'));
  } else {
    const note = 'BENCH_DATABASE_URL is not set';
    runs.push({ engine: 'postgres', measured: false, note, envelope: [], floor: [] });
    log(
      `\nPostgreSQL: NOT MEASURED (${note}). To measure it, point BENCH_DATABASE_URL at a server whose user ` +
        'may create databases, e.g. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench',
    );
  }

  const config = {
    seconds,
    warmupSeconds,
    concurrencies,
    circuits,
    chargersPerCircuit: 14,
    sessionsPerCircuit: 7,
  };
  writeResult('envelope-http', machine, {
    description:
      'POST /api/scopes/:id/envelopes (one block now..now+1h, limit varying per request) answered 201 after the ' +
      'allocations are committed; each client targets its own circuit and withdraws its previous envelope unmeasured.',
    targetP99Ms: ENVELOPE_P99_TARGET_MS,
    config,
    engines: runs.map((r) => ({
      engine: r.engine,
      measured: r.measured,
      note: r.note,
      database: r.database,
      settings: r.settings,
      results: r.envelope.map((e) => ({
        ...e,
        meetsTarget: e.latency.p99Ms < ENVELOPE_P99_TARGET_MS,
      })),
      ...(r.profile ? { sqlProfile: r.profile } : {}),
    })),
  });
  writeResult('floor-http', machine, {
    description:
      'POST /floor on a bare Fastify server: one INSERT into bench_floor on the same kind of database.',
    config,
    engines: runs.map((r) => ({
      engine: r.engine,
      measured: r.measured,
      note: r.note,
      database: r.database,
      results: r.floor.map((f) => {
        const envelope = r.envelope.find((e) => e.concurrency === f.concurrency);
        return {
          ...f,
          envelopeToFloorThroughputRatio:
            envelope && f.throughputPerSecond > 0
              ? round(envelope.throughputPerSecond / f.throughputPerSecond, 3)
              : null,
        };
      }),
    })),
  });

  const markdown = [
    `### Load balancer and envelope path`,
    '',
    `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · load average at start ${machine.loadAverage1m}` +
      (machine.gitCommit
        ? ` · ${machine.gitCommit.slice(0, 10)}${machine.gitDirty ? ' (uncommitted changes)' : ''}`
        : ''),
    `HTTP: ${seconds} s per row after ${warmupSeconds} s warm-up; one circuit (14 chargers, 7 sessions) per client.`,
    '',
    table(lb, lbError, runs),
    '',
    '× floor: accepted envelopes/s ÷ bare INSERTs/s at the same concurrency (each envelope cycle also includes one unmeasured withdrawal).',
    ...runs
      .filter((r) => !r.measured)
      .map((r) => `${ENGINE_LABEL[r.engine]} not measured: ${r.note}.`),
    '',
  ].join('\n');
  const failed =
    !lb ||
    runs.some((r) => r.note?.startsWith('failed')) ||
    runs.some((r) => [...r.envelope, ...r.floor].some((x) => x.errors + x.followUpErrors > 0));
  return { markdown, failed };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  // `npm run bench -- ocpp` (ocpp.ts) runs alone and writes results/ocpp.json and ocpp.md.
  if ([...process.argv.slice(2), process.env.BENCH_ONLY].some((w) => w?.trim() === 'ocpp')) {
    const { runOcppBenchmark } = await import('./ocpp');
    process.exitCode = (await runOcppBenchmark(machine, postgresUrl)).failed ? 1 : 0;
    return;
  }
  // The network-scale benchmarks (cost, reads, burst, network) are selected apart, then
  // `forecast` (forecast.ts), then the sections summary-sections.ts knows.
  const scale = scaleSelection(process.argv.slice(2), process.env.BENCH_ONLY);
  const { forecast: forecastSelected, selected } = scale.alone
    ? { forecast: false, selected: new Set<SummarySection>() }
    : forecastSelection(scale.args, scale.only);
  log(`Openvelope benchmarks — ${machine.date}`);
  log(
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverage1m}`,
  );
  log(
    `Selected: ${[...selected, ...(forecastSelected ? ['forecast'] : []), ...scale.chosen].join(', ')}`,
  );

  const sections: Partial<Record<SummarySection, string>> = {};
  let failed = false;
  if (selected.has('http')) {
    const http = await runHttpBenchmarks(machine);
    sections.http = http.markdown;
    failed ||= http.failed;
  }
  if (selected.has('heartbeat')) {
    const { heartbeatRows: _rows, ...heartbeat } = await runHeartbeatBenchmark(postgresUrl);
    writeResult('heartbeat', machine, {
      description:
        'N OSCP_TOKEN connections with the Capacity Provider simulator as peer, heartbeats both ways at the ' +
        'interval; FP, simulator and orchestrator in separate processes; PostgreSQL.',
      targetSendLatenessP99Ms: 1000,
      targetFalseOfflineTransitions: 0,
      ...heartbeat,
    });
    sections.heartbeat = [
      `### Heartbeat scale`,
      '',
      `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · load average at start ${machine.loadAverage1m}` +
        (machine.gitCommit
          ? ` · ${machine.gitCommit.slice(0, 10)}${machine.gitDirty ? ' (uncommitted changes)' : ''}`
          : ''),
      '',
      heartbeatMarkdown(heartbeat),
      '',
    ].join('\n');
    failed ||= heartbeat.note?.startsWith('failed') ?? false;
  } else if (!scale.alone) {
    log(
      '\nHeartbeat scale: not run (about 10 minutes with the defaults). Run it with ' +
        '`BENCH_DATABASE_URL=… npm run bench -- heartbeat`.',
    );
  }

  const forecast = forecastSelected ? await runForecastSection(machine, postgresUrl) : undefined;
  failed ||= forecast?.failed ?? false;

  const scaleSections: Partial<Record<ScaleBenchmark, string>> = {};
  for (const name of SCALE_BENCHMARKS) {
    if (!scale.chosen.has(name)) continue;
    const outcome = await SCALE_RUNNERS[name](machine, postgresUrl);
    scaleSections[name] = outcome.markdown;
    failed ||= outcome.failed;
  }

  const summaryPath = join(RESULTS_DIR, 'summary.md');
  const previousSummary = existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : undefined;
  const markdown = SCALE_BENCHMARKS.reduce(
    (merged, name) => withSection(previousSummary, merged, name, scaleSections[name]),
    withForecastSection(
      previousSummary,
      mergeSummary(previousSummary, sections),
      forecast?.markdown,
    ),
  );
  const summaryFile = writeSummary(markdown);
  for (const section of Object.values(sections)) log(`\n${section}`);
  if (forecast) log(`\n${forecast.markdown}`);
  for (const section of Object.values(scaleSections)) log(`\n${section}`);
  log(`Results in ${join('bench', 'results')} (${summaryFile})`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
