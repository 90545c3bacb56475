import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Allocation, BalancerSession } from './load-balancer';
import { balanceLoad } from './load-balancer';
import type { ExpectedBinding } from './load-balancer.scenarios';
import { loadBalancerScenarios } from './load-balancer.scenarios';
import type { Phase, PhaseCapacity } from './phases';
import { ALL_PHASES, uniformCapacity } from './phases';

function label(allocation: Allocation): ExpectedBinding {
  const b = allocation.binding;
  return b.kind === 'CAPACITY' ? `CAPACITY:${b.phase}` : b.kind;
}

describe('balanceLoad scenarios', () => {
  it('has at least 20 scenarios with unique names', () => {
    expect(loadBalancerScenarios.length).toBeGreaterThanOrEqual(20);
    expect(new Set(loadBalancerScenarios.map((s) => s.name)).size).toBe(
      loadBalancerScenarios.length,
    );
  });

  it.each(loadBalancerScenarios)('$name', ({ capacity, sessions, expected, reasons }) => {
    const allocations = balanceLoad(capacity, sessions);

    expect(allocations.map((a) => a.sessionId)).toEqual(sessions.map((s) => s.sessionId));
    expect(allocations.map((a) => a.chargerId)).toEqual(sessions.map((s) => s.chargerId));
    expect(Object.keys(expected).sort()).toEqual(sessions.map((s) => s.sessionId).sort());
    const actual = Object.fromEntries(
      allocations.map((a) => [a.sessionId, [a.currentA, label(a)]]),
    );
    expect(actual).toEqual(expected);
    for (const [sessionId, text] of Object.entries(reasons ?? {})) {
      const binding = allocations.find((a) => a.sessionId === sessionId)?.binding;
      expect(binding?.kind === 'PAUSED' ? binding.reason : undefined).toContain(text);
    }
  });
});

