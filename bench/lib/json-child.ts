import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hasExited, stopChild, trackChild } from './children';
import { BENCH_DIR } from './report';

/**
 * A child process speaking one JSON object per line: a `ready` line when it is up, then replies
 * `{reply: id, ...}` to commands `{id, cmd, ...}` written to its stdin, and `{progress: id, ...}`
 * lines on the way. Used for the heartbeat benchmark's server and simulator and the forecast
 * benchmark's simulator.
 */
export interface JsonChild<Ready> {
  pid: number;
  ready: Ready;
  request<T = Record<string, unknown>>(
    command: Record<string, unknown>,
    timeoutMs?: number,
    onProgress?: (line: Record<string, unknown>) => void,
  ): Promise<T>;
  /** The last lines the child wrote to stderr, for error reports. */
  stderrTail(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

let nextId = 0;

/** Starts `bench/<script>` under tsx and waits for its ready line. */
export async function startJsonChild<Ready>(
  script: string,
  env: Record<string, string>,
  options: { readyTimeoutMs: number; nodeFlags?: string[]; label: string },
): Promise<JsonChild<Ready>> {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--import', 'tsx', join(BENCH_DIR, script)],
    { cwd: BENCH_DIR, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  trackChild(child);

  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (tail.length > 40) tail.shift();
  });
  const stderrTail = () => tail.join('\n');

  const waiters = new Map<
    string,
    {
      resolve: (line: Record<string, unknown>) => void;
      progress?: (line: Record<string, unknown>) => void;
    }
  >();
  let onReady: ((ready: Ready) => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // not one of ours
    }
    if (line.ready === true) onReady?.(line as Ready);
    if (typeof line.progress === 'string') waiters.get(line.progress)?.progress?.(line);
    if (typeof line.reply === 'string') {
      const waiter = waiters.get(line.reply);
      waiters.delete(line.reply);
      waiter?.resolve(line);
    }
  });

  const exited = () => hasExited(child);
  const stop = () => stopChild(child, 20_000);

  const request = <T>(
    command: Record<string, unknown>,
    timeoutMs = 30_000,
    onProgress?: (line: Record<string, unknown>) => void,
  ) =>
    new Promise<T>((resolve, reject) => {
      if (exited() || !child.stdin?.writable) {
        reject(new Error(`${options.label} is not running\n${stderrTail()}`));
        return;
      }
      nextId += 1;
      const id = `c${nextId}`;
      const timer = setTimeout(() => {
        waiters.delete(id);
        reject(
          new Error(
            `${options.label} did not answer ${String(command.cmd)} within ${timeoutMs / 1000} s`,
          ),
        );
      }, timeoutMs);
      waiters.set(id, {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line as T);
        },
        ...(onProgress ? { progress: onProgress } : {}),
      });
      child.stdin.write(`${JSON.stringify({ ...command, id })}\n`);
    });

  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${options.label} did not get ready within ${options.readyTimeoutMs / 1000} s`,
            ),
          ),
        options.readyTimeoutMs,
      );
      onReady = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`${options.label} exited before it was ready (code ${code}, signal ${signal})`),
        );
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return { pid: child.pid!, ready, request, stderrTail, exited, stop };
  } catch (error) {
    await stop();
    const detail = stderrTail();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}${detail ? `\n--- ${options.label} stderr ---\n${detail}` : ''}`, {
      cause: error,
    });
  }
}
