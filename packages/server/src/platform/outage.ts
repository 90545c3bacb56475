import type { Logger } from './logging';

/** The longest a polling loop waits between attempts while its database is unreachable. */
export const MAX_OUTAGE_DELAY_MS = 30_000;

/** How long to wait after `failures` ticks failed in a row: the poll interval, doubling, capped. */
export function outageDelayMs(pollMs: number, failures: number, maxMs = MAX_OUTAGE_DELAY_MS) {
  if (failures <= 0) return pollMs;
  return Math.min(maxMs, pollMs * 2 ** failures);
}

/**
 * Whether a polling loop (scheduler, dispatcher) reaches its database, said in the log once per
 * change, not once per tick: a warning when the first tick fails, a line when one succeeds again.
 * While it fails the loop waits longer and longer (outageDelayMs), so an outage is quiet.
 */
export class OutageWatch {
  #failures = 0;

  constructor(
    private readonly log: Logger,
    private readonly loop: string,
  ) {}

  get failing(): boolean {
    return this.#failures > 0;
  }

  /** A tick failed; returns how long to wait before the next one. */
  failed(error: unknown, pollMs: number): number {
    if (this.#failures === 0)
      this.log.warn(
        { err: error },
        `${this.loop}: database unreachable; backing off until it answers`,
      );
    this.#failures += 1;
    return outageDelayMs(pollMs, this.#failures);
  }

  succeeded(): void {
    if (this.#failures > 0)
      this.log.info({ 'retry.count': this.#failures }, `${this.loop}: database reachable again`);
    this.#failures = 0;
  }
}
