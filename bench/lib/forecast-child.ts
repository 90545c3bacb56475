import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BENCH_DIR } from './report';

/**
 * The forecast benchmark's simulator child (forecast-sim.ts): one JSON object per line, a `ready`
 * line first, then `{reply: id, ...}` for each command `{id, cmd}` written to its stdin. It is
 * killed when this process exits or is interrupted, and stops by itself when its stdin closes.
 */
export interface SimChild<Ready> {
  pid: number;
  ready: Ready;
  request<T = Record<string, unknown>>(cmd: string, timeoutMs?: number): Promise<T>;
  stderrTail(): string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    process.exit(130);
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

let nextId = 0;

/** Starts `bench/<script>` under tsx and waits (at most `readyTimeoutMs`) for its ready line. */
export async function startSimChild<Ready>(
  script: string,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<SimChild<Ready>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, script)], {
    cwd: BENCH_DIR,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));

  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line.slice(0, 2000));
    if (tail.length > 40) tail.shift();
  });
  const stderrTail = () => tail.join('\n');
  const exited = () => child.exitCode !== null || child.signalCode !== null;

  const waiters = new Map<string, (line: Record<string, unknown>) => void>();
  let onReady: ((ready: Ready) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (line.ready === true) onReady?.(line as Ready);
    if (typeof line.reply === 'string') {
      const waiter = waiters.get(line.reply);
      waiters.delete(line.reply);
      waiter?.(line);
    }
  });

  const stop = async () => {
    if (exited()) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 15_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };

  const request = <T>(cmd: string, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      if (exited() || !child.stdin?.writable) {
        reject(new Error(`${script} is not running\n${stderrTail()}`));
        return;
      }
      nextId += 1;
      const id = `f${nextId}`;
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(new Error(`${script} did not answer ${cmd} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      waiters.set(id, (line) => {
        clearTimeout(timer);
        resolve(line as T);
      });
      child.stdin.write(`${JSON.stringify({ id, cmd })}\n`);
    });

  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script} did not get ready within ${readyTimeoutMs / 1000} s`)),
        readyTimeoutMs,
      );
      onReady = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { pid: child.pid!, ready, request, stderrTail, stop };
  } catch (error) {
    await stop();
    const message = error instanceof Error ? error.message : String(error);
    const detail = stderrTail();
    throw new Error(`${message}${detail ? `\n--- ${script} stderr ---\n${detail}` : ''}`, {
      cause: error,
    });
  }
}
