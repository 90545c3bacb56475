import type { PowerLimit } from './capacity';

export interface EnvelopeBlockInput {
  start: string;
  end: string;
  importLimit: PowerLimit;
}

export type EnvelopeStatus = 'SCHEDULED' | 'ACTIVE' | 'EXPIRED' | 'WITHDRAWN';

export interface BlockProblem {
  /** Index from 0 (field paths: `blocks.0.start`); messages number blocks from 1, as the console does. */
  block: number;
  field: string;
  message: string;
}

/**
 * Checks an envelope's blocks on their own: each ends after it starts, limits are not negative,
 * and no two blocks overlap (touching is fine: a block ends where the next starts).
 * Returns every problem, each naming its block by index, so a sender can fix them all at once.
 */
export function validateBlocks(blocks: readonly EnvelopeBlockInput[]): BlockProblem[] {
  const found: BlockProblem[] = [];
  if (blocks.length === 0)
    return [{ block: -1, field: 'blocks', message: 'at least one block is required' }];
  blocks.forEach((b, i) => {
    const start = Date.parse(b.start);
    const end = Date.parse(b.end);
    if (Number.isNaN(start))
      found.push({ block: i, field: 'start', message: 'is not a valid instant' });
    if (Number.isNaN(end))
      found.push({ block: i, field: 'end', message: 'is not a valid instant' });
    if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start) {
      found.push({ block: i, field: 'end', message: `must be after start (${b.start})` });
    }
    if (!Number.isFinite(b.importLimit.value) || b.importLimit.value < 0) {
      found.push({ block: i, field: 'importLimit.value', message: 'must be zero or more' });
    }
  });
  const ordered = blocks
    .map((b, i) => ({ i, start: Date.parse(b.start), end: Date.parse(b.end) }))
    .filter((b) => !Number.isNaN(b.start) && !Number.isNaN(b.end) && b.end > b.start)
    .sort((a, b) => a.start - b.start || a.i - b.i);
  // Compare with the block reaching furthest so far, not only the previous one: a long block
  // can contain several short ones.
  let reach = ordered[0];
  for (let k = 1; k < ordered.length; k += 1) {
    const cur = ordered[k]!;
    if (cur.start < reach!.end) {
      found.push({ block: cur.i, field: 'start', message: `overlaps block ${reach!.i + 1}` });
    }
    if (cur.end > reach!.end) reach = cur;
  }
  return found;
}

/** An envelope's status at an instant, from its overall span. Withdrawal is final and decided elsewhere. */
export function statusAt(
  span: { startsAt: Date; endsAt: Date },
  now: Date,
): Exclude<EnvelopeStatus, 'WITHDRAWN'> {
  if (now < span.startsAt) return 'SCHEDULED';
  if (now >= span.endsAt) return 'EXPIRED';
  return 'ACTIVE';
}
