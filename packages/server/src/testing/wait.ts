import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Waits until `check` returns a value, giving the event loop turns in between (for replies that
 * arrive over real HTTP). Bounded by a number of turns, not by time: no sleeps.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  turns = 20_000,
): Promise<T> {
  for (let turn = 0; turn < turns; turn += 1) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await yieldToLoop();
  }
  throw new Error(`Gave up waiting for ${what}`);
}
