import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicationDelayMs } from './measurements';

describe('when a connection publishes after its window ends', () => {
  const ids = Array.from({ length: 2000 }, () => randomUUID());

  it.each([
    [60, 6_000],
    [300, 30_000],
    // Vector's 15 minutes and longer: at most 30 s, half of the minute a whole boundary may take.
    [900, 30_000],
    [3600, 30_000],
  ])(
    'every %i s window goes out within %i ms of its end, spread over that time',
    (interval, bound) => {
      const delays = ids.map((id) => publicationDelayMs(id, interval));
      expect(Math.max(...delays)).toBeLessThan(bound);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
      // Spread, not bunched: each tenth of the range holds some of 2,000 connections.
      const tenths = new Set(delays.map((d) => Math.floor((d / bound) * 10)));
      expect(tenths.size).toBe(10);
    },
  );

  it('is the same for a connection every time (its windows keep one rhythm)', () => {
    const id = ids[0]!;
    expect(publicationDelayMs(id, 900)).toBe(publicationDelayMs(id, 900));
  });
});
