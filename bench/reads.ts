/**
 * The console's read paths at network scale (`npm run bench -- reads`): N connections ONLINE with
 * heartbeats both ways (the heartbeat benchmark's processes, heartbeat.ts), and during the measured
 * window 20 open console pages polling every 2 seconds. See bench/README.md, section 9.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { runHeartbeatBenchmark, type WindowContext } from './heartbeat';
import { startCpuMeasurement } from './lib/cpu';
import { startPgBackendCpu } from './lib/forecast-pgcpu';
import {
  envNumber,
  round,
  summarise,
  writeResult,
  type LatencySummary,
  type MachineInfo,
} from './lib/report';

export const READ_P99_TARGET_MS = 100;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function get(
  agent: http.Agent,
  port: number,
  path: string,
  token: string,
): Promise<{ status: number; bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent,
        headers: { authorization: `Bearer ${token}` },
        timeout: 30_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, bytes: body.length, body: body.toString() });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end();
  });
}

export interface ReadsOutcome {
  pages: number;
  pollEverySeconds: number;
  seconds: number;
  requests: number;
  errors: number;
  errorSamples: string[];
  all: LatencySummary;
  byRoute: Record<string, LatencySummary & { meanBytes: number }>;
  serverCpuMsPerRead: number | null;
  databaseCpuMsPerRead: number | null;
}

/** What the console's connection list page polls: its first page of 25, by name. */
export const CONSOLE_LIST_PAGE = '/api/oscp-connections?limit=25&offset=0';

/**
 * 20 open pages (half the connection list, half one connection's page: its detail, control,
 * publications and timeline at once, as the console asks for them), each polling every 2 s,
 * started evenly over the first 2 s. After the window, the whole unpaged list is read 10 times,
 * one after the other, with nothing else asking ("list, unpaged"): not a console read, kept to show
 * what the whole list costs an API client.
 */
