import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockCovering, replaceBlocks, type StoredBlock } from './forecast-translation';

// ADR 0026 as a property: after any sequence of forecasts of one type, at every instant the limit
// in force is the newest forecast's whose span covers the instant — its block there, or none where
// it has a gap — and none where no forecast's span reaches.

const T0 = Date.UTC(2026, 2, 2, 0, 0);
const minute = (m: number) => new Date(T0 + m * 60_000);

/** A forecast: up to five blocks in order, each after an optional gap, within about a day. */
const forecastArb = fc
  .record({
    start: fc.integer({ min: 0, max: 1200 }),
    pieces: fc.array(
      fc.record({ gap: fc.integer({ min: 0, max: 60 }), length: fc.integer({ min: 1, max: 120 }) }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ start, pieces }) => {
    let at = start;
    return pieces.map(({ gap, length }) => {
      const from = at + gap;
      at = from + length;
      return { from, to: at };
    });
  });

describe('forecast replacement (property)', () => {
  it('leaves in force, at every instant, the newest forecast that spans it', () => {
    fc.assert(
      fc.property(fc.array(forecastArb, { minLength: 1, maxLength: 6 }), (forecasts) => {
        let stored: StoredBlock[] = [];
        const sent = forecasts.map((blocks, n) =>
          blocks.map((b, i): StoredBlock => ({
            start: minute(b.from),
            end: minute(b.to),
            limit: { value: n * 10 + i, unit: 'A' },
            requestId: `f${n}`,
          })),
        );
        for (const incoming of sent) stored = replaceBlocks(stored, incoming);

        // Stored blocks never overlap.
        for (let i = 1; i < stored.length; i += 1)
          expect(stored[i]!.start.getTime()).toBeGreaterThanOrEqual(stored[i - 1]!.end.getTime());

        // Both sides are constant between block boundaries: checking each boundary covers all.
        const boundaries = new Set(forecasts.flat().flatMap((b) => [b.from, b.to]));
        for (const m of boundaries) {
          const now = minute(m);
          const newest = [...sent]
            .reverse()
            .find(
              (f) =>
                f[0]!.start <= now && now < new Date(Math.max(...f.map((b) => b.end.getTime()))),
            );
          const expected = newest ? blockCovering(newest, now) : undefined;
          const actual = blockCovering(stored, now);
          expect(actual && [actual.requestId, actual.limit.value]).toEqual(
            expected && [expected.requestId, expected.limit.value],
          );
        }
      }),
      { seed: 20261205, numRuns: 300 },
    );
  });
});
