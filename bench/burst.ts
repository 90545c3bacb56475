/**
 * The quarter-hour forecast burst at network scale (`npm run bench -- burst`) and the network run
 * (`npm run bench -- network`): N OSCP connections, ONLINE with heartbeats both ways (the heartbeat
 * benchmark's FP, simulator and orchestrator, heartbeat.ts), and inside the measured window either
 * every peer's forecast within one second (burst) or a window long enough to hold a measurement
 * boundary (network), optionally on several FP instances sharing one PostgreSQL database.
 * See bench/README.md, sections 7 and 8.
 */
import {
  HEARTBEAT_LATENESS_P99_TARGET_MS,
  runHeartbeatBenchmark,
  type HeartbeatConfig,
  type HeartbeatResult,
  type WindowContext,
} from './heartbeat';
import { startCpuMeasurement } from './lib/cpu';
import { runForecastBurst, type BurstResult } from './lib/forecast-burst';
import { startPgBackendCpu } from './lib/forecast-pgcpu';
import { groupIdFor } from './lib/heartbeat-peers';
import { heartbeatLatenessBetween } from './lib/network-analysis';
import { envNumber, round, writeResult, type MachineInfo } from './lib/report';

export const BURST_TARGET_SECONDS = 60;
export const MEASUREMENT_TARGET_SECONDS = 60;
export const RSS_TARGET_MIB = 1024;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The burst and what it cost, with the heartbeats and liveness of the same connections meanwhile. */
export interface BurstOutcome extends BurstResult {
  /** Seconds into the window the burst started. */
  atSecond: number;
  serverCpuMsPerForecast: number | null;
  databaseCpuMsPerForecast: number | null;
  /** OscpForecastAccepted events recorded for the burst: each forecast applied once. */
  acceptedEvents: number;
}

function config(prefix: 'BURST' | 'NETWORK', defaults: { seconds: number }): HeartbeatConfig {
  const connections = Math.floor(envNumber(`BENCH_${prefix}_CONNECTIONS`, 10_000));
  return {
    connections,
    intervalSeconds: envNumber(`BENCH_${prefix}_HEARTBEAT_SECONDS`, 30),
    seconds: envNumber(`BENCH_${prefix}_SECONDS`, defaults.seconds),
    settleSeconds: envNumber('BENCH_HEARTBEAT_SETTLE_SECONDS', 15),
    enableBatch: Math.floor(envNumber('BENCH_HEARTBEAT_ENABLE_BATCH', 50)),
    enablePauseMs: null,
    schedulerPollMs: envNumber('BENCH_HEARTBEAT_SCHEDULER_POLL_MS', 200),
    dispatcherPollMs: envNumber('BENCH_HEARTBEAT_DISPATCHER_POLL_MS', 200),
    onlineTimeoutSeconds: envNumber('BENCH_HEARTBEAT_ONLINE_TIMEOUT_SECONDS', 1800),
    sampleEveryMs: 2000,
    drainSeconds: 15,
    profile: process.env.BENCH_PROFILE === '1',
  };
}

