/**
 * The OCPP benchmark (`npm run bench -- ocpp`): BENCH_OCPP_CHARGERS (1,000) simulated OCPP 1.6-J
 * charge points connected to one instance, each charging and sending MeterValues every 10 s. An
 * envelope change makes every charger's allocation change; measured is the time from the change
 * (just before it is submitted) until each charger has answered its SetChargingProfile with the
 * new limit: p50 and p99 over the chargers, per change and over all changes (target p99 < 5 s),
 * and the server's CPU and RSS while the 1,000 chargers are connected and metering.
 * Server (ocpp-server.ts), charge points (ocpp-sim.ts) and this orchestrator are three processes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshPglite, freshPostgres, type BenchDatabase } from './lib/databases';
import { processCpuMs, processMemoryKiB } from './lib/heartbeat-sampler';
import { startJsonChild } from './lib/json-child';
import {
  envNumber,
  percentile,
  RESULTS_DIR,
  round,
  writeResult,
  type MachineInfo,
} from './lib/report';

export const OCPP_P99_TARGET_MS = 5000;

interface ServerReady {
  port: number;
  pid: number;
  chargers: { chargePointId: string; password: string }[];
}

interface ChangeResult {
  perChargerA: number;
  chargers: number;
  answered: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  commitMs: number;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function stats(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted.length === 0
    ? { p50Ms: null, p99Ms: null, maxMs: null }
    : {
        p50Ms: round(percentile(sorted, 0.5), 1),
        p99Ms: round(percentile(sorted, 0.99), 1),
        maxMs: round(sorted.at(-1)!, 1),
      };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runOcppBenchmark(machine: MachineInfo, postgresUrl: string | undefined) {
  const chargerCount = Math.floor(envNumber('BENCH_OCPP_CHARGERS', 1000));
  const windowSeconds = envNumber('BENCH_OCPP_SECONDS', 60);
  const changes = Math.floor(envNumber('BENCH_OCPP_CHANGES', 6));
  const meterSeconds = envNumber('BENCH_OCPP_METER_S', 10);
  const database: BenchDatabase = postgresUrl ? await freshPostgres(postgresUrl) : freshPglite();
  const env = {
    ...database.env,
    BENCH_OCPP_CHARGERS: String(chargerCount),
    BENCH_OCPP_METER_S: String(meterSeconds),
  };
  log(`OCPP: ${chargerCount} charge points on ${database.description}`);
  const seedStarted = Date.now();
  const server = await startJsonChild<ServerReady>('ocpp-server.ts', env, {
    readyTimeoutMs: 900_000,
    label: 'OCPP server',
  });
  const sim = await startJsonChild<{ pid: number }>('ocpp-sim.ts', env, {
    readyTimeoutMs: 60_000,
    label: 'OCPP charge points',
  });
  try {
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    log(`  seeded in ${round(seedSeconds, 1)} s; connecting…`);
    const connectStarted = Date.now();
    await sim.request(
      {
        cmd: 'connect',
        url: `ws://127.0.0.1:${server.ready.port}/ocpp`,
        chargers: server.ready.chargers,
      },
      900_000,
    );
    // Every charger's first limit (its 32 A maximum) accepted: the depot is in its steady state.
    const first = await sim.request<{ missing: number }>(
      { cmd: 'await', limitA: 32, sinceMs: 0, timeoutMs: 600_000 },
      660_000,
    );
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    log(
      `  connected and charging in ${round(connectSeconds, 1)} s (${first.missing} without a limit)`,
    );

    // Steady state: CPU and memory of the server with every charger metering.
    await sleep(meterSeconds * 1000);
    const simBefore = await sim.request<{ meterSent: number; meterErrors: number }>({
      cmd: 'stats',
    });
    const cpuBefore = processCpuMs(server.pid) ?? 0;
    const rss: number[] = [];
    const windowStart = Date.now();
    while (Date.now() - windowStart < windowSeconds * 1000) {
      await sleep(2000);
      const memory = processMemoryKiB(server.pid);
      if (memory) rss.push(memory.rss / 1024);
    }
    const elapsedS = (Date.now() - windowStart) / 1000;
    const cpuPercent = (((processCpuMs(server.pid) ?? 0) - cpuBefore) / (elapsedS * 1000)) * 100;
    const simAfter = await sim.request<{ meterSent: number; meterErrors: number; rssMiB: number }>({
      cmd: 'stats',
    });
    const steady = {
      seconds: round(elapsedS, 1),
      meterValuesPerSecond: round((simAfter.meterSent - simBefore.meterSent) / elapsedS, 1),
      meterValueErrors: simAfter.meterErrors - simBefore.meterErrors,
      serverCpuPercentOfOneCore: round(cpuPercent, 1),
      serverRssMiB: {
        mean: round(rss.reduce((s, v) => s + v, 0) / Math.max(1, rss.length), 0),
        max: round(Math.max(...rss), 0),
      },
      simulatorRssMiB: simAfter.rssMiB,
    };
    log(
      `  steady: server ${steady.serverCpuPercentOfOneCore} % of a core, RSS ${steady.serverRssMiB.mean} MiB, ${steady.meterValuesPerSecond} MeterValues/s`,
    );

    // Envelope changes: each moves every charger's allocation.
    const perChargerLimits = [20, 12, 24, 16, 28, 8];
    const results: ChangeResult[] = [];
    const all: number[] = [];
    for (let i = 0; i < changes; i += 1) {
      const perChargerA = perChargerLimits[i % perChargerLimits.length]!;
      const sinceMs = Date.now();
      const committed = await server.request<{ committedAtMs: number }>(
        { cmd: 'envelope', limitA: perChargerA * chargerCount },
        120_000,
      );
      const answered = await sim.request<{ answeredAtMs: number[]; missing: number }>(
        { cmd: 'await', limitA: perChargerA, sinceMs, timeoutMs: 60_000 },
        90_000,
      );
      const latencies = answered.answeredAtMs.map((at) => at - sinceMs);
      all.push(...latencies);
      const result = {
        perChargerA,
        chargers: chargerCount,
        answered: answered.answeredAtMs.length,
        ...stats(latencies),
        commitMs: committed.committedAtMs - sinceMs,
      };
      results.push(result);
      log(
        `  change to ${perChargerA} A: ${result.answered}/${chargerCount} answered, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (committed after ${result.commitMs} ms)`,
      );
      await sleep(5000);
    }
    const overall = stats(all);
    const body = {
      description:
        'N simulated OCPP 1.6-J charge points (the product simulator, one process) connected to one instance, ' +
        'each in a transaction sending MeterValues every 10 s; envelope changes that move every allocation; ' +
        'time from the change until each charger answered its SetChargingProfile with the new limit.',
      targetP99Ms: OCPP_P99_TARGET_MS,
      database: database.description,
      settings: database.settings,
      chargers: chargerCount,
      setup: {
        seedSeconds: round(seedSeconds, 1),
        connectAndFirstLimitSeconds: round(connectSeconds, 1),
      },
      steady,
      changes: results,
      overall: {
        ...overall,
        samples: all.length,
        missing: results.reduce((s, r) => s + r.chargers - r.answered, 0),
      },
    };
    writeResult('ocpp', machine, body);
    const markdown = [
      '### OCPP smart charging',
      '',
      `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · ${database.engine}`,
      '',
      `| chargers | envelope → every SetChargingProfile answered: p50 | p99 (target < 5 s) | max | unanswered | server CPU (1 core = 100 %) | server RSS |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${chargerCount} | ${overall.p50Ms} ms | ${overall.p99Ms} ms | ${overall.maxMs} ms | ${body.overall.missing} | ${steady.serverCpuPercentOfOneCore} % | ${steady.serverRssMiB.mean} MiB (max ${steady.serverRssMiB.max}) |`,
      '',
    ].join('\n');
    writeFileSync(join(RESULTS_DIR, 'ocpp.md'), markdown);
    log(`\n${markdown}`);
    return {
      failed:
        overall.p99Ms === null || overall.p99Ms >= OCPP_P99_TARGET_MS || body.overall.missing > 0,
    };
  } finally {
    await sim.stop();
    await server.stop();
    await database.drop();
  }
}