function pollReads(pages: number, everySeconds: number, seconds: number) {
  return async (context: WindowContext): Promise<ReadsOutcome> => {
    const port = context.ports[0]!;
    const agent = new http.Agent({ keepAlive: true, maxSockets: pages * 4 });
    const list = await get(agent, port, '/api/oscp-connections', context.token);
    const ids = (JSON.parse(list.body) as { connections: { id: string }[] }).connections.map(
      (c) => c.id,
    );
    const samples = new Map<string, { ms: number[]; bytes: number }>();
    const errorSamples: string[] = [];
    let errors = 0;
    let requests = 0;
    const cpu = startCpuMeasurement(context.pids[0]!);
    const database = await startPgBackendCpu(context.databaseUrl);
    const deadline = performance.now() + seconds * 1000;
    const read = async (route: string, path: string) => {
      const started = performance.now();
      requests += 1;
      try {
        const response = await get(agent, port, path, context.token);
        if (response.status !== 200)
          throw new Error(`${response.status} ${response.body.slice(0, 200)}`);
        const entry = samples.get(route) ?? { ms: [], bytes: 0 };
        entry.ms.push(performance.now() - started);
        entry.bytes += response.bytes;
        samples.set(route, entry);
      } catch (error) {
        errors += 1;
        if (errorSamples.length < 5)
          errorSamples.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    const page = async (n: number) => {
      await sleep((n * everySeconds * 1000) / pages);
      const id = ids[(n * 7919) % Math.max(1, ids.length)] ?? '';
      while (performance.now() < deadline) {
        const tick = performance.now();
        if (n % 2 === 0) await read('list page (25)', CONSOLE_LIST_PAGE);
        else
          await Promise.all([
            read('detail', `/api/oscp-connections/${id}`),
            read('control', `/api/oscp-connections/${id}/control`),
            read('publications', `/api/oscp-connections/${id}/publications`),
            read('timeline', `/api/oscp-connections/${id}/timeline`),
          ]);
        await sleep(Math.max(0, everySeconds * 1000 - (performance.now() - tick)));
      }
    };
    await Promise.all(Array.from({ length: pages }, (_, n) => page(n)));
    const used = cpu(requests);
    const databaseMs = await database();
    const polled = requests;
    for (let i = 0; i < 10; i += 1)
      await read('list, unpaged (API client, alone)', '/api/oscp-connections');
    agent.destroy();
    const byRoute: ReadsOutcome['byRoute'] = {};
    for (const [route, s] of samples)
      byRoute[route] = { ...summarise(s.ms), meanBytes: Math.round(s.bytes / s.ms.length) };
    return {
      pages,
      pollEverySeconds: everySeconds,
      seconds,
      requests: polled,
      errors,
      errorSamples,
      all: summarise(
        [...samples].filter(([route]) => !route.includes('unpaged')).flatMap(([, s]) => s.ms),
      ),
      byRoute,
      serverCpuMsPerRead: used.serverMsPerRequest,
      databaseCpuMsPerRead:
        databaseMs === null || polled === 0 ? null : round(databaseMs / polled, 2),
    };
  };
}

const fmt = (n: number | null | undefined, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '–';

export async function runReadsSection(
  machine: MachineInfo,
  postgresUrl: string | undefined,
): Promise<{ markdown: string; failed: boolean }> {
  const connections = Math.floor(envNumber('BENCH_READS_CONNECTIONS', 1000));
  const seconds = envNumber('BENCH_READS_SECONDS', 60);
  const pages = Math.floor(envNumber('BENCH_READS_PAGES', 20));
  log(
    `\nConsole reads: ${connections} connections ONLINE, ${pages} pages polling every 2 s for ${seconds} s`,
  );
  const result = await runHeartbeatBenchmark(postgresUrl, {
    config: {
      connections,
      intervalSeconds: envNumber('BENCH_READS_HEARTBEAT_SECONDS', 30),
      seconds: seconds + 5,
      settleSeconds: 15,
      enableBatch: 50,
      enablePauseMs: null,
      schedulerPollMs: 200,
      dispatcherPollMs: 200,
      onlineTimeoutSeconds: 900,
      sampleEveryMs: 2000,
      drainSeconds: 5,
      profile: false,
    },
    serverEnv: { BENCH_HB_CHARGERS_PER_CIRCUIT: '0' },
    inWindow: pollReads(pages, 2, seconds),
  });
  const reads = result.inWindow as ReadsOutcome | undefined;
  const { heartbeatRows: _rows, ...rest } = result;
  writeResult('reads', machine, {
    description:
      "The console polling every 2 s from 20 open pages (the connection list's first page of 25; a connection's detail, " +
      'control, publications, timeline) with N connections ONLINE and heartbeating; then the unpaged list read 10 times alone. CPU per read is of the polled reads.',
    targetP99Ms: READ_P99_TARGET_MS,
    reads,
    heartbeat: rest,
  });
  const rows = [
    '### Console reads',
    '',
    `${machine.date} · ${machine.cpuModel} · ${machine.cores} cores · Node ${machine.node} · load average at start ${machine.loadAverage1m}` +
      (machine.gitCommit ? ` · ${machine.gitCommit.slice(0, 10)}` : ''),
    `${connections} connections ONLINE (heartbeats every ${result.config.intervalSeconds} s both ways), ${pages} pages polling every 2 s for ${seconds} s, PostgreSQL.`,
    '',
    '| Read | Requests | p50 (ms) | p99 (ms) | max (ms) | Mean size (bytes) | Target |',
    '|---|--:|--:|--:|--:|--:|---|',
  ];
  if (!reads) rows.push(`| all | | | | | | not measured: ${result.note ?? ''} |`);
  else {
    for (const [route, s] of Object.entries(reads.byRoute))
      rows.push(
        `| ${route} | ${s.count} | ${fmt(s.p50Ms, 1)} | ${fmt(s.p99Ms, 1)} | ${fmt(s.maxMs, 1)} | ${s.meanBytes} | ${route.includes('unpaged') ? '– (not a console read)' : `p99 < ${READ_P99_TARGET_MS} ms ${s.p99Ms < READ_P99_TARGET_MS ? '✅' : '❌'}`} |`,
      );
    rows.push(
      '',
      `${reads.requests} reads, ${reads.errors} errors; CPU per read: FP ${fmt(reads.serverCpuMsPerRead, 2)} ms + PostgreSQL ${fmt(reads.databaseCpuMsPerRead, 2)} ms.`,
    );
  }
  return {
    markdown: [...rows, ''].join('\n'),
    failed: (result.note?.startsWith('failed') ?? false) || (reads?.errors ?? 1) > 0,
  };
}
