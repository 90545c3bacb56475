import type { CapacityForecastType } from '@openvelope/oscp';
import { blockCovering } from './forecast-translation';

/**
 * Which accepted forecast an operator message is about (COR-23). Stored forecast blocks exist only
 * for accepted forecasts (a later forecast of the same type replaces what it overlaps), so the
 * forecasts "in force" are read from them.
 */

export interface StoredForecastBlock {
  type: CapacityForecastType;
  start: Date;
  end: Date;
  requestId: string;
  receivedAt: Date;
}

export interface ForecastAhead {
  requestId: string;
  type: CapacityForecastType;
  /** Where its future begins: its first block, or the current minute if that started already. */
  futureStart: Date;
  end: Date;
  receivedAt: Date;
}

const MINUTE_MS = 60_000;

/**
 * Accepted forecasts with blocks still ahead of `now`, newest first. The future span starts at the
 * current minute, not the current millisecond: an operator names periods to the minute.
 */
export function forecastsAhead(blocks: readonly StoredForecastBlock[], now: Date): ForecastAhead[] {
  const minute = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
  const byRequest = new Map<string, ForecastAhead>();
  for (const b of blocks) {
    if (b.end <= now) continue;
    const seen = byRequest.get(b.requestId);
    const start = b.start > minute ? b.start : minute;
    byRequest.set(b.requestId, {
      requestId: b.requestId,
      type: b.type,
      futureStart: seen && seen.futureStart < start ? seen.futureStart : start,
      end: seen && seen.end > b.end ? seen.end : b.end,
      receivedAt: seen && seen.receivedAt > b.receivedAt ? seen.receivedAt : b.receivedAt,
    });
  }
  return [...byRequest.values()].sort(
    (a, b) =>
      b.receivedAt.getTime() - a.receivedAt.getTime() || (a.requestId < b.requestId ? -1 : 1),
  );
}

/** The forecast whose block sets OSCP's limit now: CONSUMPTION first, then FALLBACK_CONSUMPTION. */
export function forecastInForce(
  blocks: readonly StoredForecastBlock[],
  now: Date,
): StoredForecastBlock | undefined {
  for (const type of ['CONSUMPTION', 'FALLBACK_CONSUMPTION'] as const) {
    const block = blockCovering(
      blocks.filter((b) => b.type === type),
      now,
    );
    if (block) return block;
  }
  return undefined;
}

export interface SpanProblem {
  /** Index from 0, as in the request's field path `blocks.0.start`. */
  index: number;
  field: 'start' | 'end';
  message: string;
}

/** Every requested block must lie within the forecast's future span; each one that does not is named. */
export function blocksOutside(
  blocks: readonly { start: Date; end: Date }[],
  forecast: Pick<ForecastAhead, 'futureStart' | 'end'>,
): SpanProblem[] {
  const span = `${forecast.futureStart.toISOString()} to ${forecast.end.toISOString()}`;
  return blocks.flatMap((b, index): SpanProblem[] => {
    if (b.start < forecast.futureStart)
      return [
        { index, field: 'start', message: `must lie within the forecast's future span (${span})` },
      ];
    if (b.end > forecast.end)
      return [
        { index, field: 'end', message: `must lie within the forecast's future span (${span})` },
      ];
    return [];
  });
}
