import { describe, expect, it } from 'vitest';
import {
  formatAmps,
  formatDateTime,
  formatKwh,
  formatLimit,
  formatRecentTime,
  fromZonedInputValue,
  toZonedInputValue,
} from './format';

describe('formatting', () => {
  it('shows amps with at most one decimal and no negative zero', () => {
    expect(formatAmps(26.64)).toBe('26.6 A');
    expect(formatAmps(160)).toBe('160 A');
    expect(formatAmps(-0.01)).toBe('0 A');
    expect(formatAmps(null)).toBe('—');
    expect(formatAmps(Number.NaN)).toBe('—');
  });

  it('shows energy in kWh and limits in their unit', () => {
    expect(formatKwh(12_345)).toBe('12.35 kWh');
    expect(formatLimit({ value: 40, unit: 'A' })).toBe('40 A');
    expect(formatLimit({ value: 22.5, unit: 'KW' })).toBe('22.5 kW');
    expect(formatLimit({ value: 7, unit: 'KW_PER_PHASE' })).toBe('7 kW per phase');
  });

  it('shows an instant in the microgrid’s zone and names the zone', () => {
    const at = '2026-03-02T09:00:00Z';
    expect(formatDateTime(at, 'Pacific/Auckland')).toBe('2 Mar 2026, 22:00 GMT+13');
    expect(formatDateTime(at, 'UTC')).toBe('2 Mar 2026, 09:00 UTC');
    expect(formatDateTime(undefined, 'UTC')).toBe('—');
  });

  it('shows only the time for an instant of today in the zone', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    expect(formatRecentTime('2026-03-02T08:59:30Z', 'UTC', now)).toBe('08:59:30 UTC');
    expect(formatRecentTime('2026-03-01T08:59:30Z', 'UTC', now)).toBe('1 Mar 2026, 08:59:30 UTC');
  });

  it('turns wall times of a zone into instants and back, across a daylight-saving change', () => {
    // Auckland leaves daylight saving on 5 April 2026 at 03:00 (back to 02:00).
    const before = fromZonedInputValue('2026-04-04T12:00', 'Pacific/Auckland');
    const after = fromZonedInputValue('2026-04-06T12:00', 'Pacific/Auckland');
    expect(before?.toISOString()).toBe('2026-04-03T23:00:00.000Z');
    expect(after?.toISOString()).toBe('2026-04-06T00:00:00.000Z');
    expect(toZonedInputValue(after!.getTime(), 'Pacific/Auckland')).toBe('2026-04-06T12:00');
    expect(fromZonedInputValue('not a time', 'UTC')).toBeNull();
  });
});
