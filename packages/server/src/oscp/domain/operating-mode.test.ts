import { describe, expect, it } from 'vitest';
import type { StoredBlock } from './forecast-translation';
import { decideMode, isFallbackMode, type ModeInput, type OperatingMode } from './operating-mode';

const block = (value: number): StoredBlock => ({
  start: new Date('2026-03-02T09:00:00Z'),
  end: new Date('2026-03-02T10:00:00Z'),
  limit: { value, unit: 'A' },
  requestId: 'r',
});
const primary = block(100);
const fallback = block(40);

const base: ModeInput = {
  active: true,
  online: true,
  forecastReceived: true,
  primaryNow: undefined,
  fallbackNow: undefined,
  gapPolicy: 'SAFE_DEFAULT_CAPACITY',
  safeDefault: { value: 16, unit: 'A' },
};

type Row = [string, Partial<ModeInput>, OperatingMode, number | null, string];

// Connection state × coverage × gap policy → mode, limit, and a reason naming why.
const table: Row[] = [
  [
    'inactive, even with coverage',
    { active: false, primaryNow: primary, fallbackNow: fallback },
    'LOCAL',
    null,
    'not active',
  ],
  [
    'no forecast yet, even offline',
    { forecastReceived: false, online: false },
    'LOCAL',
    null,
    'no capacity forecast received yet',
  ],
  [
    'online, primary and fallback',
    { primaryNow: primary, fallbackNow: fallback },
    'NORMAL',
    100,
    'forecast in force',
  ],
  ['online, primary only', { primaryNow: primary }, 'NORMAL', 100, 'forecast in force'],
  [
    'online, fallback only',
    { fallbackNow: fallback },
    'FALLBACK_GAP',
    40,
    'fallback forecast applies',
  ],
  [
    'online, neither, safe default A',
    {},
    'GAP_POLICY',
    16,
    'SAFE_DEFAULT_CAPACITY: 16 A per phase',
  ],
  [
    'online, neither, safe default kW',
    { safeDefault: { value: 11, unit: 'KW' } },
    'GAP_POLICY',
    11,
    'SAFE_DEFAULT_CAPACITY: 11 kW',
  ],
  [
    'online, neither, local control',
    { gapPolicy: 'LOCAL_CONTROL' },
    'GAP_POLICY',
    null,
    'LOCAL_CONTROL',
  ],
  [
    'offline, primary and fallback',
    { online: false, primaryNow: primary, fallbackNow: fallback },
    'FALLBACK_OFFLINE',
    40,
    'offline',
  ],
  [
    'offline, fallback only',
    { online: false, fallbackNow: fallback },
    'FALLBACK_OFFLINE',
    40,
    'offline',
  ],
  [
    'offline, primary only',
    { online: false, primaryNow: primary },
    'GAP_POLICY',
    16,
    'offline and no fallback forecast',
  ],
  ['offline, neither', { online: false }, 'GAP_POLICY', 16, 'offline and no fallback forecast'],
  [
    'offline, neither, local control',
    { online: false, gapPolicy: 'LOCAL_CONTROL' },
    'GAP_POLICY',
    null,
    'LOCAL_CONTROL',
  ],
];

describe('decideMode', () => {
  it.each(table)('%s', (_name, input, mode, limit, reason) => {
    const decision = decideMode({ ...base, ...input });
    expect(decision.mode).toBe(mode);
    expect(decision.limit?.value ?? null).toBe(limit);
    expect(decision.reason).toContain(reason);
  });

  it('names the block the limit comes from', () => {
    expect(decideMode({ ...base, primaryNow: primary }).block).toBe(primary);
    expect(decideMode({ ...base, online: false, fallbackNow: fallback }).block).toBe(fallback);
    expect(decideMode(base).block).toBeNull();
  });
});

describe('isFallbackMode', () => {
  it.each([
    ['NORMAL', false],
    ['LOCAL', false],
    ['FALLBACK_OFFLINE', true],
    ['FALLBACK_GAP', true],
    ['GAP_POLICY', true],
  ] as const)('%s → %s', (mode, expected) => expect(isFallbackMode(mode)).toBe(expected));
});
