import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Linux process times are in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/**
 * CPU time of the PostgreSQL backends serving one database (the FP's pool), for a server on this
 * machine: every `everyMs` the backends are listed (pg_stat_activity) and their CPU read from
 * /proc. A backend seen at the first sample counts from then, one born later from 0; one that ends
 * between two samples loses at most one interval. Null when /proc is not readable (e.g. a remote
 * server), so the numbers are never guessed.
 */
export async function startPgBackendCpu(
  databaseUrl: string,
  everyMs = 500,
): Promise<() => Promise<number | null>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const backends = new Map<number, [number, number]>();
  let first = true;
  let unreadable = false;
  const sample = async () => {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    for (const { pid } of rows) {
      const cpu = processCpuMs(pid);
      if (cpu === null) {
        unreadable = true;
        continue;
      }
      const known = backends.get(pid);
      if (known) known[1] = cpu;
      else backends.set(pid, [first ? cpu : 0, cpu]);
    }
    first = false;
  };
  await sample();
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(sample).catch(() => {});
  }, everyMs);
  return async () => {
    clearInterval(timer);
    await running;
    await sample().catch(() => {});
    await client.end().catch(() => {});
    if (unreadable && backends.size === 0) return null;
    let total = 0;
    for (const [start, last] of backends.values()) total += last - start;
    return total;
  };
}