describe('balanceLoad input handling', () => {
  const ok: BalancerSession = {
    sessionId: 'a',
    chargerId: 'cp-a',
    phases: ['L1'],
    minCurrentA: 6,
    maxCurrentA: 32,
    priority: 0,
    startedAt: '2025-01-06T06:00:00Z',
  };

  it.each([
    ['a duplicate sessionId', [ok, { ...ok, chargerId: 'cp-b' }]],
    ['no phases', [{ ...ok, phases: [] }]],
    ['an unknown phase', [{ ...ok, phases: ['L4' as Phase] }]],
    ['a phase listed twice', [{ ...ok, phases: ['L1', 'L1'] as Phase[] }]],
    ['a NaN maximum', [{ ...ok, maxCurrentA: Number.NaN }]],
    ['a negative minimum', [{ ...ok, minCurrentA: -1 }]],
    ['a negative vehicle maximum', [{ ...ok, vehicleMaxCurrentA: -1 }]],
    ['an infinite priority', [{ ...ok, priority: Number.POSITIVE_INFINITY }]],
    ['an unparseable startedAt', [{ ...ok, startedAt: 'yesterday' }]],
  ] as const)('rejects %s', (_what, sessions) => {
    expect(() => balanceLoad(uniformCapacity(32, 3), sessions)).toThrow(RangeError);
  });

  it('rejects a non-finite capacity', () => {
    expect(() => balanceLoad({ L1: Number.NaN, L2: 0, L3: 0 }, [ok])).toThrow(RangeError);
    expect(() => balanceLoad(uniformCapacity(Number.POSITIVE_INFINITY, 3), [ok])).toThrow(
      RangeError,
    );
  });

  it('does not mutate its inputs', () => {
    const capacity = uniformCapacity(10, 3);
    const sessions = [ok, { ...ok, sessionId: 'b' }];
    const snapshot = structuredClone({ capacity, sessions });
    balanceLoad(capacity, sessions);
    expect({ capacity, sessions }).toEqual(snapshot);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const START = Date.parse('2025-01-06T06:00:00Z');

const sessionSpec = fc.record({
  phases: fc.constantFrom<readonly Phase[]>(['L1'], ['L2'], ['L3'], ALL_PHASES, ALL_PHASES),
  minCurrentA: fc.oneof(
    fc.constant(6),
    fc.integer({ min: 0, max: 160 }).map((d) => d / 10),
  ),
  maxCurrentA: fc.oneof(
    fc.constantFrom(16, 32),
    fc.integer({ min: 0, max: 630 }).map((d) => d / 10),
  ),
  vehicleMaxCurrentA: fc.option(
    fc.integer({ min: 0, max: 630 }).map((d) => d / 10),
    { nil: undefined },
  ),
  priority: fc.integer({ min: 0, max: 3 }),
  startedAt: fc.integer({ min: 0, max: 5 }).map((m) => new Date(START + m * 60_000).toISOString()),
});

const sessionsArb = fc
  .array(sessionSpec, { maxLength: 40 })
  .map((specs): BalancerSession[] =>
    specs.map((spec, i) => ({ ...spec, sessionId: `s${i}`, chargerId: `cp${i}` })),
  );

/** Capacities in whole centi-amps so the test knows the exact value the balancer reads. */
const centi = fc.integer({ min: -1_000, max: 30_000 });
const capacityArb: fc.Arbitrary<PhaseCapacity> = fc.oneof(
  centi.map((c) => uniformCapacity(c / 100, 3)),
  centi.map((c) => uniformCapacity(c / 100, 1)),
  fc.record({ L1: centi, L2: centi, L3: centi }).map(({ L1, L2, L3 }) => ({
    L1: L1 / 100,
    L2: L2 / 100,
    L3: L3 / 100,
  })),
);

const caseArb = fc.record({ capacity: capacityArb, sessions: sessionsArb });

function toDeci(amps: number): number {
  return Math.round(amps * 10);
}
/** The capacity in deci-amps as the balancer reads it: rounded down to 0.1 A. */
function capacityDeci(amps: number): number {
  return Math.floor(Math.round(amps * 100) / 10);
}
function ownCap(s: BalancerSession): number {
  return Math.min(s.maxCurrentA, s.vehicleMaxCurrentA ?? Number.POSITIVE_INFINITY);
}
function effectiveMin(s: BalancerSession): number {
  return Math.min(s.minCurrentA, ownCap(s));
}
/** Negative when `a` is paused before `b`: lower priority, then newer, then greater sessionId. */
function pausedBefore(a: BalancerSession, b: BalancerSession): number {
  return (
    a.priority - b.priority ||
    Date.parse(b.startedAt) - Date.parse(a.startedAt) ||
    (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0)
  );
}
function pausedForCapacity(a: Allocation): boolean {
  return a.binding.kind === 'PAUSED' && !a.binding.reason.includes('no capacity');
}

/**
 * A naive reference model: exact fractions, every event instant recomputed from scratch (O(n²)).
 * Inputs are generated at 0.1 A resolution, so reading them needs no rounding.
 */
function referenceBalance(
  capacity: PhaseCapacity,
  sessions: readonly BalancerSession[],
): { deci: number; binding: string }[] {
  type Frac = { n: bigint; d: bigint };
  const less = (a: Frac, b: Frac) => a.n * b.d < b.n * a.d;
  const equal = (a: Frac, b: Frac) => a.n * b.d === b.n * a.d;
  const cap = ALL_PHASES.map((p) => capacityDeci(capacity[p]));
  const result = sessions.map(() => ({ deci: 0, binding: 'PAUSED' }));
  const items = sessions.map((s, i) => ({
    i,
    s,
    phases: s.phases.map((p) => ALL_PHASES.indexOf(p)),
    min: toDeci(effectiveMin(s)),
    cap: toDeci(ownCap(s)),
    capKind:
      s.vehicleMaxCurrentA !== undefined && s.vehicleMaxCurrentA < s.maxCurrentA
        ? 'VEHICLE_MAX'
        : 'CHARGER_MAX',
  }));
  let active = items.filter((it) => it.phases.every((p) => cap[p]! > 0));
  const load = (p: number) =>
    active.filter((it) => it.phases.includes(p)).reduce((acc, it) => acc + it.min, 0);
  const over = (it: (typeof items)[number]) => it.phases.some((p) => load(p) > cap[p]!);
  for (;;) {
    const candidates = active.filter(over).sort((a, b) => pausedBefore(a.s, b.s));
    if (candidates.length === 0) break;
    active = active.filter((it) => it !== candidates[0]);
  }
  const inc = new Map<number, Frac>();
  while (inc.size < active.length) {
    const open = active.filter((it) => !inc.has(it.i));
    const phaseAt = [0, 1, 2].map((p): Frac | undefined => {
      const on = active.filter((it) => it.phases.includes(p));
      const waiting = on.filter((it) => !inc.has(it.i)).length;
      if (waiting === 0) return undefined;
      let used: Frac = { n: BigInt(on.reduce((acc, it) => acc + it.min, 0)), d: 1n };
      for (const it of on) {
        const f = inc.get(it.i);
        if (f) used = { n: used.n * f.d + f.n * used.d, d: used.d * f.d };
      }
      return { n: BigInt(cap[p]!) * used.d - used.n, d: used.d * BigInt(waiting) };
    });
    let now: Frac = { n: BigInt(Math.min(...open.map((it) => it.cap - it.min))), d: 1n };
    for (const at of phaseAt) if (at && less(at, now)) now = at;
    for (const it of open) {
      if (!equal({ n: BigInt(it.cap - it.min), d: 1n }, now)) continue;
      inc.set(it.i, now);
      result[it.i] = { deci: it.cap, binding: it.capKind };
    }
    phaseAt.forEach((at, p) => {
      if (!at || !equal(at, now)) return;
      for (const it of open) {
        if (inc.has(it.i) || !it.phases.includes(p)) continue;
        inc.set(it.i, now);
        result[it.i] = {
          deci: it.min + Number(now.n / now.d),
          binding: `CAPACITY:${ALL_PHASES[p]}`,
        };
      }
    });
  }
  return result;
}

describe('balanceLoad properties', () => {
  it('matches a naive exact reference model', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const actual = balanceLoad(capacity, sessions).map((a) => ({
          deci: toDeci(a.currentA),
          binding: label(a),
        }));
        expect(actual).toEqual(referenceBalance(capacity, sessions));
      }),
      { numRuns: 1_000 },
    );
  });

  it('never puts more than its capacity on a phase', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const allocations = balanceLoad(capacity, sessions);
        for (const phase of ALL_PHASES) {
          const sum = allocations
            .filter((_, i) => sessions[i]!.phases.includes(phase))
            .reduce((acc, a) => acc + toDeci(a.currentA), 0);
          expect(sum).toBeLessThanOrEqual(Math.max(0, capacityDeci(capacity[phase])));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives whole tenths of an amp without float noise, in input order', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const allocations = balanceLoad(capacity, sessions);
        expect(allocations.map((a) => a.sessionId)).toEqual(sessions.map((s) => s.sessionId));
        for (const a of allocations) expect(a.currentA).toBe(toDeci(a.currentA) / 10);
      }),
    );
  });

  it('respects every cap and gives every charging session at least its minimum', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        balanceLoad(capacity, sessions).forEach((a, i) => {
          const s = sessions[i]!;
          expect(a.currentA).toBeLessThanOrEqual(s.maxCurrentA);
          expect(a.currentA).toBeLessThanOrEqual(s.vehicleMaxCurrentA ?? Number.POSITIVE_INFINITY);
          if (a.binding.kind === 'PAUSED') expect(a.currentA).toBe(0);
          else expect(a.currentA).toBeGreaterThanOrEqual(effectiveMin(s));
        });
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic regardless of input order', () => {
    const withPermutation = caseArb.chain(({ capacity, sessions }) =>
      fc
        .shuffledSubarray(sessions, { minLength: sessions.length, maxLength: sessions.length })
        .map((shuffled) => ({ capacity, sessions, shuffled })),
    );
    fc.assert(
      fc.property(withPermutation, ({ capacity, sessions, shuffled }) => {
        const bySession = (list: readonly BalancerSession[]) =>
          new Map(balanceLoad(capacity, list).map((a) => [a.sessionId, a]));
        expect(bySession(shuffled)).toEqual(bySession(sessions));
      }),
      { numRuns: 300 },
    );
  });

  it('pauses the less important session first among sessions competing on its phases', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const allocations = balanceLoad(capacity, sessions);
        allocations.forEach((p, i) => {
          if (!pausedForCapacity(p)) return;
          const paused = sessions[i]!;
          allocations.forEach((a, j) => {
            const other = sessions[j]!;
            const competes = paused.phases.every((phase) => other.phases.includes(phase));
            // A charging session that uses every phase the paused one uses must rank above it.
            if (a.binding.kind !== 'PAUSED' && competes) {
              expect(pausedBefore(other, paused)).toBeGreaterThan(0);
            }
          });
        });
      }),
      { numRuns: 500 },
    );
  });

  it('pauses nobody for minimums when they all fit', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const live = sessions.filter((s) => s.phases.every((p) => capacityDeci(capacity[p]) > 0));
        const fits = ALL_PHASES.every(
          (phase) =>
            live
              .filter((s) => s.phases.includes(phase))
              .reduce((acc, s) => acc + toDeci(effectiveMin(s)), 0) <=
            capacityDeci(capacity[phase]),
        );
        if (!fits) return;
        expect(balanceLoad(capacity, sessions).filter(pausedForCapacity)).toEqual([]);
      }),
    );
  });

  it('keeps as many equal sessions as fit on a single phase, pausing in pause order', () => {
    const arb = fc.record({
      amps: fc.integer({ min: 6, max: 200 }),
      specs: fc.array(fc.record({ priority: fc.integer({ min: 0, max: 2 }), minute: fc.nat(3) }), {
        maxLength: 40,
      }),
    });
    fc.assert(
      fc.property(arb, ({ amps, specs }) => {
        const sessions: BalancerSession[] = specs.map((spec, i) => ({
          sessionId: `s${i}`,
          chargerId: `cp${i}`,
          phases: ['L1'],
          minCurrentA: 6,
          maxCurrentA: 32,
          priority: spec.priority,
          startedAt: new Date(START + spec.minute * 60_000).toISOString(),
        }));
        const allocations = balanceLoad(uniformCapacity(amps, 1), sessions);
        const keep = Math.min(sessions.length, Math.floor(amps / 6));
        const expectedPaused = [...sessions]
          .sort(pausedBefore)
          .slice(0, sessions.length - keep)
          .map((s) => s.sessionId)
          .sort();
        const paused = allocations
          .filter((a) => a.binding.kind === 'PAUSED')
          .map((a) => a.sessionId)
          .sort();
        expect(paused).toEqual(expectedPaused);
      }),
    );
  });

  it('reports a binding that really binds', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const allocations = balanceLoad(capacity, sessions);
        const charging = (phase: Phase) =>
          allocations.filter(
            (a, i) => a.binding.kind !== 'PAUSED' && sessions[i]!.phases.includes(phase),
          );
        allocations.forEach((a, i) => {
          const s = sessions[i]!;
          switch (a.binding.kind) {
            case 'CHARGER_MAX':
              expect(a.currentA).toBe(s.maxCurrentA);
              expect(s.vehicleMaxCurrentA ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(
                s.maxCurrentA,
              );
              break;
            case 'VEHICLE_MAX':
              expect(a.currentA).toBe(s.vehicleMaxCurrentA);
              expect(s.vehicleMaxCurrentA).toBeLessThan(s.maxCurrentA);
              break;
            case 'CAPACITY': {
              const { phase } = a.binding;
              expect(s.phases).toContain(phase);
              expect(a.currentA).toBeLessThan(ownCap(s));
              // The phase is full, up to less than 0.1 A lost to rounding per charging session.
              const on = charging(phase);
              const used = on.reduce((acc, b) => acc + toDeci(b.currentA), 0);
              expect(capacityDeci(capacity[phase]) - used).toBeLessThan(on.length);
              break;
            }
            case 'PAUSED':
              expect(a.binding.reason).toMatch(/^Paused: /);
              break;
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it('shares equally: the same increment for everyone a phase stops, no more for capped ones', () => {
    fc.assert(
      fc.property(caseArb, ({ capacity, sessions }) => {
        const allocations = balanceLoad(capacity, sessions);
        const increment = (i: number) =>
          toDeci(allocations[i]!.currentA) - toDeci(effectiveMin(sessions[i]!));
        for (const phase of ALL_PHASES) {
          const stopped = allocations
            .map((a, i) => ({ a, i }))
            .filter(({ a }) => a.binding.kind === 'CAPACITY' && a.binding.phase === phase);
          if (stopped.length === 0) continue;
          const level = increment(stopped[0]!.i);
          for (const { i } of stopped) expect(increment(i)).toBe(level);
          allocations.forEach((a, i) => {
            const capped = a.binding.kind === 'CHARGER_MAX' || a.binding.kind === 'VEHICLE_MAX';
            if (capped && sessions[i]!.phases.includes(phase)) {
              expect(increment(i)).toBeLessThanOrEqual(level);
            }
          });
        }
      }),
      { numRuns: 500 },
    );
  });
});

// Its speed is measured in bench/ (load-balancer benchmark), never by a timed test.
describe('balanceLoad at depot-fleet scale', () => {
  it('balances 1,000 sessions within every phase limit', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const phaseChoices: readonly (readonly Phase[])[] = [['L1'], ['L2'], ['L3'], ALL_PHASES];
    const sessions: BalancerSession[] = Array.from({ length: 1_000 }, (_, i) => ({
      sessionId: `session-${i}`,
      chargerId: `cp-${i}`,
      phases: phaseChoices[Math.floor(random() * phaseChoices.length)]!,
      minCurrentA: 6,
      maxCurrentA: random() < 0.5 ? 16 : 32,
      vehicleMaxCurrentA: random() < 0.3 ? Math.round(random() * 320) / 10 : undefined,
      priority: Math.floor(random() * 3),
      startedAt: new Date(START + Math.floor(random() * 86_400_000)).toISOString(),
    }));
    // Tight enough to pause some sessions and run out on every phase.
    const capacity: PhaseCapacity = { L1: 2_800, L2: 4_000, L3: 5_000 };
    const allocations = balanceLoad(capacity, sessions);
    expect(allocations.some((a) => a.binding.kind === 'PAUSED')).toBe(true);
    expect(new Set(allocations.map((a) => a.binding.kind)).size).toBe(4);
    for (const phase of ALL_PHASES) {
      const used = allocations
        .filter((a, i) => sessions[i]!.phases.includes(phase))
        .reduce((sum, a) => sum + a.currentA, 0);
      expect(used).toBeLessThanOrEqual(capacity[phase] + 1e-9);
    }
  });
});