/** Waits `atSecond` into the window, then every peer sends its forecast within `spreadMs`. */
function burstInWindow(connections: number, atSecond: number) {
  return async (context: WindowContext): Promise<BurstOutcome> => {
    await sleep(atSecond * 1000);
    const { tokens } = await context.sim.request<{ tokens: Record<string, string> }>(
      { cmd: 'tokens' },
      60_000,
    );
    const peers = Array.from({ length: connections }, (_, i) => ({
      groupId: groupIdFor(i),
      token: tokens[groupIdFor(i)] ?? 'missing',
    }));
    log(`  forecast burst: ${peers.length} forecasts within 1 s…`);
    const cpu = context.pids.map((pid) => startCpuMeasurement(pid));
    const database = await startPgBackendCpu(context.databaseUrl);
    const burst = await runForecastBurst({
      ports: context.ports,
      peers,
      spreadMs: envNumber('BENCH_BURST_SPREAD_MS', 1000),
      sockets: Math.floor(envNumber('BENCH_BURST_SOCKETS', 1000)),
      timeoutMs: 300_000,
    });
    const serverMs = cpu
      .map((end) => end(1))
      .reduce((sum, used) => sum + (used.serverMsPerRequest ?? 0), 0);
    const databaseMs = await database();
    const { rows } = await context.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE type = 'OscpForecastAccepted'
       AND recorded_at >= $1`,
      [new Date(burst.startedAt)],
    );
    const outcome: BurstOutcome = {
      ...burst,
      atSecond,
      serverCpuMsPerForecast: burst.accepted ? round(serverMs / burst.accepted, 2) : null,
      databaseCpuMsPerForecast:
        burst.accepted && databaseMs !== null ? round(databaseMs / burst.accepted, 2) : null,
      acceptedEvents: rows[0]!.n,
    };
    log(
      `  burst: ${burst.accepted} of ${burst.forecasts} applied, errors ${burst.errors}, all applied after ` +
        `${burst.allAppliedSeconds ?? '–'} s; per forecast p50 ${burst.latency.p50Ms} ms, p99 ${burst.latency.p99Ms} ms, ` +
        `max ${burst.latency.maxMs} ms; CPU per forecast: FP ${outcome.serverCpuMsPerForecast} ms + PostgreSQL ` +
        `${outcome.databaseCpuMsPerForecast} ms; ${outcome.acceptedEvents} accepted events`,
    );
    for (const e of burst.errorSamples) log(`    error: ${e}`);
    return outcome;
  };
}

const fmt = (n: number | null | undefined, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '–';
const mark = (ok: boolean) => (ok ? '✅' : '❌');

function header(machine: MachineInfo, title: string, r: HeartbeatResult): string[] {
  return [
    `### ${title}`,
    '',
    `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · load average at start ${machine.loadAverage1m}` +
      (machine.gitCommit ? ` · ${machine.gitCommit.slice(0, 10)}` : ''),
    `${r.config.connections} connections, heartbeats every ${r.config.intervalSeconds} s both ways, ` +
      `${fmt(r.window?.seconds)} s measured on PostgreSQL; all ONLINE ${fmt(r.setup?.timeToAllOnlineSeconds)} s after the first enable.`,
    '',
  ];
}

interface BurstAnalysis {
  burst: BurstOutcome;
  falseOfflineDuringBurst: number;
  heartbeatsDuringBurst: ReturnType<typeof heartbeatLatenessBetween>;
}

/** The burst lies inside the measured window, so the window's OFFLINE count covers it. */
function analyseBurst(r: HeartbeatResult): BurstAnalysis | undefined {
  const burst = r.inWindow as BurstOutcome | undefined;
  if (!burst || !r.heartbeatRows) return undefined;
  const from = Date.parse(burst.startedAt);
  const to = Date.parse(burst.endedAt) + 30_000;
  return {
    burst,
    falseOfflineDuringBurst: r.falseOfflineTransitions ?? 0,
    heartbeatsDuringBurst: heartbeatLatenessBetween(r.heartbeatRows, from, to),
  };
}

function burstRows(r: HeartbeatResult, a: BurstAnalysis | undefined, instances: number): string[] {
  const rows = [
    '| Forecast burst | Forecasts in 1 s | All applied after | Per forecast p50 / p99 / max (ms) | Errors | CPU ms per forecast (FP + PostgreSQL) | Heartbeat lateness p99 meanwhile | False OFFLINE in window | Target |',
    '|---|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  if (!a) {
    rows.push(`| ${instances} instance(s) | | | | | | | | not measured: ${r.note ?? ''} |`);
    return rows;
  }
  const b = a.burst;
  const ok =
    b.errors === 0 &&
    b.allAppliedSeconds !== null &&
    b.allAppliedSeconds <= BURST_TARGET_SECONDS &&
    a.falseOfflineDuringBurst === 0;
  rows.push(
    `| ${instances} instance(s), PostgreSQL | ${b.forecasts} | ${fmt(b.allAppliedSeconds, 1)} s | ${fmt(b.latency.p50Ms)} / ${fmt(b.latency.p99Ms)} / ${fmt(b.latency.maxMs)} | ${b.errors} | ${fmt(b.serverCpuMsPerForecast, 1)} + ${fmt(b.databaseCpuMsPerForecast, 1)} | ${fmt(a.heartbeatsDuringBurst.latenessMs.p99Ms)} ms | ${a.falseOfflineDuringBurst} | all within ${BURST_TARGET_SECONDS} s, 0 errors, 0 OFFLINE ${mark(ok)} |`,
  );
  return rows;
}

