import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { round } from './report';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every common architecture. */
const TICK_MS = 10;

/** User + system CPU time of a process in ms, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat; null elsewhere. */
function machineTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((s, v) => s + v, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export interface CpuUse {
  /** The server process, in % of one core (200 = two cores flat out). */
  serverPercent: number | null;
  /** Server CPU time per HTTP request of the loop (measured and follow-up). */
  serverMsPerRequest: number | null;
  /** This process (the load generator), in % of one core. */
  loadGeneratorPercent: number;
  /** Every core of the machine (other work included), in % of all cores. */
  machineBusyPercent: number | null;
}

/** Starts a CPU measurement of the server `pid`, this process and the machine; call the result to end it. */
export function startCpuMeasurement(pid: number): (requests: number) => CpuUse {
  const wall0 = performance.now();
  const server0 = processCpuMs(pid);
  const self0 = process.cpuUsage();
  const machine0 = machineTicks();
  return (requests) => {
    const wallMs = performance.now() - wall0;
    const server1 = processCpuMs(pid);
    const self = process.cpuUsage(self0);
    const machine1 = machineTicks();
    const serverMs = server0 !== null && server1 !== null ? server1 - server0 : null;
    return {
      serverPercent: serverMs === null ? null : round((100 * serverMs) / wallMs, 1),
      serverMsPerRequest:
        serverMs === null || requests === 0 ? null : round(serverMs / requests, 3),
      loadGeneratorPercent: round((100 * (self.user + self.system)) / 1000 / wallMs, 1),
      machineBusyPercent:
        machine0 && machine1 && machine1.total > machine0.total
          ? round((100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total), 1)
          : null,
    };
  };
}
