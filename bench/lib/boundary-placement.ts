/**
 * Where the measured window starts relative to the measurement boundaries on the clock grid. A
 * boundary near the window's end would leave its deliveries and the heartbeats after it outside
 * the window, so the window waits (less than one interval) until one boundary sits well inside.
 */
export interface BoundaryPlacement {
  /** The measurement publication interval: boundaries are its multiples since the epoch. */
  intervalSeconds: number;
  /** At least this long between the window's start and the boundary. */
  beforeSeconds: number;
  /** At least this long between the boundary and the window's end. */
  afterSeconds: number;
}

/** Milliseconds to wait from `now` before a window of `windowSeconds` holds a boundary as asked. */
export function waitBeforeWindowMs(
  now: number,
  windowSeconds: number,
  placement: BoundaryPlacement,
): number {
  const interval = placement.intervalSeconds * 1000;
  const before = placement.beforeSeconds * 1000;
  const boundary = Math.ceil((now + before) / interval) * interval;
  if (boundary + placement.afterSeconds * 1000 <= now + windowSeconds * 1000) return 0;
  // Start so this boundary lies `before` into the window; the caller keeps before + after within it.
  return Math.max(0, boundary - before - now);
}