function strip(r: HeartbeatResult): Omit<HeartbeatResult, 'heartbeatRows'> {
  const { heartbeatRows: _rows, ...rest } = r;
  return rest;
}

/** `npm run bench -- burst`: one instance, the burst 20 s into a 150 s window. */
export async function runBurstSection(
  machine: MachineInfo,
  postgresUrl: string | undefined,
): Promise<{ markdown: string; failed: boolean }> {
  const cfg = config('BURST', { seconds: 150 });
  const atSecond = envNumber('BENCH_BURST_AT_SECOND', 20);
  log(`\nQuarter-hour forecast burst: ${cfg.connections} connections`);
  const result = await runHeartbeatBenchmark(postgresUrl, {
    config: cfg,
    serverEnv: {
      BENCH_HB_CHARGERS_PER_CIRCUIT: String(envNumber('BENCH_BURST_CHARGERS', 2)),
      BENCH_HB_MEASUREMENT_SECONDS: '900',
    },
    inWindow: burstInWindow(cfg.connections, atSecond),
  });
  const analysis = analyseBurst(result);
  writeResult('burst', machine, {
    description:
      'Every connection (own scope and circuit, ONLINE, heartbeats both ways) sends a 96-block forecast within one second; ' +
      'time until every forecast is answered 204 (applied and committed), per-forecast latency, heartbeats and liveness meanwhile.',
    targetAllAppliedSeconds: BURST_TARGET_SECONDS,
    ...(analysis
      ? {
          falseOfflineDuringBurst: analysis.falseOfflineDuringBurst,
          heartbeatsDuringBurst: analysis.heartbeatsDuringBurst,
        }
      : {}),
    ...strip(result),
  });
  const markdown = [
    ...header(machine, 'Quarter-hour forecast burst', result),
    ...burstRows(result, analysis, 1),
    '',
  ].join('\n');
  return { markdown, failed: result.note?.startsWith('failed') ?? false };
}

/**
 * `npm run bench -- network`: heartbeats at network scale for 300 s with a measurement boundary
 * inside; with BENCH_NETWORK_INSTANCES=2 (or BENCH_NETWORK_BURST=1) the forecast burst runs in it.
 */
