import type { Phase, PhaseCapacity } from './phases';
import { ALL_PHASES } from './phases';

/**
 * Circuit load balancer: the product's legacy charging policy.
 *
 * 1. Minimums first. Every session gets its minimum. While the minimums do not fit on some phase,
 *    sessions drawing on an overloaded phase are paused one at a time: lowest priority first, then
 *    the newest (latest startedAt), then the greatest sessionId (code-unit order). Paused sessions
 *    are not re-admitted when a later pause frees room (no backfill), so a session is never left
 *    paused while a less important session drawing on all of its phases charges.
 *    A phase with no capacity (0 A or less) pauses every session that draws on it.
 * 2. Water-filling. The rest is shared equally: every unfrozen session's current rises above its
 *    minimum at the same rate. A session freezes at its own cap, min(charger max, vehicle max)
 *    (CHARGER_MAX or VEHICLE_MAX, the charger when equal), or when a phase it draws on runs out
 *    (CAPACITY, that phase; ties between phases go to L1, then L2, then L3). When a session
 *    reaches its cap at the very moment a phase runs out, its own cap is reported.
 *    Priority plays no part in sharing.
 * 3. Rounding. The filling is computed exactly, in deci-amps with exact rational instants, then
 *    each result is rounded down to 0.1 A: no phase ever carries more than its capacity, and a
 *    phase may keep a remainder of less than 0.1 A per session unallocated.
 *
 * Decisions:
 * - A session whose cap is below its minimum (e.g. a vehicle limited to 4 A on a 6 A charger) has
 *   that cap as its minimum: it charges at its cap when that fits and is paused like any other
 *   session when it does not. A cap of 0 A gives 0 A with its cap as binding (not PAUSED).
 * - Inputs are read at 0.1 A resolution: capacities and maximums are rounded down, minimums up.
 * - A session's phases are taken literally: a three-phase charger on a single-phase circuit is
 *   paused for lack of capacity on L2/L3, so the caller maps charger phases to circuit phases.
 * - Malformed input (NaN or infinite numbers, amps beyond ±1,000,000, negative currents, no or
 *   unknown phases, duplicate sessionIds, an unparseable startedAt) throws a RangeError rather
 *   than guessing; "unlimited" capacity must be passed as a large finite number.
 *
 * Pure and deterministic: the allocation of each session does not depend on input order.
 * O(n log n) in the number of sessions.
 */

export interface BalancerSession {
  sessionId: string;
  chargerId: string;
  /** Phases the charger draws on (1 or 3). */
  phases: readonly Phase[];
  /** Charger minimum, the caller applies the default (6 A). */
  minCurrentA: number;
  /** Charger maximum. */
  maxCurrentA: number;
  /** The vehicle's own maximum, if known. */
  vehicleMaxCurrentA?: number;
  /** Higher = more important. Only decides who is paused, never how capacity is shared. */
  priority: number;
  /** ISO instant; among equal priority the newest session is paused first. */
  startedAt: string;
}

export type BindingConstraint =
  /** The circuit's capacity on that phase; the caller attaches where the capacity came from. */
  | { kind: 'CAPACITY'; phase: Phase }
  | { kind: 'CHARGER_MAX' }
  | { kind: 'VEHICLE_MAX' }
  /** Not enough capacity for every minimum (or none at all on a phase the session uses). */
  | { kind: 'PAUSED'; reason: string };

export interface Allocation {
  sessionId: string;
  chargerId: string;
  currentA: number;
  binding: BindingConstraint;
}

/** 1 MA: keeps every integer product (headroom × sessions) exact in a double. */
const MAX_DECI = 10_000_000;

const PAUSE_ORDER_NOTE = 'lowest priority, newest session paused first';

type CapKind = 'CHARGER_MAX' | 'VEHICLE_MAX';

/** A session as the algorithm sees it: currents in integer deci-amps, phases as indices 0..2. */
interface Prepared {
  readonly index: number;
  readonly session: BalancerSession;
  readonly phases: readonly number[];
  /** Effective minimum: min(charger minimum, cap). */
  readonly min: number;
  /** min(charger max, vehicle max). */
  readonly cap: number;
  readonly capKind: CapKind;
  readonly startedAtMs: number;
}

