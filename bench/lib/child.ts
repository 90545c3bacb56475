import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild, trackChild } from './children';
import { BENCH_DIR } from './report';

export interface ServerInfo {
  ready: true;
  mode: 'envelope' | 'floor';
  engine: 'pglite' | 'postgres';
  port: number;
  token: string;
  scopeIds: string[];
  circuitIds: string[];
}

/** What the server saw of one observation window (see server-process.ts). */
export interface ServerStats {
  maxInFlight: number;
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface RunningServer {
  info: ServerInfo;
  pid: number;
  /** Starts a new observation window on the server. */
  resetStats(): void;
  /** What the server saw since the last reset. */
  stats(): Promise<ServerStats>;
  /** The last lines the server wrote to stderr (its logs), for error reports. */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Starts bench/server-process.ts under tsx and waits for its ready line. */
export async function startServer(
  env: Record<string, string>,
  readyTimeoutMs = 180_000,
): Promise<RunningServer> {
  // BENCH_CPU_PROF_DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const flags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const child = spawn(
    process.execPath,
    [...flags, '--import', 'tsx', join(BENCH_DIR, 'server-process.ts')],
    {
      cwd: BENCH_DIR,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  trackChild(child);

  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  });
  const stderrTail = () => tail.join('\n');

  const stop = () => stopChild(child, 15_000);

  const statsWaiters: ((stats: ServerStats) => void)[] = [];
  let onReady: ((info: ServerInfo) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: Partial<ServerInfo> & { stats?: ServerStats };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      return; // not one of our lines
    }
    if (parsed.ready) onReady?.(parsed as ServerInfo);
    if (parsed.stats) statsWaiters.shift()?.(parsed.stats);
  });
  const send = (command: string) => {
    if (child.stdin?.writable) child.stdin.write(`${command}\n`);
  };
  const resetStats = () => send('reset');
  const stats = () =>
    new Promise<ServerStats>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not report its stats')), 10_000);
      statsWaiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      send('stats');
    });

  try {
    const info = await new Promise<ServerInfo>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not get ready within ${readyTimeoutMs / 1000} s`)),
        readyTimeoutMs,
      );
      onReady = (ready) => {
        clearTimeout(timer);
        resolve(ready);
      };
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { info, pid: child.pid!, resetStats, stats, stderrTail, stop };
  } catch (error) {
    await stop();
    const detail = stderrTail();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}${detail ? `\n--- server stderr ---\n${detail}` : ''}`, {
      cause: error,
    });
  }
}