export async function runNetworkSection(
  machine: MachineInfo,
  postgresUrl: string | undefined,
): Promise<{ markdown: string; failed: boolean }> {
  const cfg = config('NETWORK', { seconds: 300 });
  const instances = Math.max(1, Math.floor(envNumber('BENCH_NETWORK_INSTANCES', 1)));
  const withBurst = instances > 1 || process.env.BENCH_NETWORK_BURST === '1';
  log(
    `\nNetwork scale: ${cfg.connections} connections × ${cfg.intervalSeconds} s heartbeats, ${instances} instance(s)` +
      (withBurst ? ', with the forecast burst' : ''),
  );
  const measurementSeconds = envNumber('BENCH_NETWORK_MEASUREMENT_SECONDS', 300);
  const result = await runHeartbeatBenchmark(postgresUrl, {
    config: cfg,
    instances,
    // The boundary at least 30 s into the window and 90 s before its end (deliveries and the
    // heartbeats in the minute after it measured), when the window is long enough for that.
    // BENCH_NETWORK_PLACE_BOUNDARY=0 starts at once (a shorter run about something else).
    ...(cfg.seconds >= 120 && process.env.BENCH_NETWORK_PLACE_BOUNDARY !== '0'
      ? { boundary: { intervalSeconds: measurementSeconds, beforeSeconds: 30, afterSeconds: 90 } }
      : {}),
    serverEnv: {
      BENCH_HB_CHARGERS_PER_CIRCUIT: String(envNumber('BENCH_NETWORK_CHARGERS', 2)),
      BENCH_HB_MEASUREMENT_SECONDS: String(measurementSeconds),
      // Windows on the clock grid: every connection's measurements fall due at one boundary.
      BENCH_HB_MEASUREMENT_ALIGNMENT: 'CLOCK_HOUR',
    },
    ...(withBurst
      ? {
          inWindow: burstInWindow(cfg.connections, envNumber('BENCH_BURST_AT_SECOND', 20)),
        }
      : {}),
  });
  const analysis = withBurst ? analyseBurst(result) : undefined;
  writeResult(instances > 1 ? `network-${instances}-instances` : 'network', machine, {
    description:
      'N connections ONLINE with heartbeats both ways and measurements every 5 minutes (all due at the same boundaries), ' +
      'on one or more FP instances sharing one PostgreSQL database.',
    targets: {
      sendLatenessP99Ms: HEARTBEAT_LATENESS_P99_TARGET_MS,
      falseOffline: 0,
      rssMiB: RSS_TARGET_MIB,
      measurementsDeliveredWithinSeconds: MEASUREMENT_TARGET_SECONDS,
    },
    instances,
    ...(analysis ? { heartbeatsDuringBurst: analysis.heartbeatsDuringBurst } : {}),
    ...strip(result),
  });

  const rows: string[] = [];
  const o = result.outbound;
  const rss = result.resources?.fp.rssPeakMiB;
  if (result.measured && o) {
    const ok =
      o.sendLatenessMs.p99Ms < HEARTBEAT_LATENESS_P99_TARGET_MS &&
      result.falseOfflineTransitions === 0 &&
      (rss ?? Infinity) < RSS_TARGET_MIB &&
      o.arrivedAtPeer >= o.dueInWindow;
    rows.push(
      '| Heartbeats at network scale | Due / arrived | Send lateness p50 / p99 / max (ms) | False OFFLINE | FP RSS peak (MiB) | FP CPU (% of a core) | PostgreSQL CPU | Duplicate deliveries | Target |',
      '|---|--:|--:|--:|--:|--:|--:|--:|---|',
      `| ${result.config.connections} × ${result.config.intervalSeconds} s, ${instances} instance(s) | ${o.dueInWindow} / ${o.arrivedAtPeer} | ${fmt(o.sendLatenessMs.p50Ms)} / ${fmt(o.sendLatenessMs.p99Ms)} / ${fmt(o.sendLatenessMs.maxMs)} | ${result.falseOfflineTransitions} | ${fmt(rss)} | ${fmt(result.resources?.fp.cpuPercent, 1)}${result.followers?.length ? ` (+ ${result.followers.map((f) => fmt(f.cpuPercent, 1)).join(', ')})` : ''} | ${fmt(result.resources?.postgres.cpuPercent, 1)}% | ${result.simulator?.duplicateDeliveries ?? '–'} | p99 < ${HEARTBEAT_LATENESS_P99_TARGET_MS} ms, 0 OFFLINE, RSS < 1 GiB ${mark(ok)} |`,
      '',
      '| Measurement boundary | Messages | Delivered | All delivered after | Delivery p50 / p99 (ms) | Heartbeat lateness p99 in the minute after (ms) | Target |',
      '|---|--:|--:|--:|--:|--:|---|',
    );
    const boundaries = result.measurementBoundaries ?? [];
    if (boundaries.length === 0) rows.push('| none inside the window | | | | | | not measured |');
    for (const b of boundaries) {
      const okB =
        b.allDeliveredAfterSeconds !== null &&
        b.allDeliveredAfterSeconds <= MEASUREMENT_TARGET_SECONDS &&
        b.heartbeatsDuring.latenessMs.p99Ms < HEARTBEAT_LATENESS_P99_TARGET_MS;
      rows.push(
        `| ${b.boundary} | ${b.messages} | ${b.delivered} | ${fmt(b.allDeliveredAfterSeconds, 1)} s | ${fmt(b.deliveryMs.p50Ms)} / ${fmt(b.deliveryMs.p99Ms)} | ${fmt(b.heartbeatsDuring.latenessMs.p99Ms)} | all within ${MEASUREMENT_TARGET_SECONDS} s, heartbeats p99 < 1 s ${mark(okB)} |`,
      );
    }
    if (withBurst) {
      rows.push('', ...burstRows(result, analysis, instances));
      if (analysis)
        rows.push(
          '',
          `Each forecast applied once: ${analysis.burst.acceptedEvents} OscpForecastAccepted events for ${analysis.burst.accepted} accepted forecasts ` +
            `(${analysis.burst.forecasts} sent); duplicate deliveries at the simulator: ${result.simulator?.duplicateDeliveries ?? '–'}.`,
        );
    }
  } else {
    rows.push(`Not measured: ${result.note ?? ''}`);
  }
  const markdown = [
    ...header(
      machine,
      instances > 1 ? `Network scale, ${instances} instances` : 'Network scale',
      result,
    ),
    ...rows,
    '',
  ].join('\n');
  return { markdown, failed: result.note?.startsWith('failed') ?? false };
}