/** An exact non-negative rational with bigint parts; den > 0. */
interface Rational {
  num: bigint;
  den: bigint;
}

export function balanceLoad(
  capacity: PhaseCapacity,
  sessions: readonly BalancerSession[],
): Allocation[] {
  if (sessions.length === 0) return [];

  const capDeci = ALL_PHASES.map((phase) => {
    const deci = toDeci(capacity[phase], 'floor');
    if (deci === undefined) {
      throw new RangeError(`load balancer: capacity ${phase} must be finite, within ±1,000,000 A`);
    }
    return deci;
  });
  const prepared = prepareSessions(sessions);
  const current = new Array<number>(prepared.length).fill(0);
  const binding = new Array<BindingConstraint | undefined>(prepared.length);

  // A phase without capacity pauses everyone on it, whatever their minimum.
  let active: Prepared[] = [];
  for (const s of prepared) {
    const dead = s.phases.find((p) => (capDeci[p] ?? 0) <= 0);
    if (dead === undefined) active.push(s);
    else
      binding[s.index] = {
        kind: 'PAUSED',
        reason: `Paused: no capacity on ${phaseName(dead)} (${formatDeci(capDeci[dead] ?? 0)} A available)`,
      };
  }

  // 1. Minimums.
  const load = [0, 0, 0];
  for (const s of active) for (const p of s.phases) load[p] = (load[p] ?? 0) + s.min;
  if (overloaded(load, capDeci)) {
    active = pauseUntilMinimumsFit(active, load, capDeci, binding);
  }

  // 2. Water-filling over the remaining slack.
  const slack = capDeci.map((c, p) => c - (load[p] ?? 0));
  waterFill(active, slack, current, binding);

  return prepared.map((s) => ({
    sessionId: s.session.sessionId,
    chargerId: s.session.chargerId,
    currentA: (current[s.index] ?? 0) / 10,
    binding: binding[s.index] ?? { kind: s.capKind },
  }));
}

function overloaded(load: readonly number[], capDeci: readonly number[]): boolean {
  return load.some((l, p) => l > (capDeci[p] ?? 0));
}

/** The more pausable session first: lower priority, then newer, then greater sessionId. */
function comparePauseOrder(a: Prepared, b: Prepared): number {
  if (a.session.priority !== b.session.priority) return a.session.priority - b.session.priority;
  if (a.startedAtMs !== b.startedAtMs) return b.startedAtMs - a.startedAtMs;
  const x = a.session.sessionId;
  const y = b.session.sessionId;
  return x < y ? 1 : x > y ? -1 : 0;
}

function pauseUntilMinimumsFit(
  active: readonly Prepared[],
  load: number[],
  capDeci: readonly number[],
  binding: (BindingConstraint | undefined)[],
): Prepared[] {
  // Describe each phase's demand as it was before anyone was paused.
  const demand = [...load];
  const uniformMin: (number | null | undefined)[] = [undefined, undefined, undefined];
  for (const s of active) {
    for (const p of s.phases) {
      const seen = uniformMin[p];
      uniformMin[p] = seen === undefined || seen === s.min ? s.min : null;
    }
  }
  const reasonFor = (p: number): string => {
    const cap = `${formatDeci(capDeci[p] ?? 0)} A on ${phaseName(p)}`;
    const min = uniformMin[p];
    const what =
      typeof min === 'number'
        ? `cannot give every session its ${formatDeci(min)} A minimum`
        : `cannot cover the ${formatDeci(demand[p] ?? 0)} A of session minimums`;
    return `Paused: ${cap} ${what} (${PAUSE_ORDER_NOTE})`;
  };

  const paused = new Set<Prepared>();
  for (const s of [...active].sort(comparePauseOrder)) {
    if (!overloaded(load, capDeci)) break;
    const p = s.phases.find((q) => (load[q] ?? 0) > (capDeci[q] ?? 0));
    if (p === undefined) continue; // not on an overloaded phase: pausing it would not help
    paused.add(s);
    binding[s.index] = { kind: 'PAUSED', reason: reasonFor(p) };
    for (const q of s.phases) load[q] = (load[q] ?? 0) - s.min;
  }
  return active.filter((s) => !paused.has(s));
}

