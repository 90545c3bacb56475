import { describe, expect, it } from 'vitest';
import {
  effectiveCapacity,
  floorTenth,
  toAmpsPerPhase,
  type BlockInForce,
  type CircuitElectrical,
} from './capacity';

const threePhase: CircuitElectrical = { phaseCount: 3, nominalVoltageV: 230, staticCapacityA: 160 };
const singlePhase: CircuitElectrical = { phaseCount: 1, nominalVoltageV: 230, staticCapacityA: 63 };

function block(overrides: Partial<BlockInForce> & Pick<BlockInForce, 'limit'>): BlockInForce {
  return {
    envelopeId: 'env-a',
    description: 'Envelope A',
    origin: { kind: 'MANUAL', by: 'tester' },
    submittedAt: '2026-03-02T09:00:00.000Z',
    blockIndex: 0,
    blockEndsAt: '2026-03-02T10:00:00.000Z',
    ...overrides,
  };
}

describe('toAmpsPerPhase', () => {
  it('passes amps through unchanged', () => {
    expect(toAmpsPerPhase({ value: 42.5, unit: 'A' }, threePhase)).toBe(42.5);
    expect(toAmpsPerPhase({ value: 42.5, unit: 'A' }, singlePhase)).toBe(42.5);
  });

  it('spreads kW evenly over the three phases at the phase voltage', () => {
    // 69 kW / (230 V × 3) = 100 A per phase.
    expect(toAmpsPerPhase({ value: 69, unit: 'KW' }, threePhase)).toBeCloseTo(100, 9);
    // 46 kW / 690 V = 66.67 A per phase.
    expect(toAmpsPerPhase({ value: 46, unit: 'KW' }, threePhase)).toBeCloseTo(66.6667, 3);
  });

  it('puts all kW on the one phase of a single-phase circuit', () => {
    // 23 kW / 230 V = 100 A.
    expect(toAmpsPerPhase({ value: 23, unit: 'KW' }, singlePhase)).toBeCloseTo(100, 9);
    expect(toAmpsPerPhase({ value: 46, unit: 'KW' }, singlePhase)).toBeCloseTo(200, 9);
  });

  it('uses the circuit’s own nominal voltage', () => {
    expect(
      toAmpsPerPhase({ value: 24, unit: 'KW' }, { ...singlePhase, nominalVoltageV: 240 }),
    ).toBeCloseTo(100, 9);
  });

  it('maps zero to zero in either unit', () => {
    expect(toAmpsPerPhase({ value: 0, unit: 'KW' }, threePhase)).toBe(0);
    expect(toAmpsPerPhase({ value: 0, unit: 'A' }, threePhase)).toBe(0);
  });
});

