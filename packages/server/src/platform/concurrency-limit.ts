/**
 * At most `max` pieces of work at once; the rest wait their turn, first come first served. A burst
 * of heavy requests (thousands of forecasts in one second) then holds only `max` of the database
 * pool's connections, and the light work that keeps connections alive (heartbeats in and out, due
 * work) never queues behind the whole burst for a connection of its own.
 */
export class ConcurrencyLimit {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error('ConcurrencyLimit: max must be ≥ 1');
  }

  /** Pieces of work running now, and waiting for a turn. */
  get active(): number {
    return this.#active;
  }
  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((turn) => this.#waiting.push(turn));
    else this.#active += 1;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so nobody can jump the queue in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    }
  }
}