/**
 * Event-driven water-filling. `t` is the common increment above the minimum. Phase p runs out at
 * t = (slack[p] - Q[p]) / n[p], where slack[p] is its integer slack net of sessions frozen at their
 * cap, Q[p] the exact sum of increments of sessions frozen when another phase ran out, and n[p]
 * its unfrozen sessions. Cap events come in order of headroom (cap - min); at most three phase
 * events happen, so only those use bigint arithmetic. A cap event at integer headroom h comes
 * first iff h·n[p] + Q[p] <= slack[p] for every phase, i.e. h·n[p] + ceil(Q[p]) <= slack[p].
 */
function waterFill(
  active: readonly Prepared[],
  slack: number[],
  current: number[],
  binding: (BindingConstraint | undefined)[],
): void {
  const count = active.length;
  if (count === 0) return;
  const unfrozen = [0, 0, 0];
  const members: number[][] = [[], [], []];
  const headroom = new Array<number>(count);
  for (let i = 0; i < count; i += 1) {
    const s = active[i]!;
    headroom[i] = s.cap - s.min;
    for (const p of s.phases) {
      unfrozen[p] = (unfrozen[p] ?? 0) + 1;
      members[p]!.push(i);
    }
  }
  const byHeadroom = Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => headroom[a]! - headroom[b]!,
  );
  const frozen = new Uint8Array(count);
  const shared: Rational[] = [0, 1, 2].map(() => ({ num: 0n, den: 1n }));
  const sharedCeil = [0, 0, 0];

  let remaining = count;
  let cursor = 0;
  while (remaining > 0) {
    while (cursor < count && frozen[byHeadroom[cursor]!] === 1) cursor += 1;
    const nextIndex = byHeadroom[cursor];
    if (nextIndex !== undefined) {
      const h = headroom[nextIndex]!;
      let capFirst = true;
      for (let p = 0; p < 3; p += 1) {
        const n = unfrozen[p]!;
        if (n > 0 && h * n + sharedCeil[p]! > slack[p]!) {
          capFirst = false;
          break;
        }
      }
      if (capFirst) {
        const s = active[nextIndex]!;
        frozen[nextIndex] = 1;
        remaining -= 1;
        current[s.index] = s.cap;
        binding[s.index] = { kind: s.capKind };
        for (const p of s.phases) {
          slack[p] = slack[p]! - h;
          unfrozen[p] = unfrozen[p]! - 1;
        }
        continue;
      }
    }

    // A phase runs out first: the one with the earliest instant, L1 before L2 before L3 on ties.
    let first = -1;
    let at: Rational | undefined;
    for (let p = 0; p < 3; p += 1) {
      const n = unfrozen[p]!;
      if (n === 0) continue;
      const q = shared[p]!;
      const candidate = reduce({
        num: BigInt(slack[p]!) * q.den - q.num,
        den: q.den * BigInt(n),
      });
      if (at === undefined || candidate.num * at.den < at.num * candidate.den) {
        first = p;
        at = candidate;
      }
    }
    if (at === undefined) throw new Error('load balancer: unfrozen session on no phase');
    const increment = Number(at.num / at.den); // rounded down to 0.1 A
    const gained = [0, 0, 0];
    for (const i of members[first]!) {
      if (frozen[i] === 1) continue;
      const s = active[i]!;
      frozen[i] = 1;
      remaining -= 1;
      current[s.index] = s.min + increment;
      binding[s.index] = { kind: 'CAPACITY', phase: phaseName(first) };
      for (const p of s.phases) {
        unfrozen[p] = unfrozen[p]! - 1;
        gained[p] = gained[p]! + 1;
      }
    }
    for (let p = 0; p < 3; p += 1) {
      const k = gained[p]!;
      if (k === 0 || p === first) continue;
      const q = shared[p]!;
      const sum = reduce({
        num: q.num * at.den + BigInt(k) * at.num * q.den,
        den: q.den * at.den,
      });
      shared[p] = sum;
      sharedCeil[p] = Number((sum.num + sum.den - 1n) / sum.den);
    }
  }
}