describe('effectiveCapacity', () => {
  it('is the static limit when nothing is in force', () => {
    expect(effectiveCapacity(threePhase, [])).toEqual({ amps: 160, source: { kind: 'STATIC' } });
  });

  it('takes the lowest limit in force and names it as the source', () => {
    const result = effectiveCapacity(threePhase, [
      block({ envelopeId: 'high', description: 'High', limit: { value: 120, unit: 'A' } }),
      block({
        envelopeId: 'low',
        description: 'Low',
        blockIndex: 2,
        blockEndsAt: '2026-03-02T11:00:00.000Z',
        limit: { value: 90, unit: 'A' },
      }),
    ]);
    expect(result).toEqual({
      amps: 90,
      source: {
        kind: 'ENVELOPE',
        envelopeId: 'low',
        description: 'Low',
        origin: { kind: 'MANUAL', by: 'tester' },
        blockIndex: 2,
        blockEndsAt: '2026-03-02T11:00:00.000Z',
        limit: { value: 90, unit: 'A' },
      },
    });
  });

  it('compares kW and A limits in amps per phase', () => {
    // 46 kW on three phases = 66.6 A, below the 80 A limit.
    const result = effectiveCapacity(threePhase, [
      block({ envelopeId: 'amps', limit: { value: 80, unit: 'A' } }),
      block({ envelopeId: 'kw', limit: { value: 46, unit: 'KW' } }),
    ]);
    expect(result.amps).toBe(66.6);
    expect(result.source.kind === 'ENVELOPE' && result.source.envelopeId).toBe('kw');
  });

  it('never goes above the static limit: a higher envelope leaves the static limit as source', () => {
    const result = effectiveCapacity(threePhase, [block({ limit: { value: 400, unit: 'A' } })]);
    expect(result).toEqual({ amps: 160, source: { kind: 'STATIC' } });
  });

  it('keeps the static limit as the source when an envelope only equals it', () => {
    const result = effectiveCapacity(threePhase, [block({ limit: { value: 160, unit: 'A' } })]);
    expect(result).toEqual({ amps: 160, source: { kind: 'STATIC' } });
  });

  it('breaks a tie between envelopes by the earlier submission, whatever the order', () => {
    const earlier = block({
      envelopeId: 'earlier',
      submittedAt: '2026-03-02T08:00:00.000Z',
      limit: { value: 100, unit: 'A' },
    });
    const later = block({
      envelopeId: 'later',
      submittedAt: '2026-03-02T08:30:00.000Z',
      limit: { value: 100, unit: 'A' },
    });
    for (const order of [
      [earlier, later],
      [later, earlier],
    ]) {
      const result = effectiveCapacity(threePhase, order);
      expect(result.amps).toBe(100);
      expect(result.source.kind === 'ENVELOPE' && result.source.envelopeId).toBe('earlier');
    }
  });

  it('treats limits that floor to the same 0.1 A as a tie', () => {
    const earlier = block({
      envelopeId: 'earlier',
      submittedAt: '2026-03-02T08:00:00.000Z',
      limit: { value: 100.04, unit: 'A' },
    });
    const later = block({
      envelopeId: 'later',
      submittedAt: '2026-03-02T08:30:00.000Z',
      limit: { value: 100.01, unit: 'A' },
    });
    const result = effectiveCapacity(threePhase, [later, earlier]);
    expect(result.amps).toBe(100);
    expect(result.source.kind === 'ENVELOPE' && result.source.envelopeId).toBe('earlier');
  });

  it('does not depend on input order even when submissions share an instant', () => {
    const a = block({ envelopeId: 'a', limit: { value: 100, unit: 'A' } });
    const b = block({ envelopeId: 'b', limit: { value: 100, unit: 'A' } });
    const forward = effectiveCapacity(threePhase, [a, b]);
    const backward = effectiveCapacity(threePhase, [b, a]);
    expect(backward).toEqual(forward);
  });

  it('floors to 0.1 A so a limit is never exceeded by rounding', () => {
    // 10 kW on three phases = 14.4927… A.
    expect(effectiveCapacity(threePhase, [block({ limit: { value: 10, unit: 'KW' } })]).amps).toBe(
      14.4,
    );
    expect(
      effectiveCapacity(threePhase, [block({ limit: { value: 99.99, unit: 'A' } })]).amps,
    ).toBe(99.9);
  });

  it('floors the static limit to 0.1 A as well', () => {
    const fractional: CircuitElectrical = { ...threePhase, staticCapacityA: 100.05 };
    expect(effectiveCapacity(fractional, [])).toEqual({ amps: 100, source: { kind: 'STATIC' } });
    // 100.09 A is above the static 100.05 A: after flooring both are 100.0 A, and the static limit stays the source.
    const result = effectiveCapacity(fractional, [block({ limit: { value: 100.09, unit: 'A' } })]);
    expect(result).toEqual({ amps: 100, source: { kind: 'STATIC' } });
  });

  it('allows a zero limit', () => {
    const result = effectiveCapacity(threePhase, [block({ limit: { value: 0, unit: 'A' } })]);
    expect(result.amps).toBe(0);
    expect(result.source.kind).toBe('ENVELOPE');
  });
});

describe('floorTenth', () => {
  it('rounds down to 0.1 A, absorbs binary noise and never goes negative', () => {
    expect(floorTenth(66.666)).toBe(66.6);
    expect(floorTenth(99.99999999999)).toBe(100);
    expect(floorTenth(0.3 - 0.2)).toBe(0.1);
    expect(floorTenth(-5)).toBe(0);
  });
});
