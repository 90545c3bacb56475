import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { round } from './report';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const TICK_MS = 10;

/** User + system CPU time of a process in ms, from /proc (Linux); null when unreadable. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Resident set size in KiB (VmRSS), and its peak so far (VmHWM); null when unreadable. */
export function processMemoryKiB(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) =>
      Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, 'm'))?.[1]);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((s, v) => s + v, 0);
    return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
  } catch {
    return null;
  }
}

export interface Sample {
  /** Seconds since the window started. */
  t: number;
  fpCpuPercent: number | null;
  fpRssMiB: number | null;
  postgresCpuPercent: number | null;
  simCpuPercent: number | null;
  machineBusyPercent: number | null;
  /** scheduled_work rows already due (the scheduler's backlog). */
  dueWork: number | null;
  /** outbound_messages PENDING/RETRYING and due (the dispatcher's backlog). */
  outboxDue: number | null;
  outboxSending: number | null;
  postgresBackends: number | null;
}

interface ProcessUse {
  cpuSeconds: number | null;
  /** % of one core over the window (200 = both cores of a 2-core machine). */
  cpuPercent: number | null;
}

export interface SamplerResult {
  wallSeconds: number;
  samples: number;
  fp: ProcessUse & {
    rssPeakMiB: number | null;
    rssMeanMiB: number | null;
    /** VmHWM at the end: the highest RSS of the process's life, start-up and ramp included. */
    rssLifetimePeakMiB: number | null;
  };
  sim: ProcessUse & { rssPeakMiB: number | null };
  /**
   * The backends of the benchmark database (the FP's pool; the sampler's own connection left out),
   * summed per backend between samples. A backend that ends between two samples loses at most one
   * sampling period; PostgreSQL's own background processes are not counted.
   */
  postgres: ProcessUse & { maxBackends: number | null };
  machineBusyPercent: number | null;
  backlog: {
    dueWorkMax: number | null;
    dueWorkMean: number | null;
    outboxDueMax: number | null;
    outboxDueMean: number | null;
    outboxSendingMax: number | null;
  };
  timeline: Sample[];
}

const mib = (kib: number) => round(kib / 1024, 1);
const mean = (xs: readonly number[]) =>
  xs.length ? round(xs.reduce((s, v) => s + v, 0) / xs.length, 1) : null;
const max = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : null);

/**
 * Samples every `everyMs`: the FP's and the simulator's CPU and memory from /proc, the PostgreSQL
 * backends serving the benchmark database, the machine, and the scheduler's and dispatcher's
 * backlogs (two indexed counts). `stop()` ends the window and summarises it.
 */