function reduce(r: Rational): Rational {
  const g = gcd(r.num < 0n ? -r.num : r.num, r.den);
  return g > 1n ? { num: r.num / g, den: r.den / g } : r;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function prepareSessions(sessions: readonly BalancerSession[]): Prepared[] {
  const ids = new Set<string>();
  const prepared = new Array<Prepared>(sessions.length);
  for (let index = 0; index < sessions.length; index += 1) {
    const session = sessions[index]!;
    if (ids.has(session.sessionId)) invalid(session, 'is listed twice');
    ids.add(session.sessionId);
    if (session.phases.length === 0) invalid(session, 'has no phases');
    const phases: number[] = [];
    let seen = 0;
    for (const phase of session.phases) {
      const p = phaseIndex(phase);
      if (p < 0) invalid(session, `has unknown phase ${String(phase)}`);
      if ((seen & (1 << p)) !== 0) invalid(session, `lists ${phase} twice`);
      seen |= 1 << p;
      phases.push(p);
    }
    if (!Number.isFinite(session.priority)) invalid(session, 'priority must be a finite number');
    const startedAtMs = Date.parse(session.startedAt);
    if (Number.isNaN(startedAtMs)) invalid(session, 'startedAt is not a valid instant');
    const min = sessionDeci(session, 'minCurrentA', 'ceil');
    const chargerMax = sessionDeci(session, 'maxCurrentA', 'floor');
    const vehicleMax =
      session.vehicleMaxCurrentA === undefined
        ? undefined
        : sessionDeci(session, 'vehicleMaxCurrentA', 'floor');
    const vehicleBinds = vehicleMax !== undefined && vehicleMax < chargerMax;
    const cap = vehicleBinds ? vehicleMax : chargerMax;
    prepared[index] = {
      index,
      session,
      phases,
      min: Math.min(min, cap),
      cap,
      capKind: vehicleBinds ? 'VEHICLE_MAX' : 'CHARGER_MAX',
      startedAtMs,
    };
  }
  return prepared;
}

function phaseIndex(phase: Phase): number {
  switch (phase) {
    case 'L1':
      return 0;
    case 'L2':
      return 1;
    case 'L3':
      return 2;
    default:
      return -1;
  }
}

function sessionDeci(
  session: BalancerSession,
  field: 'minCurrentA' | 'maxCurrentA' | 'vehicleMaxCurrentA',
  mode: 'floor' | 'ceil',
): number {
  const amps = session[field] ?? 0;
  if (!(amps >= 0)) invalid(session, `${field} must be 0 or more`);
  return toDeci(amps, mode) ?? invalid(session, `${field} is out of range`);
}

function invalid(session: BalancerSession, problem: string): never {
  throw new RangeError(`load balancer: session ${JSON.stringify(session.sessionId)} ${problem}`);
}

/**
 * Amps to integer deci-amps, or undefined when not finite or beyond ±1 MA. The tolerance absorbs
 * binary noise such as 16.1 * 10 = 161.00000000000003.
 */
function toDeci(amps: number, mode: 'floor' | 'ceil'): number | undefined {
  const scaled = amps * 10;
  if (!(Math.abs(scaled) <= MAX_DECI)) return undefined; // also rejects NaN
  const nearest = Math.round(scaled);
  const deci =
    Math.abs(scaled - nearest) < 1e-6
      ? nearest
      : mode === 'floor'
        ? Math.floor(scaled)
        : Math.ceil(scaled);
  return deci + 0; // normalises -0
}

function formatDeci(deci: number): string {
  return String(deci / 10);
}

function phaseName(p: number): Phase {
  return ALL_PHASES[p] ?? 'L1';
}
