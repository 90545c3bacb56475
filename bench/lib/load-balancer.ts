import { performance } from 'node:perf_hooks';
import {
  balanceLoad,
  type BalancerSession,
} from '../../packages/server/src/microgrid/domain/load-balancer';
import type { Phase, PhaseCapacity } from '../../packages/server/src/microgrid/domain/phases';
import { round, summarise, type LatencySummary } from './report';

/** A small deterministic generator (mulberry32): the same depot on every run and machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DepotShape {
  sessions: BalancerSession[];
  capacity: PhaseCapacity;
  threePhase: number;
  singlePhase: Record<Phase, number>;
  minimumDemandA: Record<Phase, number>;
}

/**
 * 1,000 charging sessions on one circuit: 600 three-phase and 400 single-phase (200 on L1, 100
 * each on L2 and L3). Chargers of 16 or 32 A (a few 63 A), a third of the vehicles with their own
 * lower maximum, a few sessions with a higher or lower priority, start times spread over 8 hours.
 * The capacity per phase (4,700 A) is below the L1 minimums (4,800 A) and above the L2/L3 ones
 * (4,200 A): sessions on L1 are paused, the rest is water-filled with cap and phase events.
 */
export function buildDepot(count = 1000, seed = 20260301): DepotShape {
  const next = random(seed);
  const base = Date.parse('2026-03-02T06:00:00Z');
  const sessions: BalancerSession[] = [];
  const singlePhase: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
  const minimumDemandA: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
  let threePhase = 0;
  for (let i = 0; i < count; i += 1) {
    // Of every 10 sessions: 6 three-phase, 2 on L1, 1 on L2, 1 on L3.
    const slot = i % 10;
    const phases: Phase[] =
      slot < 6 ? ['L1', 'L2', 'L3'] : slot < 8 ? ['L1'] : slot === 8 ? ['L2'] : ['L3'];
    if (phases.length === 3) threePhase += 1;
    else singlePhase[phases[0]!] += 1;
    const r = next();
    const maxCurrentA = r < 0.3 ? 16 : r < 0.95 ? 32 : 63;
    const vehicleMaxCurrentA = next() < 0.33 ? round(8 + next() * 24, 1) : undefined;
    const p = next();
    const priority = p < 0.05 ? -1 : p < 0.9 ? 0 : 1;
    const minCurrentA = 6;
    for (const phase of phases)
      minimumDemandA[phase] += Math.min(minCurrentA, vehicleMaxCurrentA ?? minCurrentA);
    sessions.push({
      sessionId: `session-${String(i).padStart(4, '0')}`,
      chargerId: `charger-${String(i).padStart(4, '0')}`,
      phases,
      minCurrentA,
      maxCurrentA,
      ...(vehicleMaxCurrentA !== undefined ? { vehicleMaxCurrentA } : {}),
      priority,
      startedAt: new Date(base + Math.floor(next() * 8 * 3600) * 1000).toISOString(),
    });
  }
  const amps = 4700 * (count / 1000);
  return {
    sessions,
    capacity: { L1: amps, L2: amps, L3: amps },
    threePhase,
    singlePhase,
    minimumDemandA,
  };
}

export interface LoadBalancerResult {
  sessions: number;
  warmupRuns: number;
  runs: number;
  latency: LatencySummary;
  targetMedianMs: number;
  meetsTarget: boolean;
  input: {
    capacityA: PhaseCapacity;
    threePhaseSessions: number;
    singlePhaseSessions: Record<Phase, number>;
    minimumDemandA: Record<Phase, number>;
  };
  /** How the allocation came out: shows that the capacity binds and pauses some sessions. */
  outcome: { bindings: Record<string, number>; allocatedA: Record<Phase, number> };
}

export const LOAD_BALANCER_TARGET_MS = 2;

export function runLoadBalancerBenchmark(options: {
  runs: number;
  warmupRuns: number;
}): LoadBalancerResult {
  const depot = buildDepot();
  const { sessions, capacity } = depot;

  // Describe the outcome once (and check the input is what we say it is).
  const allocations = balanceLoad(capacity, sessions);
  const outcome: Record<string, number> = {};
  const allocatedA: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
  const byId = new Map(sessions.map((s) => [s.sessionId, s]));
  for (const a of allocations) {
    const key = a.binding.kind === 'CAPACITY' ? `CAPACITY_${a.binding.phase}` : a.binding.kind;
    outcome[key] = (outcome[key] ?? 0) + 1;
    for (const phase of byId.get(a.sessionId)!.phases)
      allocatedA[phase] = round(allocatedA[phase] + a.currentA, 1);
  }
  if (!outcome.PAUSED)
    throw new Error('load-balancer benchmark: the capacity does not bind (no session paused)');

  // Warm up so the timed runs measure optimised code, then time each call on its own.
  let checksum = 0;
  for (let i = 0; i < options.warmupRuns; i += 1)
    checksum += balanceLoad(capacity, sessions).length;
  const samples: number[] = [];
  for (let i = 0; i < options.runs; i += 1) {
    const start = performance.now();
    const result = balanceLoad(capacity, sessions);
    samples.push(performance.now() - start);
    checksum += result[i % result.length]!.currentA;
  }
  if (!Number.isFinite(checksum)) throw new Error('unreachable: keeps the results alive');

  const latency = summarise(samples);
  return {
    sessions: sessions.length,
    warmupRuns: options.warmupRuns,
    runs: options.runs,
    latency,
    targetMedianMs: LOAD_BALANCER_TARGET_MS,
    meetsTarget: latency.p50Ms < LOAD_BALANCER_TARGET_MS,
    input: {
      capacityA: capacity,
      threePhaseSessions: depot.threePhase,
      singlePhaseSessions: depot.singlePhase,
      minimumDemandA: depot.minimumDemandA,
    },
    outcome: { bindings: outcome, allocatedA },
  };
}
