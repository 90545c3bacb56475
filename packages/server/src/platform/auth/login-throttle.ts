import type { Clock } from '../clock';

/**
 * Counts failed sign-ins per (username, client address) in a sliding-free fixed window.
 * Only failures count, so a busy shared address cannot lock out people who type correctly.
 * Kept in memory: each instance throttles on its own, which bounds guessing to N × instances.
 */
/** Past this many remembered keys, expired ones are swept on the next failure. */
const SWEEP_ABOVE = 10_000;

export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until the key may try again, or 0 if it may try now. */
  retryAfterSeconds(key: string): number {
    const entry = this.#failures.get(key);
    if (!entry) return 0;
    const elapsed = this.clock.now().getTime() - entry.windowStart;
    if (elapsed >= this.windowMs) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil((this.windowMs - elapsed) / 1000) : 0;
  }

  recordFailure(key: string): void {
    const now = this.clock.now().getTime();
    // Names are the caller's to choose: forget windows that ended so the map cannot grow for ever.
    if (this.#failures.size > SWEEP_ABOVE) {
      for (const [k, entry] of this.#failures)
        if (now - entry.windowStart >= this.windowMs) this.#failures.delete(k);
    }
    const entry = this.#failures.get(key);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      this.#failures.set(key, { count: 1, windowStart: now });
    } else {
      entry.count += 1;
    }
  }

  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }

  /** How many keys are remembered (for tests of the sweep). */
  get size(): number {
    return this.#failures.size;
  }
}
