import type { Repeating } from './peer';

/**
 * Runs `task` now and then every `intervalMs` on real timers. A run still in flight when the next
 * one is due is not overlapped (a slow peer must not pile up requests). Timers are unref'd so a
 * forgotten schedule never keeps a test process alive.
 */
export function repeat(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Repeating {
  let running = false;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** Sleeps that all end at once when `abort()` is called (the simulator stopping). */
export class Sleeper {
  readonly #controller = new AbortController();

  sleep(ms: number): Promise<void> {
    const signal = this.#controller.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  abort(): void {
    this.#controller.abort();
  }
}
