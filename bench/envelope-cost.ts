/**
 * The envelope path's cost (`npm run bench -- cost`): envelope changes per second at saturation
 * and the CPU each costs (server process and database backends), beside the bare one-INSERT floor
 * measured the same way in the same run; then an open-loop row at a fixed rate of changes.
 * See bench/README.md, "Envelope path cost".
 */
import { startServer, type RunningServer } from './lib/child';
import { startCpuMeasurement } from './lib/cpu';
import { freshPglite, freshPostgres, type BenchDatabase } from './lib/databases';
import { runEnvelopeOpenLoop, type EnvelopeOpenLoopResult } from './lib/envelope-open-loop';
import { startPgBackendCpu } from './lib/forecast-pgcpu';
import { envelopeScenario, floorScenario, runLoad, type Scenario } from './lib/load';
import { envNumber, round, writeResult, type MachineInfo } from './lib/report';

/** Target of the issue: the envelope change costs at most 4 × the floor's CPU per operation. */
export const COST_RATIO_TARGET = 4;
export const OPEN_LOOP_P99_TARGET_MS = 50;

type Engine = 'pglite' | 'postgres';

interface CostConfig {
  seconds: number;
  warmupSeconds: number;
  clients: number;
  openLoopRate: number;
  openLoopSeconds: number;
}

function costConfig(): CostConfig {
  return {
    seconds: envNumber('BENCH_COST_SECONDS', 15),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 2),
    clients: Math.max(1, Math.floor(envNumber('BENCH_COST_CLIENTS', 8))),
    openLoopRate: envNumber('BENCH_COST_OPEN_RATE', 100),
    openLoopSeconds: envNumber('BENCH_COST_OPEN_SECONDS', 20),
  };
}

/** What one saturated run cost, per operation (an envelope change, or one INSERT). */
export interface Saturation {
  operations: number;
  operationsPerSecond: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  serverCpuMsPerOp: number | null;
  /** PostgreSQL backends of the benchmark database; on PGlite the database is inside the server. */
  databaseCpuMsPerOp: number | null;
  totalCpuMsPerOp: number | null;
  machineBusyPercent: number | null;
  errorSamples: string[];
}