export function startSampler(options: {
  fpPid: number;
  simPid: number;
  client: pg.Client;
  everyMs: number;
  onSample?: (sample: Sample) => void;
}): { stop(): Promise<SamplerResult>; latest(): Sample | undefined } {
  const { fpPid, simPid, client } = options;
  const started = performance.now();
  const fp0 = processCpuMs(fpPid);
  const sim0 = processCpuMs(simPid);
  const machine0 = machineTicks();
  /** Backend pid → [CPU ms when first seen, CPU ms when last seen]. */
  const backends = new Map<number, [number, number]>();
  const timeline: Sample[] = [];
  const rss: number[] = [];
  const simRss: number[] = [];
  let previous = { at: started, fp: fp0, sim: sim0, pg: 0, machine: machine0 };
  let running: Promise<void> = Promise.resolve();
  let firstSample = true;

  const pgCpuTotal = () => {
    let total = 0;
    for (const [first, last] of backends.values()) total += last - first;
    return total;
  };

  const sampleOnce = async () => {
    let row:
      | { due_work: number; outbox_due: number; outbox_sending: number; pids: number[] | null }
      | undefined;
    try {
      const result = await client.query<{
        due_work: number;
        outbox_due: number;
        outbox_sending: number;
        pids: number[] | null;
      }>(`
        SELECT
          (SELECT count(*) FROM scheduled_work WHERE due_at <= now())::int AS due_work,
          (SELECT count(*) FROM outbound_messages
             WHERE status IN ('PENDING', 'RETRYING') AND next_attempt_at <= now())::int AS outbox_due,
          (SELECT count(*) FROM outbound_messages WHERE status = 'SENDING')::int AS outbox_sending,
          (SELECT array_agg(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()) AS pids`);
      row = result.rows[0];
    } catch {
      row = undefined;
    }
    for (const pid of row?.pids ?? []) {
      const cpu = processCpuMs(pid);
      if (cpu === null) continue;
      const known = backends.get(pid);
      // A backend seen at the first sample counts from then; one born later counts from 0.
      if (known) known[1] = cpu;
      else backends.set(pid, [firstSample ? cpu : 0, cpu]);
    }
    firstSample = false;
    const now = performance.now();
    const fp = processCpuMs(fpPid);
    const sim = processCpuMs(simPid);
    const pgCpu = pgCpuTotal();
    const machine = machineTicks();
    const memory = processMemoryKiB(fpPid);
    const simMemory = processMemoryKiB(simPid);
    if (memory) rss.push(memory.rss);
    if (simMemory) simRss.push(simMemory.rss);
    const elapsed = now - previous.at;
    const percent = (a: number | null, b: number | null) =>
      a !== null && b !== null && elapsed > 0 ? round((100 * (b - a)) / elapsed, 1) : null;
    const sample: Sample = {
      t: round((now - started) / 1000, 1),
      fpCpuPercent: percent(previous.fp, fp),
      fpRssMiB: memory ? mib(memory.rss) : null,
      postgresCpuPercent: percent(previous.pg, pgCpu),
      simCpuPercent: percent(previous.sim, sim),
      machineBusyPercent:
        previous.machine && machine && machine.total > previous.machine.total
          ? round(
              (100 * (machine.busy - previous.machine.busy)) /
                (machine.total - previous.machine.total),
              1,
            )
          : null,
      dueWork: row?.due_work ?? null,
      outboxDue: row?.outbox_due ?? null,
      outboxSending: row?.outbox_sending ?? null,
      postgresBackends: row?.pids?.length ?? null,
    };
    previous = { at: now, fp, sim, pg: pgCpu, machine };
    timeline.push(sample);
    options.onSample?.(sample);
  };

  // The first sample is the baseline of the PostgreSQL backends.
  running = sampleOnce();
  const timer = setInterval(() => {
    running = running.then(sampleOnce);
  }, options.everyMs);

  return {
    latest: () => timeline.at(-1),
    async stop() {
      clearInterval(timer);
      await running;
      await sampleOnce();
      const wallMs = performance.now() - started;
      const fp1 = processCpuMs(fpPid);
      const sim1 = processCpuMs(simPid);
      const machine1 = machineTicks();
      const use = (a: number | null, b: number | null): ProcessUse =>
        a !== null && b !== null
          ? { cpuSeconds: round((b - a) / 1000, 2), cpuPercent: round((100 * (b - a)) / wallMs, 1) }
          : { cpuSeconds: null, cpuPercent: null };
      const pgMs = pgCpuTotal();
      const memory = processMemoryKiB(fpPid);
      const pick = (key: keyof Sample) =>
        timeline.map((s) => s[key]).filter((v): v is number => typeof v === 'number');
      return {
        wallSeconds: round(wallMs / 1000, 1),
        samples: timeline.length,
        fp: {
          ...use(fp0, fp1),
          rssPeakMiB: rss.length ? mib(Math.max(...rss)) : null,
          rssMeanMiB: rss.length ? mib(rss.reduce((s, v) => s + v, 0) / rss.length) : null,
          rssLifetimePeakMiB: memory ? mib(memory.hwm) : null,
        },
        sim: { ...use(sim0, sim1), rssPeakMiB: simRss.length ? mib(Math.max(...simRss)) : null },
        postgres: {
          cpuSeconds: round(pgMs / 1000, 2),
          cpuPercent: round((100 * pgMs) / wallMs, 1),
          maxBackends: max(pick('postgresBackends')),
        },
        machineBusyPercent:
          machine0 && machine1 && machine1.total > machine0.total
            ? round((100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total), 1)
            : null,
        backlog: {
          dueWorkMax: max(pick('dueWork')),
          dueWorkMean: mean(pick('dueWork')),
          outboxDueMax: max(pick('outboxDue')),
          outboxDueMean: mean(pick('outboxDue')),
          outboxSendingMax: max(pick('outboxSending')),
        },
        timeline,
      };
    },
  };
}
