import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatWithOffset } from './arbitraries';
import { fromWireTime, toWireTime, wireTimestampSchema } from './time';

describe('toWireTime', () => {
  it('emits UTC with Z and milliseconds', () => {
    expect(toWireTime(new Date('2026-01-15T23:30:00+13:00'))).toBe('2026-01-15T10:30:00.000Z');
  });

  it('round-trips every representable instant through the wire schema', () => {
    fc.assert(
      fc.property(
        fc.date({
          noInvalidDate: true,
          min: new Date('0000-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
        }),
        (date) => {
          const wire = toWireTime(date);
          expect(wire).toMatch(/Z$/);
          expect(wireTimestampSchema.safeParse(wire).success).toBe(true);
          expect(fromWireTime(wire).getTime()).toBe(date.getTime());
        },
      ),
    );
  });

  it('refuses dates it cannot write as RFC 3339', () => {
    expect(() => toWireTime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => toWireTime(new Date('+010000-01-01T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('fromWireTime', () => {
  it('honours any offset', () => {
    fc.assert(
      fc.property(
        fc.date({
          noInvalidDate: true,
          min: new Date('1970-01-02T00:00:00Z'),
          max: new Date('2999-01-01T00:00:00Z'),
        }),
        fc.integer({ min: -720, max: 840 }),
        (date, offset) => {
          expect(fromWireTime(formatWithOffset(date, offset)).getTime()).toBe(date.getTime());
        },
      ),
    );
  });

  it('keeps sub-millisecond digits out of the way', () => {
    expect(fromWireTime('2026-01-15T10:00:00.123456789-05:30').toISOString()).toBe(
      '2026-01-15T15:30:00.123Z',
    );
  });

  it('throws on anything the schema rejects', () => {
    expect(() => fromWireTime('2026-01-15T10:00:00')).toThrow(RangeError);
  });
});
