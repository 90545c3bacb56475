import type { Db, Executor } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import { describeSource, type CapacitySource } from '../domain/capacity';
import { ALL_PHASES, type Phase } from '../domain/phases';
import * as depot from '../store/depot-store';
import * as envelopes from '../store/envelope-store';
import * as registers from '../store/energy-register-store';
import * as sessions from '../store/session-store';
import { scopeTargets, type ScopeTargetRow } from '../store/scope-targets';
import type {
  BindingView,
  CapacityHistory,
  CapacitySourceView,
  CircuitDetail,
  CircuitSummary,
  MicrogridSummary,
} from '../contract';

export function sourceView(source: CapacitySource): CapacitySourceView {
  return source.kind === 'STATIC'
    ? { kind: 'STATIC', label: describeSource(source) }
    : {
        kind: 'ENVELOPE',
        label: describeSource(source),
        envelopeId: source.envelopeId,
        until: source.blockEndsAt,
        ...(source.origin.kind === 'ADAPTER' && source.origin.fallbackReason
          ? { fallbackReason: source.origin.fallbackReason }
          : {}),
      };
}

function bindingView(binding: Record<string, unknown>): BindingView {
  switch (binding.kind) {
    case 'CAPACITY': {
      const source = binding.source as CapacitySource;
      const phase = binding.phase as Phase;
      return { kind: 'CAPACITY', phase, label: `${describeSource(source)} (${phase})` };
    }
    case 'CHARGER_MAX':
      return { kind: 'CHARGER_MAX', label: 'Charger maximum' };
    case 'VEHICLE_MAX':
      return { kind: 'VEHICLE_MAX', label: 'Vehicle maximum' };
    case 'NOT_FOLLOWING':
      return {
        kind: 'NOT_FOLLOWING',
        label: `Assumed at its maximum: ${String(binding.reason ?? 'does not follow its limit')}`,
      };
    default:
      return { kind: 'PAUSED', label: String(binding.reason ?? 'Paused') };
  }
}

/** What a managed scope's meters say about a window (from, to]. */
export interface ScopeMetering {
  /** The scope's virtual register (Wh, never decreasing) at the window's start and end. */
  registerAtStartWh: number;
  registerAtEndWh: number;
  /** The most its chargers drew together at one instant in the window, and when (null: no reading). */
  maxLoadW: number;
  maxLoadAt: Date | null;
  /** Meter readings in the window: 0 means nothing was metered (not necessarily nothing used). */
  readings: number;
}

/** Read side of the depot. `listMicrogrids` is the canonical contract other contexts pick targets from. */
export class DepotQueries {
  constructor(private readonly db: Db) {}

  /**
   * A scope's register at both ends of a window and its peak load within it (ADR 0040); undefined
   * when the scope does not exist. What adapters report to grid operators.
   */
  async scopeMetering(
    scopeId: string,
    from: Date,
    to: Date,
    /** The caller's transaction, if it has one (PGlite has one connection to share). */
    db: Executor = this.db,
  ): Promise<ScopeMetering | undefined> {
    if (!(await depot.findScope(db, scopeId))) return undefined;
    const peak = await registers.maxLoadInWindow(db, scopeId, from, to);
    return {
      registerAtStartWh: await registers.registerAt(db, scopeId, from),
      registerAtEndWh: await registers.registerAt(db, scopeId, to),
      maxLoadW: peak.maxLoadW,
      maxLoadAt: peak.at,
      readings: peak.readings,
    };
  }

  /**
   * The named managed scopes with their microgrid and circuits (unknown ids are left out), in a
   * fixed number of statements: how another context looks up the targets it is bound to without
   * listing the whole depot.
   */
  async managedScopes(scopeIds: readonly string[]): Promise<ScopeTargetRow[]> {
    return scopeTargets(this.db, scopeIds);
  }

  async listMicrogrids(): Promise<MicrogridSummary[]> {
    const [microgrids, circuits, scopes, counts] = await Promise.all([
      depot.listMicrogrids(this.db),
      depot.listCircuits(this.db),
      depot.listScopes(this.db),
      depot.chargerCounts(this.db),
    ]);
    const circuitName = new Map(circuits.map((c) => [c.id, c.name]));
    return microgrids.map((m) => ({
      id: m.id,
      name: m.name,
      timezone: m.timezone,
      scopes: scopes
        .filter((s) => s.microgridId === m.id)
        .map((s) => {
          const mapped = s.circuitIds.map((id) => ({ id, name: circuitName.get(id) ?? id }));
          return {
            id: s.id,
            name: s.name,
            circuits: mapped,
            circuit: mapped.length === 1 ? mapped[0]! : null,
            mappingProblem:
              mapped.length === 0 ? 'NO_CIRCUIT' : mapped.length > 1 ? 'MULTIPLE_CIRCUITS' : null,
          };
        }),
      circuits: circuits
        .filter((c) => c.microgridId === m.id)
        .map((c) => summary(c, counts.get(c.id))),
    }));
  }

