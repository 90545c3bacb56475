import type { Db } from '../../platform/db/database';
import { appErrors } from '../../platform/errors';
import * as depot from '../store/depot-store';
import * as sessions from '../store/session-store';
import { requestBreachChecksFor } from './breach-detection';
import { refreshCircuit, type RefreshOutcome } from './capacity-refresh';
import { recordSessionReadings } from './meter-readings';

function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505'
  );
}

/** Charging sessions, on-demand rebalancing and meter values: what a charger integration reports. */
export class ChargingService {
  constructor(private readonly db: Db) {}

  async startSession(
    chargerId: string,
    input: { vehicleLabel?: string | undefined; vehicleMaxCurrentA?: number | undefined },
    now: Date,
  ): Promise<{ sessionId: string; refresh: RefreshOutcome }> {
    return this.db.transaction().execute(async (trx) => {
      const charger = await depot.findCharger(trx, chargerId);
      if (!charger) throw appErrors.notFound('Charger', chargerId);
      // Lock the circuit first so concurrent starts on one circuit serialise on the same row.
      const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
      if (await sessions.findActiveSession(trx, chargerId)) {
        throw appErrors.conflict(`Charger "${charger.name}" already has an active session.`);
      }
      let sessionId: string;
      try {
        sessionId = await sessions.insertSession(trx, {
          chargerId,
          vehicleLabel: input.vehicleLabel ?? null,
          vehicleMaxCurrentA: input.vehicleMaxCurrentA ?? null,
          startedAt: now,
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw appErrors.conflict(`Charger "${charger.name}" already has an active session.`);
        throw error;
      }
      const refresh = (await refreshCircuit(trx, charger.circuitId, now, circuit))!;
      return { sessionId, refresh };
    });
  }

  async stopSession(sessionId: string, now: Date): Promise<RefreshOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const session = await sessions.findSession(trx, sessionId);
      if (!session) throw appErrors.notFound('Charging session', sessionId);
      const ended = () => appErrors.conflict(`Session ${sessionId} has already ended.`);
      if (session.ended_at) throw ended();
      const charger = (await depot.findCharger(trx, session.charger_id))!;
      const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
      // Checked again by the update itself: a concurrent stop may have won while we waited.
      if (!(await sessions.endSession(trx, sessionId, now))) throw ended();
      return (await refreshCircuit(trx, charger.circuitId, now, circuit))!;
    });
  }

  async rebalance(circuitId: string, now: Date): Promise<RefreshOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const outcome = await refreshCircuit(trx, circuitId, now);
      if (!outcome) throw appErrors.notFound('Circuit', circuitId);
      return outcome;
    });
  }

  /** Stores the readings and books a breach check of their circuits (ADR 0050). */
  async recordMeterValues(readings: readonly sessions.MeterReading[], now: Date): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const ids = [...new Set(readings.map((r) => r.chargerId))];
      const known = await depot.existingChargerIds(trx, ids);
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length > 0) {
        throw appErrors.invalid(`readings: unknown charger ${missing.join(', ')}`, [
          { field: 'readings.chargerId', message: `unknown charger ${missing[0]}` },
        ]);
      }
      // A reading belongs to the session open on its charger when it arrives.
      const open = await sessions.activeSessionIds(trx, ids);
      await recordSessionReadings(
        trx,
        readings.map((r) => ({ ...r, sessionId: open.get(r.chargerId) ?? null })),
      );
      await requestBreachChecksFor(trx, ids, now);
      return readings.length;
    });
  }
}