interface EngineCost {
  engine: Engine;
  measured: boolean;
  note?: string;
  database?: string;
  settings?: Record<string, string>;
  envelope?: Saturation;
  floor?: Saturation;
  /** Envelope CPU per change ÷ floor CPU per INSERT (server + database). */
  floorRatio?: number | null;
  openLoop?: EnvelopeOpenLoopResult;
  floorOpenLoop?: EnvelopeOpenLoopResult;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function saturate(
  server: RunningServer,
  scenario: () => Scenario,
  config: CostConfig,
  databaseUrl: string | undefined,
): Promise<Saturation> {
  const base = { port: server.info.port, token: server.info.token, concurrency: config.clients };
  await runLoad({ ...base, seconds: config.warmupSeconds, scenario: scenario() });
  const cpu = startCpuMeasurement(server.pid);
  const dbCpu = databaseUrl ? await startPgBackendCpu(databaseUrl) : undefined;
  const result = await runLoad({ ...base, seconds: config.seconds, scenario: scenario() });
  // Every request of the loop is one operation: a submission or a withdrawal (each changes the
  // scope's envelopes and recomputes the circuit's allocations), or one INSERT for the floor.
  const operations = result.requests - result.errors - result.followUpErrors;
  const used = cpu(operations);
  const databaseMs = dbCpu ? await dbCpu() : null;
  const serverMs = used.serverMsPerRequest;
  const databaseMsPerOp =
    databaseMs === null || operations === 0 ? null : round(databaseMs / operations, 3);
  return {
    operations,
    operationsPerSecond: round(operations / result.durationSeconds, 1),
    errors: result.errors + result.followUpErrors,
    latencyP50Ms: result.latency.p50Ms,
    latencyP99Ms: result.latency.p99Ms,
    serverCpuMsPerOp: serverMs,
    databaseCpuMsPerOp: databaseMsPerOp,
    totalCpuMsPerOp:
      serverMs === null ? null : round(serverMs + (databaseUrl ? (databaseMsPerOp ?? 0) : 0), 3),
    machineBusyPercent: used.machineBusyPercent,
    errorSamples: result.errorSamples,
  };
}

function describe(label: string, s: Saturation): void {
  log(
    `  ${label}: ${s.operationsPerSecond} ops/s, p50 ${s.latencyP50Ms} ms, p99 ${s.latencyP99Ms} ms, errors ${s.errors}; ` +
      `CPU per op: server ${s.serverCpuMsPerOp ?? '?'} ms + database ${s.databaseCpuMsPerOp ?? '(in the server)'} ms ` +
      `= ${s.totalCpuMsPerOp ?? '?'} ms; machine busy ${s.machineBusyPercent ?? '?'}%`,
  );
  for (const e of s.errorSamples) log(`    error: ${e}`);
}

function describeOpen(label: string, o: EnvelopeOpenLoopResult): void {
  log(
    `  ${label} open loop ${o.offeredPerSecond}/s for ${o.seconds} s: ${o.accepted} of ${o.sent} accepted ` +
      `(${o.achievedPerSecond}/s), p50 ${o.latency.p50Ms} ms, p99 ${o.latency.p99Ms} ms, max ${o.latency.maxMs} ms, ` +
      `errors ${o.errors}, at most ${o.maxOutstanding} in flight`,
  );
  for (const e of o.errorSamples) log(`    error: ${e}`);
}

async function runEngine(
  engine: Engine,
  config: CostConfig,
  postgresUrl: string | undefined,
): Promise<EngineCost> {
  const out: EngineCost = { engine, measured: false };
  let database: BenchDatabase | undefined;
  let server: RunningServer | undefined;
  try {
    database = engine === 'pglite' ? freshPglite() : await freshPostgres(postgresUrl!);
    out.database = database.description;
    if (database.settings) out.settings = database.settings;
    const dbUrl = database.env.BENCH_DB_URL;
    log(`\n${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} (${database.description})`);
    const circuits = Math.max(50, config.clients);
    server = await startServer({
      ...database.env,
      BENCH_MODE: 'envelope',
      BENCH_CIRCUITS: String(circuits),
    });
    const scopeIds = server.info.scopeIds;
    out.envelope = await saturate(server, () => envelopeScenario(scopeIds), config, dbUrl);
    describe(`envelope × ${config.clients}`, out.envelope);
    out.openLoop = await runEnvelopeOpenLoop({
      port: server.info.port,
      token: server.info.token,
      scopeIds,
      ratePerSecond: config.openLoopRate,
      seconds: config.openLoopSeconds,
    });
    describeOpen('envelope', out.openLoop);
    await server.stop();
    server = undefined;

    server = await startServer({ ...database.env, BENCH_MODE: 'floor' });
    out.floor = await saturate(server, floorScenario, config, dbUrl);
    describe(`floor    × ${config.clients}`, out.floor);
    out.floorOpenLoop = await runEnvelopeOpenLoop({
      port: server.info.port,
      token: server.info.token,
      scopeIds: ['floor'],
      ratePerSecond: config.openLoopRate,
      seconds: config.openLoopSeconds,
      floor: true,
    });
    describeOpen('floor', out.floorOpenLoop);
    await server.stop();
    server = undefined;
    const e = out.envelope.totalCpuMsPerOp;
    const f = out.floor.totalCpuMsPerOp;
    out.floorRatio = e !== null && f !== null && f > 0 ? round(e / f, 2) : null;
    log(`  CPU per envelope change ÷ CPU per floor INSERT: ${out.floorRatio ?? '?'}×`);
    out.measured = true;
  } catch (error) {
    out.note = `failed: ${error instanceof Error ? error.message : String(error)}`;
    log(`  ${out.note}`);
  } finally {
    await server?.stop();
    await database?.drop().catch(() => undefined);
  }
  return out;
}

const fmt = (n: number | null | undefined, digits = 2) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '–';

function markdown(machine: MachineInfo, config: CostConfig, runs: EngineCost[]): string {
  const rows = [
    '| Envelope path cost | DB | Changes/s at saturation | CPU ms per change (server + DB) | Floor INSERTs/s | Floor CPU ms per INSERT | Ratio | Target |',
    '|---|---|--:|--:|--:|--:|--:|---|',
  ];
  const open = [
    `| Open loop, ${config.openLoopRate} changes/s | DB | Accepted | p50 (ms) | p99 (ms) | max (ms) | Errors | Target |`,
    '|---|---|--:|--:|--:|--:|--:|---|',
  ];
  for (const r of runs) {
    const db = r.engine === 'pglite' ? 'PGlite' : 'PostgreSQL';
    if (!r.measured || !r.envelope || !r.floor || !r.openLoop) {
      rows.push(`| Envelope change vs floor | ${db} | | | | | | not measured: ${r.note ?? ''} |`);
      continue;
    }
    const e = r.envelope;
    const f = r.floor;
    const cpu = (s: Saturation) =>
      r.engine === 'pglite'
        ? `${fmt(s.totalCpuMsPerOp)} (DB inside)`
        : `${fmt(s.serverCpuMsPerOp)} + ${fmt(s.databaseCpuMsPerOp)} = ${fmt(s.totalCpuMsPerOp)}`;
    const ok =
      r.floorRatio !== null && r.floorRatio !== undefined && r.floorRatio <= COST_RATIO_TARGET;
    rows.push(
      `| Envelope change vs floor (${config.clients} clients) | ${db} | ${fmt(e.operationsPerSecond, 0)} | ${cpu(e)} | ${fmt(f.operationsPerSecond, 0)} | ${cpu(f)} | ${fmt(r.floorRatio)}× | ≤ ${COST_RATIO_TARGET}× ${ok ? '✅' : '❌'} |`,
    );
    for (const [label, o] of [
      ['Envelope changes', r.openLoop],
      ['Floor INSERTs', r.floorOpenLoop],
    ] as const) {
      if (!o) continue;
      const target =
        label === 'Envelope changes' && r.engine === 'postgres'
          ? `p99 < ${OPEN_LOOP_P99_TARGET_MS} ms ${o.latency.p99Ms < OPEN_LOOP_P99_TARGET_MS && o.errors === 0 ? '✅' : '❌'}`
          : '–';
      open.push(
        `| ${label} | ${db} | ${o.accepted} of ${o.sent} | ${fmt(o.latency.p50Ms, 1)} | ${fmt(o.latency.p99Ms, 1)} | ${fmt(o.latency.maxMs, 1)} | ${o.errors} | ${target} |`,
      );
    }
  }
  return [
    '### Envelope path cost',
    '',
    `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · load average at start ${machine.loadAverage1m}` +
      (machine.gitCommit ? ` · ${machine.gitCommit.slice(0, 10)}` : ''),
    `Saturation: ${config.clients} clients in a closed loop for ${config.seconds} s; every submission and every withdrawal is one change. ` +
      'CPU from /proc: the server process, and the PostgreSQL backends of the benchmark database.',
    '',
    ...rows,
    '',
    ...open,
    '',
  ].join('\n');
}

export async function runEnvelopeCostSection(
  machine: MachineInfo,
  postgresUrl: string | undefined,
): Promise<{ markdown: string; failed: boolean }> {
  const config = costConfig();
  log(
    `\nEnvelope path cost: ${config.clients} clients × ${config.seconds} s at saturation, then ${config.openLoopRate}/s open loop for ${config.openLoopSeconds} s`,
  );
  const runs: EngineCost[] = [await runEngine('pglite', config, undefined)];
  if (postgresUrl) runs.push(await runEngine('postgres', config, postgresUrl));
  else runs.push({ engine: 'postgres', measured: false, note: 'BENCH_DATABASE_URL is not set' });
  writeResult('envelope-cost', machine, {
    description:
      'Envelope changes (submission or withdrawal, each recomputing the allocations) at saturation and their CPU ' +
      '(server process + PostgreSQL backends) beside the one-INSERT floor in the same run; an open loop at a fixed rate.',
    targetRatio: COST_RATIO_TARGET,
    targetOpenLoopP99Ms: OPEN_LOOP_P99_TARGET_MS,
    config,
    engines: runs,
  });
  return {
    markdown: markdown(machine, config, runs),
    failed: runs.some((r) => r.note?.startsWith('failed')),
  };
}
