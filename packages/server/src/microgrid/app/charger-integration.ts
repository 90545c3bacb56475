import type { Trx } from '../../platform/db/database';
import * as depot from '../store/depot-store';
import * as integration from '../store/charger-integration-store';
import * as sessions from '../store/session-store';
import { requestBreachChecksFor } from './breach-detection';
import { refreshCircuit } from './capacity-refresh';
import { recordSessionReadings } from './meter-readings';

export type {
  ChargerAllocation,
  IntegratedCharger,
  SessionReading,
} from '../store/charger-integration-store';

/**
 * The microgrid's contract for what drives real chargers (OCPP today): sessions the charger starts
 * and stops, its meter readings, whether it follows its allocation, and the allocations to carry
 * out. Every method runs inside the caller's transaction, so the driver records its own protocol
 * facts and the depot's in one commit. Outcomes are plain values; the caller decides what to answer.
 */
export class ChargerIntegration {
  charger(trx: Trx, chargerId: string): Promise<integration.IntegratedCharger | undefined> {
    return integration.findIntegratedCharger(trx, chargerId);
  }

  /**
   * Starts a session on the charger. A session still open there is ended first: the charger says a
   * new one began, so the old one is over (its energy stays recorded).
   */
  async startSession(
    trx: Trx,
    chargerId: string,
    input: { vehicleLabel: string | null },
    now: Date,
  ): Promise<{ sessionId: string; endedSessionId: string | undefined } | undefined> {
    const charger = await depot.findCharger(trx, chargerId);
    if (!charger) return undefined;
    const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
    const open = await sessions.findActiveSession(trx, chargerId);
    if (open) await sessions.endSession(trx, open.id, now);
    const sessionId = await sessions.insertSession(trx, {
      chargerId,
      vehicleLabel: input.vehicleLabel,
      vehicleMaxCurrentA: null,
      startedAt: now,
    });
    await refreshCircuit(trx, charger.circuitId, now, circuit);
    return { sessionId, endedSessionId: open?.id };
  }

  /** Ends the session if it is still running (false when it had already ended or is unknown). */
  async stopSession(trx: Trx, sessionId: string, now: Date): Promise<boolean> {
    const session = await sessions.findSession(trx, sessionId);
    if (!session || session.ended_at) return false;
    const charger = await depot.findCharger(trx, session.charger_id);
    if (!charger) return false;
    const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
    if (!(await sessions.endSession(trx, sessionId, now))) return false;
    await refreshCircuit(trx, charger.circuitId, now, circuit);
    return true;
  }

  /** Ends whatever session is open on the charger (e.g. it rebooted); its id, if there was one. */
  async stopOpenSession(trx: Trx, chargerId: string, now: Date): Promise<string | undefined> {
    const open = await sessions.findActiveSession(trx, chargerId);
    if (!open) return undefined;
    return (await this.stopSession(trx, open.id, now)) ? open.id : undefined;
  }

  /**
   * Declares that `controller` tells this charger its allocation (null: nobody). From then on,
   * every change of its allocation books ALLOCATIONS_CHANGED_WORK for its circuit.
   */
  setControlledBy(trx: Trx, chargerId: string, controller: string | null): Promise<void> {
    return integration.setControlledBy(trx, chargerId, controller);
  }

  /**
   * Stores readings of the given sessions: they advance the scopes' energy registers, and their
   * circuits get a breach check (ADR 0050).
   */
  async recordReadings(
    trx: Trx,
    readings: readonly integration.SessionReading[],
    now: Date,
  ): Promise<void> {
    await recordSessionReadings(trx, readings);
    await requestBreachChecksFor(
      trx,
      readings.map((r) => r.chargerId),
      now,
    );
  }

  /**
   * Marks the charger as not following its allocation (a reason) or following again (null). A
   * change is a rebalance: a charger that does not follow is assumed at its maximum (ADR 0024).
   */
  async setFollowing(
    trx: Trx,
    chargerId: string,
    notFollowingReason: string | null,
    now: Date,
  ): Promise<boolean> {
    const charger = await depot.findCharger(trx, chargerId);
    if (!charger) return false;
    // Circuit first (ADR 0015): the refresh below reads the flag under the circuit's lock.
    const [circuit] = await depot.lockCircuits(trx, [charger.circuitId]);
    if (!(await integration.setNotFollowing(trx, chargerId, notFollowingReason, now))) return false;
    await refreshCircuit(trx, charger.circuitId, now, circuit);
    return true;
  }

  allocationsOnCircuit(trx: Trx, circuitId: string): Promise<integration.ChargerAllocation[]> {
    return integration.chargerAllocationsOnCircuit(trx, circuitId);
  }
}
