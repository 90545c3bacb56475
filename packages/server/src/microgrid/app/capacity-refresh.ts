import { appendToStream, type NewEvent } from '../../platform/events/event-store';
import type { Trx } from '../../platform/db/database';
import { cancelWork, scheduleWorks } from '../../platform/scheduler/scheduler';
import { effectiveCapacity, type BlockInForce, type CapacitySource } from '../domain/capacity';
import { statusAt } from '../domain/envelope';
import type { BindingConstraint } from '../domain/load-balancer';
import { balanceWithNotFollowing, type BalancedAllocation } from '../domain/not-following';
import { uniformCapacity } from '../domain/phases';
import * as depot from '../store/depot-store';
import * as envelopes from '../store/envelope-store';
import * as sessions from '../store/session-store';
import { envelopeStream } from './streams';

export const CIRCUIT_REFRESH_WORK = 'circuit-capacity-refresh';

/**
 * Due work booked (key: the circuit id) in the transaction that changes the allocation of a
 * charger controlled from outside (`controlled_by`, e.g. OCPP): the controller handles it and tells
 * each charger its new limit. The microgrid knows no charger protocol; this durable row is how the
 * change leaves it.
 */
export const ALLOCATIONS_CHANGED_WORK = 'charger-allocations-changed';

export type RefreshTrigger =
  | 'envelope-submitted'
  | 'envelope-withdrawn'
  | 'envelope-boundary'
  | 'circuit-changed'
  | 'session-started'
  | 'session-stopped'
  | 'charger-changed'
  | 'on-demand';

export interface RefreshOutcome {
  circuitId: string;
  effectiveCapacityA: number;
  source: CapacitySource;
  capacityChanged: boolean;
  allocations: number;
}

/** JSON with object keys sorted: the stored source comes back from jsonb with its keys reordered. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sameSource(a: CapacitySource, b: CapacitySource): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** An allocation's binding constraint, with the capacity's source attached so it reads on its own. */
export function bindingRecord(
  binding: BindingConstraint | BalancedAllocation['binding'],
  source: CapacitySource,
): Record<string, unknown> {
  return binding.kind === 'CAPACITY' ? { ...binding, source } : { ...binding };
}

/**
 * Brings one circuit up to date at `now`, inside the caller's transaction: envelope statuses
 * (with their activation and expiry events), effective capacity and its source (with history),
 * the load balancer's allocations, and the next instant this must run again (durable due work).
 * Everything a change causes commits together, so readers never see capacity and allocations disagree.
 */
export async function refreshCircuit(
  trx: Trx,
  circuitId: string,
  now: Date,
  /** The circuit's row when the caller already holds its lock (see `lockCircuits`). */
  locked?: depot.CircuitRow,
): Promise<RefreshOutcome | undefined> {
  const circuit = locked ?? (await depot.lockCircuits(trx, [circuitId]))[0];
  if (!circuit) return undefined;

  const open = await envelopes.openEnvelopesAt(trx, circuitId, now);
  const inForce: BlockInForce[] = [];
  for (const { envelope, inForce: block } of open) {
    const status = statusAt(envelope, now);
    if (status !== envelope.status) {
      await envelopes.setEnvelopeStatus(trx, envelope.id, status);
      const event: NewEvent =
        status === 'ACTIVE'
          ? {
              type: 'EnvelopeActivated',
              data: { envelopeId: envelope.id, circuitId, at: now.toISOString() },
            }
          : {
              type: 'EnvelopeExpired',
              data: { envelopeId: envelope.id, circuitId, at: now.toISOString() },
            };
      await appendToStream(trx, envelopeStream(envelope.id), 'any', [event], now);
    }
    // Standby envelopes are shown, never enforced.
    if (block && status === 'ACTIVE' && envelope.role === 'LIMIT') {
      inForce.push({
        envelopeId: envelope.id,
        description: envelope.source,
        origin: envelope.origin,
        submittedAt: envelope.submittedAt.toISOString(),
        blockIndex: block.index,
        blockEndsAt: block.endsAt.toISOString(),
        limit: block.importLimit,
      });
    }
  }

  const capacity = effectiveCapacity(circuit, inForce);
  const capacityChanged =
    capacity.amps !== circuit.effectiveCapacityA ||
    !sameSource(capacity.source, circuit.capacitySource);
  if (capacityChanged) {
    await depot.updateCircuitCapacity(trx, circuit, {
      effectiveCapacityA: capacity.amps,
      source: capacity.source,
      at: now,
    });
  }

  const { active, allocations: before } = await sessions.sessionsAndAllocationsOnCircuit(
    trx,
    circuitId,
  );
  const allocations = balanceWithNotFollowing(
    uniformCapacity(capacity.amps, circuit.phaseCount),
    active.map((s) => ({
      sessionId: s.sessionId,
      chargerId: s.chargerId,
      phases: s.phases,
      minCurrentA: s.minCurrentA,
      maxCurrentA: s.maxCurrentA,
      ...(s.vehicleMaxCurrentA !== null ? { vehicleMaxCurrentA: s.vehicleMaxCurrentA } : {}),
      priority: s.priority,
      startedAt: s.startedAt.toISOString(),
      notFollowing: s.notFollowingReason ?? undefined,
    })),
  );
  await sessions.replaceAllocations(
    trx,
    circuitId,
    allocations.map((a) => ({
      chargerId: a.chargerId,
      sessionId: a.sessionId,
      currentA: a.currentA,
      binding: bindingRecord(a.binding, capacity.source),
    })),
    now,
  );
  const controlled = new Set(active.filter((s) => s.controlledBy).map((s) => s.chargerId));
  const boundaries = open.flatMap((e) => (e.nextBoundary ? [e.nextBoundary.getTime()] : []));
  const next = boundaries.length > 0 ? new Date(Math.min(...boundaries)) : undefined;
  // Both bookings in one statement: this runs for every envelope change.
  await scheduleWorks(
    trx,
    [
      ...(allocationsDiffer(before, allocations, controlled)
        ? [{ kind: ALLOCATIONS_CHANGED_WORK, key: circuitId, dueAt: now }]
        : []),
      ...(next ? [{ kind: CIRCUIT_REFRESH_WORK, key: circuitId, dueAt: next }] : []),
    ],
    now,
  );
  if (!next) await cancelWork(trx, CIRCUIT_REFRESH_WORK, circuitId);

  return {
    circuitId,
    effectiveCapacityA: capacity.amps,
    source: capacity.source,
    capacityChanged,
    allocations: allocations.length,
  };
}

/** Whether a controlled charger's session or current differs from its stored allocation. */
function allocationsDiffer(
  before: readonly { charger_id: string; session_id: string; current_a: number }[],
  after: readonly BalancedAllocation[],
  controlled: ReadonlySet<string>,
): boolean {
  const old = new Map(before.map((a) => [a.charger_id, a]));
  return after.some((a) => {
    if (!controlled.has(a.chargerId)) return false;
    const previous = old.get(a.chargerId);
    return previous?.session_id !== a.sessionId || previous.current_a !== a.currentA;
  });
}
