import { toWireTime } from '@openvelope/oscp';
import type {
  CapacityForecastType,
  ForecastedBlock,
  ForecastedBlockUnit,
  PhaseIndicator,
} from '@openvelope/oscp';
import { SimError } from './errors';
import type { ForecastBlockInput, ForecastInput } from './types';

export interface RollingForecastOptions {
  /** Start of the first block, used as given (align it with `alignDown` if needed). */
  from: Date;
  /** Default 24. */
  hours?: number;
  /** Default 15. */
  blockMinutes?: number;
  /** Per-block capacity: a constant, or computed from each block's start and index. */
  capacity: number | ((start: Date, index: number) => number);
  /** Default KW. */
  unit?: ForecastedBlockUnit;
  /** Default ALL. */
  phase?: PhaseIndicator;
  /** Default CONSUMPTION. */
  type?: CapacityForecastType;
  /** Leave out the blocks starting in [from + afterHours, from + afterHours + minutes (default 60)). */
  gap?: { afterHours: number; minutes?: number };
}

const MINUTE_MS = 60_000;

/** Contiguous blocks from `from` over `hours` (Vector: 24 h ahead in 15-minute blocks). */
export function rollingForecast(options: RollingForecastOptions): ForecastInput {
  const { from, hours = 24, blockMinutes = 15, unit = 'KW', phase = 'ALL' } = options;
  positive('hours', hours);
  positive('blockMinutes', blockMinutes);
  if (Number.isNaN(from.getTime())) throw new SimError(400, 'from must be a valid date');
  const capacityAt =
    typeof options.capacity === 'function' ? options.capacity : () => options.capacity as number;
  const end = from.getTime() + hours * 60 * MINUTE_MS;
  const gapStart = options.gap ? from.getTime() + options.gap.afterHours * 60 * MINUTE_MS : NaN;
  const gapEnd = gapStart + (options.gap?.minutes ?? 60) * MINUTE_MS;

  const blocks: ForecastBlockInput[] = [];
  for (let start = from.getTime(), i = 0; start < end; start += blockMinutes * MINUTE_MS, i++) {
    if (start >= gapStart && start < gapEnd) continue;
    const blockStart = new Date(start);
    const capacity = capacityAt(blockStart, i);
    if (!Number.isFinite(capacity) || capacity < 0) {
      throw new SimError(400, `capacity must be a number >= 0 (block ${i}: ${capacity})`);
    }
    blocks.push({
      start: blockStart,
      end: new Date(Math.min(start + blockMinutes * MINUTE_MS, end)),
      capacity,
      unit,
      phase,
    });
  }
  return { type: options.type ?? 'CONSUMPTION', blocks };
}

/** All blocks at capacity 0: what Vector sends during network trouble (charging must stop). */
export function zeroProtectiveForecast(
  options: Omit<RollingForecastOptions, 'capacity'>,
): ForecastInput {
  return rollingForecast({ ...options, capacity: 0 });
}

/** The start of the `minutes`-long slot containing `date` (slots counted from the Unix epoch). */
export function alignDown(date: Date, minutes: number): Date {
  const slot = minutes * MINUTE_MS;
  return new Date(Math.floor(date.getTime() / slot) * slot);
}

/** Wire blocks; Date times become UTC wire timestamps, strings are passed through for the schema. */
export function toWireBlocks(blocks: readonly ForecastBlockInput[]): ForecastedBlock[] {
  return blocks.map((b) => ({
    capacity: b.capacity,
    phase: b.phase,
    unit: b.unit,
    start_time: wireTime(b.start),
    end_time: wireTime(b.end),
  }));
}

function wireTime(value: Date | string): string {
  if (typeof value === 'string') return value;
  try {
    return toWireTime(value);
  } catch (error) {
    throw new SimError(400, error instanceof Error ? error.message : String(error));
  }
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new SimError(400, `${name} must be a number > 0 (got ${value})`);
  }
}
