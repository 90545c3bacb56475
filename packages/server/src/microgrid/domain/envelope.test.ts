import { describe, expect, it } from 'vitest';
import { statusAt, validateBlocks, type EnvelopeBlockInput } from './envelope';

const at = (hhmm: string) => `2026-03-02T${hhmm}:00.000Z`;
const instant = (hhmm: string) => new Date(at(hhmm));

function input(start: string, end: string, value = 100): EnvelopeBlockInput {
  return { start: at(start), end: at(end), importLimit: { value, unit: 'A' } };
}

describe('validateBlocks', () => {
  it('accepts blocks that touch: one ends where the next starts', () => {
    expect(validateBlocks([input('09:00', '10:00'), input('10:00', '11:00')])).toEqual([]);
  });

  it('accepts blocks given out of order', () => {
    expect(validateBlocks([input('10:00', '11:00'), input('09:00', '10:00')])).toEqual([]);
  });

  it('names an overlapping block and the block it overlaps', () => {
    expect(validateBlocks([input('09:00', '10:30'), input('10:00', '11:00')])).toEqual([
      { block: 1, field: 'start', message: 'overlaps block 1' },
    ]);
  });

  it('finds every block inside a long one, not only the one right after it', () => {
    const problems = validateBlocks([
      input('09:00', '12:00'),
      input('09:30', '10:00'),
      input('10:30', '11:00'),
    ]);
    expect(problems).toEqual([
      { block: 1, field: 'start', message: 'overlaps block 1' },
      { block: 2, field: 'start', message: 'overlaps block 1' },
    ]);
  });

  it('treats identical blocks as overlapping', () => {
    expect(validateBlocks([input('09:00', '10:00'), input('09:00', '10:00')])).toEqual([
      { block: 1, field: 'start', message: 'overlaps block 1' },
    ]);
  });

  it('names a block that ends when or before it starts', () => {
    expect(validateBlocks([input('09:00', '10:00'), input('11:00', '10:00')])).toEqual([
      { block: 1, field: 'end', message: `must be after start (${at('11:00')})` },
    ]);
    expect(validateBlocks([input('09:00', '09:00')])).toEqual([
      { block: 0, field: 'end', message: `must be after start (${at('09:00')})` },
    ]);
  });

  it('names a negative or non-finite limit', () => {
    expect(validateBlocks([input('09:00', '10:00'), input('10:00', '11:00', -1)])).toEqual([
      { block: 1, field: 'importLimit.value', message: 'must be zero or more' },
    ]);
    expect(validateBlocks([input('09:00', '10:00', Number.NaN)])).toEqual([
      { block: 0, field: 'importLimit.value', message: 'must be zero or more' },
    ]);
  });

  it('accepts a zero limit', () => {
    expect(validateBlocks([input('09:00', '10:00', 0)])).toEqual([]);
  });

  it('requires at least one block', () => {
    expect(validateBlocks([])).toEqual([
      { block: -1, field: 'blocks', message: 'at least one block is required' },
    ]);
  });

  it('names instants that do not parse', () => {
    expect(
      validateBlocks([{ start: 'soon', end: 'later', importLimit: { value: 1, unit: 'A' } }]),
    ).toEqual([
      { block: 0, field: 'start', message: 'is not a valid instant' },
      { block: 0, field: 'end', message: 'is not a valid instant' },
    ]);
  });

  it('reports every problem at once', () => {
    const problems = validateBlocks([
      input('09:00', '10:00'),
      input('09:30', '10:30', -5),
      input('12:00', '11:00'),
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        { block: 1, field: 'importLimit.value', message: 'must be zero or more' },
        { block: 2, field: 'end', message: `must be after start (${at('12:00')})` },
        { block: 1, field: 'start', message: 'overlaps block 1' },
      ]),
    );
    expect(problems).toHaveLength(3);
  });
});

describe('statusAt', () => {
  const span = { startsAt: instant('10:00'), endsAt: instant('11:00') };

  it('is SCHEDULED before the start', () => {
    expect(statusAt(span, instant('09:59'))).toBe('SCHEDULED');
  });

  it('is ACTIVE from the start (inclusive) until just before the end', () => {
    expect(statusAt(span, instant('10:00'))).toBe('ACTIVE');
    expect(statusAt(span, new Date(instant('11:00').getTime() - 1))).toBe('ACTIVE');
  });

  it('is EXPIRED at the end (exclusive) and after', () => {
    expect(statusAt(span, instant('11:00'))).toBe('EXPIRED');
    expect(statusAt(span, instant('12:00'))).toBe('EXPIRED');
  });
});
