import type { CapacityHistory, CircuitBreaches, EnvelopeView } from '../../api/types';

/** The chart's series as points `[time ms, amps]`; '-' breaks a line where nothing applies. */
export type Point = [number, number | '-'];

export interface FutureBlock {
  start: number;
  end: number;
  limitA: number;
  source: string;
}

/** The blocks of open envelopes of a role still ahead, clipped to [now, horizon]. */
export function futureBlocks(
  envelopes: EnvelopeView[],
  now: number,
  horizon: number,
  role: EnvelopeView['role'],
): FutureBlock[] {
  const blocks: FutureBlock[] = [];
  for (const env of envelopes) {
    if (env.status !== 'ACTIVE' && env.status !== 'SCHEDULED') continue;
    if (env.role !== role) continue;
    for (const b of env.blocks) {
      const start = Math.max(Date.parse(b.start), now);
      const end = Math.min(Date.parse(b.end), horizon);
      if (Number.isFinite(start) && Number.isFinite(end) && end > start) {
        blocks.push({ start, end, limitA: b.importLimitA, source: env.source });
      }
    }
  }
  return blocks.sort((a, b) => a.start - b.start);
}

/**
 * Capacity ahead as the server will compute it: min(static, every block in force), one step per
 * boundary; the line breaks where no block is in force (the static limit applies there).
 */
export function scheduledCapacity(blocks: FutureBlock[], staticCapacityA: number): Point[] {
  const boundaries = [...new Set(blocks.flatMap((b) => [b.start, b.end]))].sort((a, b) => a - b);
  const data: Point[] = [];
  let open = false;
  for (let i = 0; i < boundaries.length - 1; i += 1) {
    const from = boundaries[i]!;
    const until = boundaries[i + 1]!;
    const inForce = blocks.filter((b) => b.start <= from && from < b.end);
    if (inForce.length === 0) {
      if (open) data.push([from, '-']);
      open = false;
      continue;
    }
    const amps = Math.min(staticCapacityA, ...inForce.map((b) => b.limitA));
    data.push([from, amps], [until, amps]);
    open = true;
  }
  return data;
}

/** The value a step line shows at an instant: the last point at or before it (none in a gap). */
export function valueAt(points: Point[], at: number): number | undefined {
  let value: number | '-' | undefined;
  for (const [x, y] of points) {
    if (x > at) break;
    value = y;
  }
  return typeof value === 'number' ? value : undefined;
}

/** The block in force at an instant, if any (the lowest, when several overlap). */
export function blockAt(blocks: FutureBlock[], at: number): FutureBlock | undefined {
  return blocks.filter((b) => b.start <= at && at < b.end).sort((a, b) => a.limitA - b.limitA)[0];
}

type HistoryPoint = CapacityHistory['points'][number];

/** The history point in force at an instant of the past. */
export function historyAt(points: HistoryPoint[], at: number): HistoryPoint | undefined {
  let found: HistoryPoint | undefined;
  for (const p of points) {
    if (Date.parse(p.at) > at) break;
    found = p;
  }
  return found;
}

/** The adapters' categories of a contingency limit (OSCP's fallback and gap policy). */
const FALLBACK_CATEGORIES = new Set(['FALLBACK_OFFLINE', 'FALLBACK_GAP', 'GAP_POLICY']);

export const isFallback = (p: HistoryPoint) => p.fallback || FALLBACK_CATEGORIES.has(p.category);

/** Spans of the past in which a fallback limit was in force: shaded yellow, and only they. */
export function fallbackSpans(points: HistoryPoint[], now: number): [number, number][] {
  return points.flatMap((p, i) => {
    const until = i + 1 < points.length ? Date.parse(points[i + 1]!.at) : now;
    return isFallback(p) ? [[Date.parse(p.at), until] as [number, number]] : [];
  });
}

export interface BreachSpan {
  start: number;
  end: number;
  kind: 'BREACH' | 'SUSPECTED';
}

/**
 * The circuit's breaches in the past (from their over-the-limit start to their end, or now while
 * open) and a suspicion running now, clipped to [from, now].
 */
export function breachSpans(
  breaches: CircuitBreaches | undefined,
  from: number,
  now: number,
): BreachSpan[] {
  if (!breaches) return [];
  const spans: BreachSpan[] = breaches.episodes.map((e) => ({
    start: Math.max(Date.parse(e.since), from),
    end: Math.min(e.endedAt ? Date.parse(e.endedAt) : now, now),
    kind: 'BREACH',
  }));
  if (breaches.status === 'SUSPECTED' && breaches.overSince)
    spans.push({
      start: Math.max(Date.parse(breaches.overSince), from),
      end: now,
      kind: 'SUSPECTED',
    });
  return spans.filter((s) => s.end > s.start);
}