  async circuitDetail(circuitId: string): Promise<CircuitDetail> {
    const circuit = await depot.findCircuit(this.db, circuitId);
    if (!circuit) throw appErrors.notFound('Circuit', circuitId);
    const [microgrid, scopes, chargers, { active, allocations }, readings] = await Promise.all([
      depot.findMicrogrid(this.db, circuit.microgridId),
      depot.scopesOfCircuit(this.db, circuitId),
      depot.listChargers(this.db, circuitId),
      sessions.sessionsAndAllocationsOnCircuit(this.db, circuitId),
      sessions.latestReadings(this.db, circuitId),
    ]);
    const sessionOf = new Map(active.map((s) => [s.chargerId, s]));
    const allocationOf = new Map(allocations.map((a) => [a.charger_id, a]));
    const readingOf = new Map(readings.map((r) => [r.charger_id, r]));
    const allocated: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
    const measured: Record<Phase, number> = { L1: 0, L2: 0, L3: 0 };
    for (const charger of chargers) {
      const allocation = allocationOf.get(charger.id);
      const reading = readingOf.get(charger.id);
      // Only a reading of the session charging now is load: one left by an earlier session is not.
      const current =
        reading !== undefined &&
        reading.session_id !== null &&
        reading.session_id === sessionOf.get(charger.id)?.sessionId;
      for (const phase of charger.phases) {
        if (allocation) allocated[phase] += allocation.current_a;
        if (current) measured[phase] += reading.current_a;
      }
    }
    return {
      ...summary(circuit, { chargers: chargers.length, sessions: active.length }),
      microgridId: circuit.microgridId,
      microgridName: microgrid?.name ?? '',
      timezone: microgrid?.timezone ?? 'UTC',
      capacityUpdatedAt: circuit.capacityUpdatedAt.toISOString(),
      scopes,
      measuredLoadA: round1(Math.max(...ALL_PHASES.map((p) => measured[p]))),
      allocatedA: { L1: round1(allocated.L1), L2: round1(allocated.L2), L3: round1(allocated.L3) },
      chargers: chargers.map((c) => {
        const session = sessionOf.get(c.id);
        const allocation = allocationOf.get(c.id);
        const reading = readingOf.get(c.id);
        return {
          id: c.id,
          name: c.name,
          phases: c.phases,
          minCurrentA: c.minCurrentA,
          maxCurrentA: c.maxCurrentA,
          priority: c.priority,
          session: session
            ? {
                id: session.sessionId,
                startedAt: session.startedAt.toISOString(),
                vehicleLabel: session.vehicleLabel,
                vehicleMaxCurrentA: session.vehicleMaxCurrentA,
                energyWh: session.energyWh,
              }
            : null,
          allocation:
            allocation && session
              ? {
                  currentA: allocation.current_a,
                  binding: bindingView(allocation.binding),
                  computedAt: allocation.computed_at.toISOString(),
                }
              : null,
          lastReading: reading
            ? {
                measuredAt: reading.measured_at.toISOString(),
                currentA: reading.current_a,
                powerW: reading.power_w,
              }
            : null,
        };
      }),
    };
  }

  async capacityHistory(circuitId: string, now: Date, hours: number): Promise<CapacityHistory> {
    if (!(await depot.findCircuit(this.db, circuitId)))
      throw appErrors.notFound('Circuit', circuitId);
    const from = new Date(now.getTime() - hours * 3600_000);
    const [changes, load] = await Promise.all([
      envelopes.capacityHistory(this.db, circuitId, from, now),
      sessions.loadHistory(this.db, circuitId, from, now),
    ]);
    const points = thinned(changes, from, now, MAX_HISTORY_POINTS);
    return {
      from: from.toISOString(),
      to: now.toISOString(),
      points: points.map((p) => ({
        at: (p.at < from ? from : p.at).toISOString(),
        staticCapacityA: p.static_capacity_a,
        effectiveCapacityA: p.effective_capacity_a,
        sourceLabel: describeSource(p.source as CapacitySource),
        ...sourceCategory(p.source as CapacitySource),
      })),
      load: load.map((l) => ({
        at: new Date(l.bucket).toISOString(),
        currentA: round1(Number(l.current_a)),
      })),
    };
  }
}

/** A chart 1,280 px wide cannot show more changes than this; beyond it, the answer is thinned. */
export const MAX_HISTORY_POINTS = 1_000;

/**
 * At most `max` points: when there are more, the window is cut into `max` equal slices and each
 * keeps its last point, the one in force at the slice's end, which is what a step line of that
 * resolution draws. The first point (in force when the window opens) is always kept.
 */
export function thinned<T extends { at: Date }>(
  points: T[],
  from: Date,
  to: Date,
  max: number,
): T[] {
  if (points.length <= max) return points;
  const span = Math.max(1, to.getTime() - from.getTime());
  const slices = max - 1;
  const lastOfSlice = new Map<number, T>();
  for (const point of points.slice(1)) {
    const slice = Math.min(
      slices - 1,
      Math.floor(((point.at.getTime() - from.getTime()) / span) * slices),
    );
    lastOfSlice.set(Math.max(0, slice), point);
  }
  return [points[0]!, ...[...lastOfSlice.entries()].sort(([a], [b]) => a - b).map(([, p]) => p)];
}

function summary(
  c: depot.CircuitRow,
  counts?: { chargers: number; sessions: number },
): CircuitSummary {
  return {
    id: c.id,
    name: c.name,
    phaseCount: c.phaseCount,
    nominalVoltageV: c.nominalVoltageV,
    staticCapacityA: c.staticCapacityA,
    effectiveCapacityA: c.effectiveCapacityA,
    source: sourceView(c.capacitySource),
    chargerCount: counts?.chargers ?? 0,
    activeSessionCount: counts?.sessions ?? 0,
  };
}

function sourceCategory(source: CapacitySource): { category: string; fallback: boolean } {
  if (source.kind === 'STATIC') return { category: 'STATIC', fallback: false };
  if (source.origin.kind === 'MANUAL') return { category: 'MANUAL', fallback: false };
  return {
    category: source.origin.reference.mode ?? source.origin.adapter,
    fallback: Boolean(source.origin.fallbackReason),
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
