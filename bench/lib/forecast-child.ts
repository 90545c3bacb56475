import { startJsonChild } from './json-child';

/**
 * The forecast benchmark's simulator child (forecast-sim.ts): a JSON-lines child (see json-child.ts)
 * whose commands are plain names. It is killed when this process exits or is interrupted, and stops
 * by itself when its stdin closes.
 */
export interface SimChild<Ready> {
  pid: number;
  ready: Ready;
  request<T = Record<string, unknown>>(cmd: string, timeoutMs?: number): Promise<T>;
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Starts `bench/<script>` under tsx and waits (at most `readyTimeoutMs`) for its ready line. */
export async function startSimChild<Ready>(
  script: string,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<SimChild<Ready>> {
  const child = await startJsonChild<Ready>(script, env, { readyTimeoutMs, label: script });
  return {
    pid: child.pid,
    ready: child.ready,
    request: <T>(cmd: string, timeoutMs = 10_000) => child.request<T>({ cmd }, timeoutMs),
    stderrTail: child.stderrTail,
    stop: child.stop,
  };
}
