import type { CapacityForecastType, ForecastedBlock, PhaseIndicator } from '@openvelope/oscp';

/**
 * From an OSCP capacity forecast to protocol-agnostic limits. Nothing here leaves the OSCP context
 * in OSCP terms: the microgrid only ever sees instants and limits (A per phase or kW).
 */

/** What a forecast type means for us. */
export type ForecastRole = 'PRIMARY' | 'FALLBACK' | 'OPTIMUM';
export type FlowDirection = 'IMPORT' | 'EXPORT';

export function roleOf(type: CapacityForecastType): {
  role: ForecastRole;
  direction: FlowDirection;
} {
  switch (type) {
    case 'CONSUMPTION':
      return { role: 'PRIMARY', direction: 'IMPORT' };
    case 'GENERATION':
      return { role: 'PRIMARY', direction: 'EXPORT' };
    case 'FALLBACK_CONSUMPTION':
      return { role: 'FALLBACK', direction: 'IMPORT' };
    case 'FALLBACK_GENERATION':
      return { role: 'FALLBACK', direction: 'EXPORT' };
    case 'OPTIMUM':
      return { role: 'OPTIMUM', direction: 'IMPORT' };
  }
}

/** A limit the microgrid understands: amps on each phase, total kW, or kW on each phase. */
export interface TranslatedLimit {
  value: number;
  unit: 'A' | 'KW' | 'KW_PER_PHASE';
}

export interface TranslatedBlock {
  index: number;
  start: Date;
  end: Date;
  limit: TranslatedLimit;
  /** As received, for the record and the console. */
  wire: { capacity: number; unit: string; phase: PhaseIndicator };
}

/**
 * How a block's unit and phase indicator become a limit (ADR 0010). One function, easy to change:
 * - A: amps per phase. ALL, THREE and UNKNOWN apply to every phase; ONE and TWO name the phase the
 *   value was measured on, and we apply it to every phase too (a per-phase limit is never looser
 *   on the other phases, and our circuits share one limit per phase).
 * - W, KW: ALL and UNKNOWN mean the group's total power; ONE, TWO, THREE mean power on each phase.
 * - WH, KWH: energy, not a limit: rejected.
 */
export function interpretBlock(
  block: Pick<ForecastedBlock, 'capacity' | 'unit' | 'phase'>,
): TranslatedLimit | { error: string } {
  const perPhase = block.phase === 'ONE' || block.phase === 'TWO' || block.phase === 'THREE';
  switch (block.unit) {
    case 'A':
      return { value: block.capacity, unit: 'A' };
    case 'W':
      return { value: block.capacity / 1000, unit: perPhase ? 'KW_PER_PHASE' : 'KW' };
    case 'KW':
      return { value: block.capacity, unit: perPhase ? 'KW_PER_PHASE' : 'KW' };
    case 'WH':
    case 'KWH':
      return { error: `unit ${block.unit} is energy, not a capacity limit (use A, W or KW)` };
  }
}

/**
 * Translates every block or rejects the whole forecast naming each bad block: energy units,
 * end not after start, and blocks of one message that overlap (touching is fine).
 */
export function translateForecast(
  blocks: readonly ForecastedBlock[],
): { ok: true; blocks: TranslatedBlock[] } | { ok: false; message: string } {
  const problems: string[] = [];
  const translated: TranslatedBlock[] = [];
  blocks.forEach((block, index) => {
    const start = new Date(block.start_time);
    const end = new Date(block.end_time);
    const limit = interpretBlock(block);
    if ('error' in limit) problems.push(`forecasted_blocks[${index}]: ${limit.error}`);
    if (!(end > start))
      problems.push(`forecasted_blocks[${index}]: end_time must be after start_time`);
    if ('error' in limit || !(end > start)) return;
    translated.push({
      index,
      start,
      end,
      limit,
      wire: { capacity: block.capacity, unit: block.unit, phase: block.phase },
    });
  });
  const ordered = [...translated].sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.index - b.index,
  );
  let reach = ordered[0];
  for (const block of ordered.slice(1)) {
    if (reach && block.start < reach.end) {
      problems.push(
        `forecasted_blocks[${block.index}]: overlaps forecasted_blocks[${reach.index}]`,
      );
    }
    if (!reach || block.end > reach.end) reach = block;
  }
  return problems.length > 0
    ? { ok: false, message: problems.join('; ') }
    : { ok: true, blocks: ordered };
}

export interface StoredBlock {
  start: Date;
  end: Date;
  limit: TranslatedLimit;
  requestId: string;
}

/**
 * Replacement rule (ADR 0026, superseding 0011): a new forecast of a type replaces exactly the time
 * it covers — its span [first start, last end), gaps inside it included — and nothing else. Stored
 * blocks of that type are trimmed to what lies outside the span: one that starts before it keeps
 * its head, one that ends after it keeps its tail, one inside it goes. So at every instant the limit
 * in force is that of the newest forecast whose span covers the instant (none where that
 * forecast has a gap). An emergency 13 minutes inside a 90-minute forecast changes those 13
 * minutes only; Vector's rolling 24-hour horizon still replaces everything it spans.
 */
export function replaceBlocks<T extends StoredBlock>(
  stored: readonly T[],
  incoming: readonly T[],
): T[] {
  if (incoming.length === 0) return [...stored];
  const spanStart = Math.min(...incoming.map((b) => b.start.getTime()));
  const spanEnd = Math.max(...incoming.map((b) => b.end.getTime()));
  const kept = stored.flatMap((b): T[] => {
    const start = b.start.getTime();
    const end = b.end.getTime();
    if (end <= spanStart || start >= spanEnd) return [b];
    const parts: T[] = [];
    if (start < spanStart) parts.push(trimmed(b, b.start, new Date(spanStart)));
    if (end > spanEnd) parts.push(trimmed(b, new Date(spanEnd), b.end));
    return parts;
  });
  return [...kept, ...incoming].sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** The part of a stored block between two instants: a new block, not the stored row. */
function trimmed<T extends StoredBlock>(block: T, start: Date, end: Date): T {
  const { id: _id, ...rest } = block as T & { id?: unknown };
  return { ...(rest as T), start, end };
}

export function blockCovering<T extends { start: Date; end: Date }>(
  blocks: readonly T[],
  now: Date,
): T | undefined {
  return blocks.find((b) => b.start <= now && now < b.end);
}
