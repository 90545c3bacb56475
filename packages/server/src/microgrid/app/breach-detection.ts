import { randomUUID } from 'node:crypto';
import type { Executor, Trx } from '../../platform/db/database';
import { appendToStream } from '../../platform/events/event-store';
import { ensureWorkDueBy, scheduleWork } from '../../platform/scheduler/scheduler';
import { observeLoad, type BreachChange } from '../domain/breach';
import type { CapacitySource } from '../domain/capacity';
import { ALL_PHASES, type Phase } from '../domain/phases';
import * as breaches from '../store/breach-store';
import * as depot from '../store/depot-store';
import { circuitBreachStream } from './streams';

/**
 * Due work (key: the circuit id) that evaluates a circuit's load against its limit. Meter readings
 * book it due at once, in the transaction that stores them; an evaluation books it again for the
 * end of a running hold time. Durable, so a restart neither loses a hold time nor starts it again.
 */
export const BREACH_CHECK_WORK = 'circuit-breach-check';

/** The breach events of a circuit's stream (`circuit-breaches-<circuitId>`). */
export type CircuitBreachEvent =
  | { type: 'CircuitBreachStarted'; data: BreachEventData }
  | { type: 'CircuitBreachWorsened'; data: BreachEventData }
  | {
      type: 'CircuitBreachEnded';
      data: BreachEventData & { endedAt: string; peakA: number; peakPhase: Phase };
    };

interface BreachEventData {
  episodeId: string;
  circuitId: string;
  phase: Phase;
  limitA: number;
  measuredA: number;
  since: string;
  at: string;
}

/** A change of a breach as other contexts hear of it, with where it happened. */
export interface ObservedBreachChange {
  change: BreachChange;
  circuit: { id: string; name: string; microgridId: string };
  /** The managed scopes the circuit belongs to (what adapters are bound to). */
  scopeIds: string[];
  /** What set the limit when the breach started. */
  limitSource: CapacitySource;
}

/**
 * Other contexts learn of breaches through this port (registered in app.ts, as scope dependencies
 * are): called in the transaction that records the change, so anything they book commits with it.
 * They must not lock what the caller may lock later: book due work of their own instead.
 */
export interface BreachObserver {
  breachChanged(trx: Trx, observed: ObservedBreachChange, now: Date): Promise<void>;
}

/** Books a breach check of each circuit, due now (in the caller's transaction). */
export async function requestBreachChecks(
  db: Executor,
  circuitIds: readonly string[],
  now: Date,
): Promise<void> {
  // Every reading books one: a check already due covers it without locking its row.
  for (const circuitId of circuitIds)
    await ensureWorkDueBy(db, { kind: BREACH_CHECK_WORK, key: circuitId, dueAt: now }, now);
}

/** Books a breach check of the circuits the readings' chargers are on. */
export async function requestBreachChecksFor(
  db: Executor,
  chargerIds: readonly string[],
  now: Date,
): Promise<void> {
  await requestBreachChecks(
    db,
    await breaches.circuitsOfChargers(db, [...new Set(chargerIds)]),
    now,
  );
}

function eventOf(change: BreachChange, circuitId: string): CircuitBreachEvent {
  const data: BreachEventData = {
    episodeId: change.episodeId,
    circuitId,
    phase: change.phase,
    limitA: change.limitA,
    measuredA: change.measuredA,
    since: change.since.toISOString(),
    at: change.at.toISOString(),
  };
  switch (change.type) {
    case 'BreachStarted':
      return { type: 'CircuitBreachStarted', data };
    case 'BreachWorsened':
      return { type: 'CircuitBreachWorsened', data };
    case 'BreachEnded':
      return {
        type: 'CircuitBreachEnded',
        data: {
          ...data,
          endedAt: change.endedAt.toISOString(),
          peakA: change.peakA,
          peakPhase: change.peakPhase,
        },
      };
  }
}

/** Evaluates circuits' loads against their limits and tells observers what changed. */
export class BreachDetector {
  readonly #observers: BreachObserver[] = [];

  observe(observer: BreachObserver): void {
    this.#observers.push(observer);
  }

  /**
   * One evaluation of a circuit at `now`, in the caller's transaction: its load per phase from
   * the newest readings, the watch state (locked), the episode started, worsened or ended, the
   * events, the next check, and the observers told.
   */
  async evaluate(trx: Trx, circuitId: string, now: Date): Promise<BreachChange[]> {
    const circuit = await breaches.holdCircuit(trx, circuitId);
    if (!circuit) return [];
    const row = (await breaches.lockWatch(trx, circuitId, now))!;
    const measured = await breaches.phaseLoads(trx, circuitId);
    const onCircuit = circuit.phaseCount === 1 ? (['L1'] as const) : ALL_PHASES;
    const phases = Object.fromEntries(onCircuit.map((p) => [p, measured[p] ?? 0]));
    const decision = observeLoad(
      row.watch,
      {
        limitA: circuit.effectiveCapacityA,
        envelopeInForce: circuit.capacitySource.kind === 'ENVELOPE',
        phases,
      },
      row.settings,
      now,
      randomUUID(),
    );

    let limitSource = circuit.capacitySource;
    for (const change of decision.changes) {
      if (change.type === 'BreachStarted') {
        await breaches.insertEpisode(trx, {
          id: change.episodeId,
          circuitId,
          phase: change.phase,
          limitA: change.limitA,
          measuredA: change.measuredA,
          since: change.since,
          startedAt: now,
          limitSource: circuit.capacitySource,
        });
      } else {
        limitSource =
          (await breaches.findEpisode(trx, change.episodeId))?.limitSource ?? limitSource;
        if (change.type === 'BreachWorsened')
          await breaches.markWorsened(trx, change.episodeId, {
            ...change,
            limitSource: circuit.capacitySource,
          });
        else await breaches.markEnded(trx, change.episodeId, change.endedAt, now);
      }
    }
    const open = decision.watch.open;
    if (open) await breaches.updateEpisodeFigures(trx, open.id, open);
    await breaches.saveWatch(trx, circuitId, decision.watch, now);
    if (decision.recheckAt) {
      await scheduleWork(
        trx,
        { kind: BREACH_CHECK_WORK, key: circuitId, dueAt: decision.recheckAt },
        now,
      );
    }
    if (decision.changes.length === 0) return [];

    await appendToStream(
      trx,
      circuitBreachStream(circuitId),
      'any',
      decision.changes.map((c) => eventOf(c, circuitId)),
      now,
    );
    const scopeIds = (await depot.scopesOfCircuit(trx, circuitId)).map((s) => s.id);
    for (const change of decision.changes) {
      const observed: ObservedBreachChange = {
        change,
        circuit: { id: circuit.id, name: circuit.name, microgridId: circuit.microgridId },
        scopeIds,
        limitSource,
      };
      for (const observer of this.#observers) await observer.breachChanged(trx, observed, now);
    }
    return decision.changes;
  }
}
