import type { SetChargingProfileRequest, SetChargingProfileStatus } from './messages';

/** Profile ids we own: the same id (and stack level and purpose) replaces the previous profile. */
export const TX_DEFAULT_PROFILE_ID = 1;
export const TX_PROFILE_ID = 2;

/** OCPP limits are in steps of 0.1 A; an allocation is already rounded down to them. */
function tenths(amps: number): number {
  return Math.max(0, Math.floor(amps * 10 + 1e-6) / 10);
}

/** The limit of a running transaction: amps per phase on the charger's phases, from now on. */
export function txProfile(input: {
  connectorId: number;
  transactionId: number;
  limitA: number;
  numberPhases: number;
}): SetChargingProfileRequest {
  return {
    connectorId: input.connectorId,
    csChargingProfiles: {
      chargingProfileId: TX_PROFILE_ID,
      transactionId: input.transactionId,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: {
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: tenths(input.limitA), numberPhases: input.numberPhases },
        ],
      },
    },
  };
}

/**
 * The limit every new transaction starts with until its own arrives: set at boot on connector 0
 * (all connectors), so a charger that starts charging before its first allocation stays safe.
 */
export function txDefaultProfile(input: {
  limitA: number;
  numberPhases: number;
}): SetChargingProfileRequest {
  return {
    connectorId: 0,
    csChargingProfiles: {
      chargingProfileId: TX_DEFAULT_PROFILE_ID,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: {
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: tenths(input.limitA), numberPhases: input.numberPhases },
        ],
      },
    },
  };
}

/**
 * Whether a new allocation is worth a message (ADR 0023). A decrease is always sent: many chargers
 * each a little over their share add up on the breaker. An increase is sent only beyond the
 * deadband, so small ripples of the balancer do not flood the chargers. Pausing (0 A) and resuming
 * always go out.
 */
export function limitChangeWorthSending(
  previousA: number | undefined,
  desiredA: number,
  deadbandA: number,
): boolean {
  if (previousA === undefined) return true;
  const before = tenths(previousA);
  const after = tenths(desiredA);
  if (after === before) return false;
  if (after < before || before === 0 || after === 0) return true;
  return after - before >= deadbandA;
}

export type LimitAnswer = 'ACCEPTED' | 'REJECTED' | 'NOT_SUPPORTED' | 'TIMEOUT' | 'FAILED';

export function answerOf(status: SetChargingProfileStatus): LimitAnswer {
  return status === 'Accepted' ? 'ACCEPTED' : status === 'Rejected' ? 'REJECTED' : 'NOT_SUPPORTED';
}

/** Why the balancer must assume the charger's maximum after this answer (ADR 0024), or null. */
export function notFollowingReasonFor(answer: LimitAnswer, limitA: number): string | null {
  switch (answer) {
    case 'ACCEPTED':
      return null;
    case 'REJECTED':
      return `Rejected its ${tenths(limitA)} A limit`;
    case 'NOT_SUPPORTED':
      return 'Does not support charging profiles';
    case 'TIMEOUT':
      return `Did not answer its ${tenths(limitA)} A limit`;
    case 'FAILED':
      return `Its ${tenths(limitA)} A limit could not be sent`;
  }
}
