import { describe, expect, it } from 'vitest';
import { limitChangeWorthSending, notFollowingReasonFor, txProfile } from './charging-profile';
import { idTagStatus } from './id-tags';
import { isValidChargePointId, isValidConnectorIds } from './identity';
import { readMeterValue } from './meter-values';

describe('limitChangeWorthSending (deadband 1 A)', () => {
  it.each([
    [undefined, 16, true, 'the first limit of a transaction'],
    [16, 16, false, 'no change'],
    [16, 16.5, false, 'an increase within the deadband'],
    [16, 17, true, 'an increase of the deadband'],
    [16, 15.9, true, 'any decrease'],
    [16, 0, true, 'pausing'],
    [0, 0.5, true, 'resuming'],
    [16, 16.04, false, 'a change below the 0.1 A resolution'],
  ] as [number | undefined, number, boolean, string][])(
    '%s A → %s A: %s (%s)',
    (before, after, expected) => {
      expect(limitChangeWorthSending(before, after, 1)).toBe(expected);
    },
  );
});

describe('txProfile', () => {
  it('limits the transaction in amps per phase on the charger’s phases, rounded down to 0.1 A', () => {
    expect(txProfile({ connectorId: 2, transactionId: 7, limitA: 13.37, numberPhases: 3 })).toEqual(
      {
        connectorId: 2,
        csChargingProfiles: {
          chargingProfileId: 2,
          transactionId: 7,
          stackLevel: 0,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Relative',
          chargingSchedule: {
            chargingRateUnit: 'A',
            chargingSchedulePeriod: [{ startPeriod: 0, limit: 13.3, numberPhases: 3 }],
          },
        },
      },
    );
  });
});

describe('notFollowingReasonFor', () => {
  it('names what the charger did, and clears the flag on acceptance', () => {
    expect(notFollowingReasonFor('ACCEPTED', 10)).toBeNull();
    expect(notFollowingReasonFor('REJECTED', 10)).toBe('Rejected its 10 A limit');
    expect(notFollowingReasonFor('NOT_SUPPORTED', 10)).toBe('Does not support charging profiles');
    expect(notFollowingReasonFor('TIMEOUT', 7.25)).toBe('Did not answer its 7.2 A limit');
  });
});

describe('readMeterValue', () => {
  it('reads the register (kWh), power (kW) and the highest phase current', () => {
    const reading = readMeterValue({
      timestamp: '2026-03-02T09:00:10+13:00',
      sampledValue: [
        { value: '12.5', measurand: 'Energy.Active.Import.Register', unit: 'kWh' },
        { value: '11.04', measurand: 'Power.Active.Import', unit: 'kW' },
        { value: '16.1', measurand: 'Current.Import', phase: 'L1', unit: 'A' },
        { value: '15.9', measurand: 'Current.Import', phase: 'L2', unit: 'A' },
        { value: '16.4', measurand: 'Current.Import', phase: 'L3', unit: 'A' },
        { value: '230', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
      ],
    });
    expect(reading).toEqual({
      measuredAt: new Date('2026-03-01T20:00:10Z'),
      registerWh: 12_500,
      powerW: 11_040,
      currentA: 16.4,
    });
  });

  it('takes a sample without a measurand as the energy register, and skips what is not a number', () => {
    const reading = readMeterValue({
      timestamp: '2026-03-02T09:00:00Z',
      sampledValue: [
        { value: '1000' },
        { value: 'n/a', measurand: 'Power.Active.Import' },
        { value: 'abc', measurand: 'Current.Import', phase: 'L1', format: 'SignedData' },
      ],
    });
    expect(reading).toMatchObject({ registerWh: 1000, powerW: undefined, currentA: undefined });
  });
});

describe('id tags and identities', () => {
  it('accepts anyone, or only the allow-list (case-insensitive)', () => {
    expect(idTagStatus({ mode: 'ACCEPT_ALL' }, 'X')).toBe('Accepted');
    expect(idTagStatus({ mode: 'ALLOW_LIST', idTags: ['abc123'] }, 'ABC123')).toBe('Accepted');
    expect(idTagStatus({ mode: 'ALLOW_LIST', idTags: ['abc123'] }, 'ZZZ')).toBe('Invalid');
  });

  it('validates charge point ids and connector ids', () => {
    expect(isValidChargePointId('OV-BAY-01')).toBe(true);
    expect(isValidChargePointId('a/b')).toBe(false);
    expect(isValidChargePointId('a:b')).toBe(false);
    expect(isValidChargePointId('x'.repeat(49))).toBe(false);
    expect(isValidConnectorIds([1, 2])).toBe(true);
    expect(isValidConnectorIds([0])).toBe(false);
    expect(isValidConnectorIds([1, 1])).toBe(false);
    expect(isValidConnectorIds([])).toBe(false);
  });
});
