import type { BalancerSession } from './load-balancer';
import type { Phase, PhaseCapacity } from './phases';
import { ALL_PHASES, uniformCapacity } from './phases';

/** A binding kind as written in the table: CAPACITY carries its phase. */
export type ExpectedBinding = 'CHARGER_MAX' | 'VEHICLE_MAX' | 'PAUSED' | `CAPACITY:${Phase}`;

export interface LoadBalancerScenario {
  name: string;
  capacity: PhaseCapacity;
  sessions: readonly BalancerSession[];
  /** Per sessionId: amps and binding. Every session of the scenario is listed. */
  expected: Readonly<Record<string, readonly [currentA: number, binding: ExpectedBinding]>>;
  /** Per sessionId: text the PAUSED reason must contain. */
  reasons?: Readonly<Record<string, string>>;
}

/** 2025-01-06T06:00Z plus `minutes`. */
function at(minutes: number): string {
  const hh = String(6 + Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `2025-01-06T${hh}:${mm}:00.000Z`;
}

type SessionOptions = Partial<Omit<BalancerSession, 'sessionId' | 'startedAt'>> & {
  /** Minutes after 06:00. */
  start?: number;
};

/** A three-phase 6–32 A session of priority 0 started at 06:00, unless told otherwise. */
function session(sessionId: string, options: SessionOptions = {}): BalancerSession {
  const { start = 0, ...rest } = options;
  return {
    sessionId,
    chargerId: `cp-${sessionId}`,
    phases: ALL_PHASES,
    minCurrentA: 6,
    maxCurrentA: 32,
    priority: 0,
    startedAt: at(start),
    ...rest,
  };
}

function single(sessionId: string, phase: Phase, options: SessionOptions = {}): BalancerSession {
  return session(sessionId, { ...options, phases: [phase] });
}

/**
 * The demo depot: five three-phase 32 A sessions plus one single-phase 32 A session on L1 and one
 * on L2, started ten minutes apart (the single-phase ones last).
 */
const demoDepot: readonly BalancerSession[] = [
  session('ev1', { start: 0 }),
  session('ev2', { start: 10 }),
  session('ev3', { start: 20 }),
  session('ev4', { start: 30 }),
  session('ev5', { start: 40 }),
  single('van-l1', 'L1', { start: 50 }),
  single('van-l2', 'L2', { start: 60 }),
];

export const loadBalancerScenarios: readonly LoadBalancerScenario[] = [
  {
    name: 'no sessions: empty allocation',
    capacity: uniformCapacity(160, 3),
    sessions: [],
    expected: {},
  },
  {
    name: 'one session under capacity: the charger maximum binds',
    capacity: uniformCapacity(160, 3),
    sessions: [session('a')],
    expected: { a: [32, 'CHARGER_MAX'] },
  },
  {
    // 60 A − 3 × 6 A = 42 A shared by three: +14 A each.
    name: 'equal sharing between three-phase sessions',
    capacity: uniformCapacity(60, 3),
    sessions: [session('a'), session('b'), session('c')],
    expected: { a: [20, 'CAPACITY:L1'], b: [20, 'CAPACITY:L1'], c: [20, 'CAPACITY:L1'] },
  },
  {
    name: 'vehicle maximum below the charger maximum binds',
    capacity: uniformCapacity(160, 3),
    sessions: [session('a', { vehicleMaxCurrentA: 16 })],
    expected: { a: [16, 'VEHICLE_MAX'] },
  },
  {
    // 40 − 18 = 22 A to share; a stops at +4 A (10 A), the remaining 18 A go +9 A to b and c.
    name: 'a vehicle limited below its share leaves the rest to the others',
    capacity: uniformCapacity(40, 3),
    sessions: [session('a', { vehicleMaxCurrentA: 10 }), session('b'), session('c')],
    expected: { a: [10, 'VEHICLE_MAX'], b: [15, 'CAPACITY:L1'], c: [15, 'CAPACITY:L1'] },
  },
  {
    name: 'vehicle maximum equal to the charger maximum reports the charger',
    capacity: uniformCapacity(160, 3),
    sessions: [session('a', { maxCurrentA: 16, vehicleMaxCurrentA: 16 })],
    expected: { a: [16, 'CHARGER_MAX'] },
  },
  {
    name: 'vehicle maximum above the charger maximum: the charger binds',
    capacity: uniformCapacity(160, 3),
    sessions: [session('a', { vehicleMaxCurrentA: 63 })],
    expected: { a: [32, 'CHARGER_MAX'] },
  },
  {
    name: 'single-phase chargers on different phases with room to spare: every cap binds',
    capacity: uniformCapacity(63, 3),
    sessions: [
      single('l1', 'L1', { maxCurrentA: 16 }),
      single('l2', 'L2', { maxCurrentA: 16 }),
      session('tri'),
    ],
    expected: { l1: [16, 'CHARGER_MAX'], l2: [16, 'CHARGER_MAX'], tri: [32, 'CHARGER_MAX'] },
  },
  {
    // L1 and L2 each carry two sessions (12 A of minimums): +10 A each before they are full.
    // The three-phase charger is held at 16 A by L1/L2, so 16 A on L3 stay unused.
    name: 'single-phase loads on L1 and L2 hold back a three-phase charger; L3 keeps spare',
    capacity: uniformCapacity(32, 3),
    sessions: [single('l1', 'L1'), single('l2', 'L2'), session('tri')],
    expected: { l1: [16, 'CAPACITY:L1'], l2: [16, 'CAPACITY:L2'], tri: [16, 'CAPACITY:L1'] },
  },
  {
    // L1 carries three sessions: (40 − 18) / 3 = 7.33 A each → 13.33 A, rounded down to 13.3 A.
    // The three-phase charger draws 13.3 A on L2/L3 too although they have 40 A: its current is
    // limited by its most loaded phase.
    name: 'a three-phase charger is limited by its most loaded phase',
    capacity: uniformCapacity(40, 3),
    sessions: [single('a', 'L1'), single('b', 'L1'), session('tri')],
    expected: { a: [13.3, 'CAPACITY:L1'], b: [13.3, 'CAPACITY:L1'], tri: [13.3, 'CAPACITY:L1'] },
  },
  {
    // L1 and L2 both carry three sessions: 50/3 = 16.67 A each. L1 runs out first (phase order on a
    // tie); the three-phase sessions then hold 2 × 16.67 A of L2 and the L2 van gets the exact
    // rest, 16.67 A, rounded down like everyone else: symmetric inputs, symmetric amps.
    name: 'single-phase sessions on L1 and L2 next to two three-phase sessions share exactly',
    capacity: uniformCapacity(50, 3),
    sessions: [single('l1', 'L1'), single('l2', 'L2'), session('x'), session('y')],
    expected: {
      l1: [16.6, 'CAPACITY:L1'],
      l2: [16.6, 'CAPACITY:L2'],
      x: [16.6, 'CAPACITY:L1'],
      y: [16.6, 'CAPACITY:L1'],
    },
  },
  {
    // L1 runs out at 20 A for tri; L2 then has 40 − 20 = 20 A for the L2 van; L3 has room for 32 A.
    name: 'phases with different capacities run out one after another',
    capacity: { L1: 20, L2: 40, L3: 60 },
    sessions: [session('tri'), single('l2', 'L2'), single('l3', 'L3')],
    expected: { tri: [20, 'CAPACITY:L1'], l2: [20, 'CAPACITY:L2'], l3: [32, 'CHARGER_MAX'] },
  },
  {
    name: 'single-phase circuit shared by two single-phase chargers',
    capacity: uniformCapacity(32, 1),
    sessions: [single('a', 'L1'), single('b', 'L1')],
    expected: { a: [16, 'CAPACITY:L1'], b: [16, 'CAPACITY:L1'] },
  },
  {
    name: 'a session drawing on a phase the circuit does not have is paused',
    capacity: uniformCapacity(32, 1),
    sessions: [single('a', 'L1'), session('tri')],
    expected: { a: [32, 'CHARGER_MAX'], tri: [0, 'PAUSED'] },
    reasons: { tri: 'Paused: no capacity on L2 (0 A available)' },
  },
  {
    name: 'zero capacity pauses everyone',
    capacity: uniformCapacity(0, 3),
    sessions: [session('a'), single('b', 'L2')],
    expected: { a: [0, 'PAUSED'], b: [0, 'PAUSED'] },
    reasons: { a: 'no capacity on L1 (0 A available)', b: 'no capacity on L2 (0 A available)' },
  },
  {
    name: 'negative capacity pauses everyone',
    capacity: uniformCapacity(-10, 3),
    sessions: [session('a')],
    expected: { a: [0, 'PAUSED'] },
    reasons: { a: 'no capacity on L1 (-10 A available)' },
  },
  {
    // 3 × 6 A = 18 A > 16 A: b (priority 0) is paused; a and c share 16 − 12 = 4 A.
    name: 'capacity below the sum of minimums: the lowest priority is paused',
    capacity: uniformCapacity(16, 1),
    sessions: [
      single('a', 'L1', { priority: 1 }),
      single('b', 'L1', { priority: 0 }),
      single('c', 'L1', { priority: 2 }),
    ],
    expected: { a: [8, 'CAPACITY:L1'], b: [0, 'PAUSED'], c: [8, 'CAPACITY:L1'] },
    reasons: {
      b: 'Paused: 16 A on L1 cannot give every session its 6 A minimum (lowest priority, newest session paused first)',
    },
  },
  {
    name: 'capacity below the sum of minimums: among equal priority the newest is paused',
    capacity: uniformCapacity(16, 1),
    sessions: [
      single('a', 'L1', { start: 120 }),
      single('b', 'L1', { start: 130 }),
      single('c', 'L1', { start: 125 }),
    ],
    expected: { a: [8, 'CAPACITY:L1'], b: [0, 'PAUSED'], c: [8, 'CAPACITY:L1'] },
  },
  {
    name: 'same priority and start: the greatest sessionId is paused',
    capacity: uniformCapacity(16, 1),
    sessions: [single('b', 'L1'), single('c', 'L1'), single('a', 'L1')],
    expected: { a: [8, 'CAPACITY:L1'], b: [8, 'CAPACITY:L1'], c: [0, 'PAUSED'] },
  },
  {
    // 30 A of minimums on 20 A: s5 then s4 are paused (24 A, then 18 A). The three left share
    // 2 A: 6.67 A each, rounded down to 6.6 A (19.8 A in all, never above 20 A).
    name: 'several pauses, newest first, then the rest rounded down to 0.1 A',
    capacity: uniformCapacity(20, 1),
    sessions: [1, 2, 3, 4, 5].map((i) => single(`s${i}`, 'L1', { start: i })),
    expected: {
      s1: [6.6, 'CAPACITY:L1'],
      s2: [6.6, 'CAPACITY:L1'],
      s3: [6.6, 'CAPACITY:L1'],
      s4: [0, 'PAUSED'],
      s5: [0, 'PAUSED'],
    },
  },
  {
    name: 'exactly enough for the minimums: everyone at the minimum, nobody paused',
    capacity: uniformCapacity(18, 3),
    sessions: [session('a'), session('b'), session('c')],
    expected: { a: [6, 'CAPACITY:L1'], b: [6, 'CAPACITY:L1'], c: [6, 'CAPACITY:L1'] },
  },
  {
    // L1 is overloaded (18 A on 12 A). x has the lowest priority but draws on L2 only, which is
    // fine, so it keeps charging at its maximum; tri is the lowest-priority session on L1.
    name: 'only sessions on an overloaded phase are paused',
    capacity: { L1: 12, L2: 100, L3: 100 },
    sessions: [
      single('a', 'L1', { priority: 5 }),
      single('b', 'L1', { priority: 5 }),
      session('tri', { priority: 1 }),
      single('x', 'L2', { priority: 0 }),
    ],
    expected: {
      a: [6, 'CAPACITY:L1'],
      b: [6, 'CAPACITY:L1'],
      tri: [0, 'PAUSED'],
      x: [32, 'CHARGER_MAX'],
    },
    reasons: { tri: 'Paused: 12 A on L1 cannot give every session its 6 A minimum' },
  },
  {
    name: 'mixed priorities: priority only decides pausing, sharing stays equal',
    capacity: uniformCapacity(60, 3),
    sessions: [
      session('low', { priority: 0 }),
      session('mid', { priority: 5 }),
      session('high', { priority: 10 }),
    ],
    expected: { low: [20, 'CAPACITY:L1'], mid: [20, 'CAPACITY:L1'], high: [20, 'CAPACITY:L1'] },
  },
  {
    // Everyone rises at the same rate above their own minimum: 30 − 16 = 14 A → +7 A each.
    name: 'different minimums: equal increments above each minimum',
    capacity: uniformCapacity(30, 1),
    sessions: [single('a', 'L1'), single('b', 'L1', { minCurrentA: 10 })],
    expected: { a: [13, 'CAPACITY:L1'], b: [17, 'CAPACITY:L1'] },
  },
  {
    // L1 and L2 each carry six sessions (five three-phase + one single-phase): 160 / 6 = 26.67 A,
    // rounded down to 26.6 A (159.6 A on L1 and L2). L3 carries only the five three-phase
    // sessions, 133 A: its 27 A left are unusable because every session on L3 is held back by
    // L1/L2. L1 and L2 run out at the same instant; the three-phase sessions report L1 (phase order).
    name: 'demo depot: 160 A per phase, five three-phase and two single-phase sessions',
    capacity: uniformCapacity(160, 3),
    sessions: demoDepot,
    expected: {
      ev1: [26.6, 'CAPACITY:L1'],
      ev2: [26.6, 'CAPACITY:L1'],
      ev3: [26.6, 'CAPACITY:L1'],
      ev4: [26.6, 'CAPACITY:L1'],
      ev5: [26.6, 'CAPACITY:L1'],
      'van-l1': [26.6, 'CAPACITY:L1'],
      'van-l2': [26.6, 'CAPACITY:L2'],
    },
  },
  {
    // Same reasoning under a 100 A envelope: 100 / 6 = 16.67 A → 16.6 A (99.6 A on L1/L2, 83 A on L3).
    name: 'demo depot under a 100 A per phase envelope',
    capacity: uniformCapacity(100, 3),
    sessions: demoDepot,
    expected: {
      ev1: [16.6, 'CAPACITY:L1'],
      ev2: [16.6, 'CAPACITY:L1'],
      ev3: [16.6, 'CAPACITY:L1'],
      ev4: [16.6, 'CAPACITY:L1'],
      ev5: [16.6, 'CAPACITY:L1'],
      'van-l1': [16.6, 'CAPACITY:L1'],
      'van-l2': [16.6, 'CAPACITY:L2'],
    },
  },
  {
    // 36 A of minimums on L1 and L2 against 30 A: the newest session, van-l2, is paused (L2 fits),
    // then van-l1 (L1 fits). The five three-phase sessions stay at their 6 A minimum.
    name: 'demo depot under a 30 A envelope: newest sessions paused',
    capacity: uniformCapacity(30, 3),
    sessions: demoDepot,
    expected: {
      ev1: [6, 'CAPACITY:L1'],
      ev2: [6, 'CAPACITY:L1'],
      ev3: [6, 'CAPACITY:L1'],
      ev4: [6, 'CAPACITY:L1'],
      ev5: [6, 'CAPACITY:L1'],
      'van-l1': [0, 'PAUSED'],
      'van-l2': [0, 'PAUSED'],
    },
    reasons: {
      'van-l1': 'Paused: 30 A on L1 cannot give every session its 6 A minimum',
      'van-l2': 'Paused: 30 A on L2 cannot give every session its 6 A minimum',
    },
  },
  {
    // van-l1 has priority 1: van-l2 (newest) is paused, then ev5, the newest priority-0 session
    // on L1. L1 is then exactly full; ev1–ev4 hold 24 A of L2/L3, 6 A stay unused there.
    name: 'demo depot under a 30 A envelope with a priority van on L1',
    capacity: uniformCapacity(30, 3),
    sessions: demoDepot.map((s) => (s.sessionId === 'van-l1' ? { ...s, priority: 1 } : s)),
    expected: {
      ev1: [6, 'CAPACITY:L1'],
      ev2: [6, 'CAPACITY:L1'],
      ev3: [6, 'CAPACITY:L1'],
      ev4: [6, 'CAPACITY:L1'],
      ev5: [0, 'PAUSED'],
      'van-l1': [6, 'CAPACITY:L1'],
      'van-l2': [0, 'PAUSED'],
    },
  },
  {
    // The 4 A vehicle counts as a 4 A minimum: 32 − 10 = 22 A for b, which reaches 28 A.
    name: 'a vehicle capped below the charger minimum charges at its cap when that fits',
    capacity: uniformCapacity(32, 3),
    sessions: [session('a', { vehicleMaxCurrentA: 4 }), session('b')],
    expected: { a: [4, 'VEHICLE_MAX'], b: [28, 'CAPACITY:L1'] },
  },
  {
    // 4 A + 6 A = 10 A > 9 A: the 4 A vehicle has the lower priority and is paused.
    name: 'a vehicle capped below the charger minimum is paused when it does not fit',
    capacity: uniformCapacity(9, 1),
    sessions: [
      single('a', 'L1', { vehicleMaxCurrentA: 4, priority: 0 }),
      single('b', 'L1', { priority: 1 }),
    ],
    expected: { a: [0, 'PAUSED'], b: [9, 'CAPACITY:L1'] },
    reasons: { a: 'Paused: 9 A on L1 cannot cover the 10 A of session minimums' },
  },
  {
    // Vehicle a takes nothing; b reaches its 32 A exactly when L1 is full and reports its own cap.
    name: 'a vehicle maximum of 0 A; a cap reached as the phase fills reports the cap',
    capacity: uniformCapacity(32, 3),
    sessions: [session('a', { vehicleMaxCurrentA: 0 }), session('b')],
    expected: { a: [0, 'VEHICLE_MAX'], b: [32, 'CHARGER_MAX'] },
  },
  {
    // (16.1 − 12) / 2 = 2.05 A each → 8.05 A, rounded down to 8 A; 16.1 is read without float noise.
    name: 'fractional capacity: results rounded down to 0.1 A',
    capacity: uniformCapacity(16.1, 1),
    sessions: [single('a', 'L1'), single('b', 'L1')],
    expected: { a: [8, 'CAPACITY:L1'], b: [8, 'CAPACITY:L1'] },
  },
  {
    name: 'fractional charger maximum is read down to 0.1 A',
    capacity: uniformCapacity(160, 3),
    sessions: [session('a', { maxCurrentA: 13.35 })],
    expected: { a: [13.3, 'CHARGER_MAX'] },
  },
];
