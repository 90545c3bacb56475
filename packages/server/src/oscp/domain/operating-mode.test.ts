import { describe, expect, it } from 'vitest';
import type { GapPolicy } from './connection-profile';
import type { StoredBlock, TranslatedLimit } from './forecast-translation';
import {
  decideMode,
  isFallbackMode,
  limitOfMode,
  type ModeDecision,
  type ModeInput,
  type OperatingMode,
} from './operating-mode';

const block = (value: number, requestId: string): StoredBlock => ({
  start: new Date('2026-03-02T09:00:00Z'),
  end: new Date('2026-03-02T10:00:00Z'),
  limit: { value, unit: 'A' },
  requestId,
});
const primary = block(100, 'primary');
const fallback = block(40, 'fallback');

// --- the axes ------------------------------------------------------------------------------------

const STATES = {
  inactive: { active: false, online: true, forecastReceived: true },
  'inactive and offline': { active: false, online: false, forecastReceived: true },
  'no forecast yet (online)': { active: true, online: true, forecastReceived: false },
  'no forecast yet (offline)': { active: true, online: false, forecastReceived: false },
  online: { active: true, online: true, forecastReceived: true },
  offline: { active: true, online: false, forecastReceived: true },
} satisfies Record<string, Pick<ModeInput, 'active' | 'online' | 'forecastReceived'>>;
type State = keyof typeof STATES;

const COVERAGE = {
  'primary now': { primaryNow: primary, fallbackNow: undefined },
  'fallback now': { primaryNow: undefined, fallbackNow: fallback },
  both: { primaryNow: primary, fallbackNow: fallback },
  neither: { primaryNow: undefined, fallbackNow: undefined },
} satisfies Record<string, Pick<ModeInput, 'primaryNow' | 'fallbackNow'>>;
type Coverage = keyof typeof COVERAGE;

const POLICIES = {
  'safe default 16 A': {
    gapPolicy: 'SAFE_DEFAULT_CAPACITY' as GapPolicy,
    safeDefault: { value: 16, unit: 'A' } as TranslatedLimit,
  },
  'safe default 11 kW': {
    gapPolicy: 'SAFE_DEFAULT_CAPACITY' as GapPolicy,
    safeDefault: { value: 11, unit: 'KW' } as TranslatedLimit,
  },
  'local control': {
    gapPolicy: 'LOCAL_CONTROL' as GapPolicy,
    // Ignored under LOCAL_CONTROL: a value that would show if it leaked.
    safeDefault: { value: 7, unit: 'A' } as TranslatedLimit,
  },
};
type Policy = keyof typeof POLICIES;

// --- what each situation must give ---------------------------------------------------------------

type Outcome =
  | { mode: OperatingMode; limit: TranslatedLimit | null; block: StoredBlock | null; why: RegExp }
  | { gap: RegExp };

const LOCAL_INACTIVE: Outcome = {
  mode: 'LOCAL',
  limit: null,
  block: null,
  why: /^OSCP control is not active$/,
};
const LOCAL_NO_FORECAST: Outcome = {
  mode: 'LOCAL',
  limit: null,
  block: null,
  why: /^no capacity forecast received yet$/,
};
const NORMAL: Outcome = {
  mode: 'NORMAL',
  limit: primary.limit,
  block: primary,
  why: /forecast in force/,
};
const OFFLINE_FALLBACK: Outcome = {
  mode: 'FALLBACK_OFFLINE',
  limit: fallback.limit,
  block: fallback,
  why: /Capacity Provider is offline; its fallback forecast applies/,
};
const GAP_FALLBACK: Outcome = {
  mode: 'FALLBACK_GAP',
  limit: fallback.limit,
  block: fallback,
  why: /no capacity forecast covers now; the fallback forecast applies/,
};
const GAP_ONLINE: Outcome = { gap: /^no capacity forecast covers now; gap policy / };
const GAP_OFFLINE: Outcome = {
  gap: /^the Capacity Provider is offline and no fallback forecast covers now; gap policy /,
};

const TABLE: Record<State, Record<Coverage, Outcome>> = {
  inactive: {
    'primary now': LOCAL_INACTIVE,
    'fallback now': LOCAL_INACTIVE,
    both: LOCAL_INACTIVE,
    neither: LOCAL_INACTIVE,
  },
  'inactive and offline': {
    'primary now': LOCAL_INACTIVE,
    'fallback now': LOCAL_INACTIVE,
    both: LOCAL_INACTIVE,
    neither: LOCAL_INACTIVE,
  },
  'no forecast yet (online)': {
    'primary now': LOCAL_NO_FORECAST,
    'fallback now': LOCAL_NO_FORECAST,
    both: LOCAL_NO_FORECAST,
    neither: LOCAL_NO_FORECAST,
  },
  'no forecast yet (offline)': {
    'primary now': LOCAL_NO_FORECAST,
    'fallback now': LOCAL_NO_FORECAST,
    both: LOCAL_NO_FORECAST,
    neither: LOCAL_NO_FORECAST,
  },
  online: {
    'primary now': NORMAL,
    'fallback now': GAP_FALLBACK,
    both: NORMAL,
    neither: GAP_ONLINE,
  },
  offline: {
    // Offline, the primary forecast is not trusted: only a fallback block or the gap policy.
    'primary now': GAP_OFFLINE,
    'fallback now': OFFLINE_FALLBACK,
    both: OFFLINE_FALLBACK,
    neither: GAP_OFFLINE,
  },
};

/** What the gap policy gives under each policy. */
const GAP: Record<Policy, { limit: TranslatedLimit | null; why: RegExp }> = {
  'safe default 16 A': {
    limit: { value: 16, unit: 'A' },
    why: /gap policy SAFE_DEFAULT_CAPACITY: 16 A per phase$/,
  },
  'safe default 11 kW': {
    limit: { value: 11, unit: 'KW' },
    why: /gap policy SAFE_DEFAULT_CAPACITY: 11 kW$/,
  },
  'local control': {
    limit: null,
    why: /gap policy LOCAL_CONTROL: the circuit's own capacity applies$/,
  },
};

const rows = (Object.keys(STATES) as State[]).flatMap((state) =>
  (Object.keys(COVERAGE) as Coverage[]).flatMap((coverage) =>
    (Object.keys(POLICIES) as Policy[]).map((policy) => [state, coverage, policy] as const),
  ),
);

describe('decideMode: connection state × coverage now × gap policy', () => {
  it('the table is complete (6 states × 4 coverages × 3 policies)', () => {
    expect(rows).toHaveLength(72);
  });

  it.each(rows)('%s, %s, %s', (state, coverage, policy) => {
    const input: ModeInput = { ...STATES[state], ...COVERAGE[coverage], ...POLICIES[policy] };
    const decision: ModeDecision = decideMode(input);
    const outcome = TABLE[state][coverage];
    if ('gap' in outcome) {
      expect(decision.mode).toBe('GAP_POLICY');
      expect(decision.limit).toEqual(GAP[policy].limit);
      expect(decision.block).toBeNull();
      // The reason names why there is a gap, then the policy and what it gives.
      expect(decision.reason).toMatch(outcome.gap);
      expect(decision.reason).toMatch(GAP[policy].why);
    } else {
      expect(decision.mode).toBe(outcome.mode);
      expect(decision.limit).toEqual(outcome.limit);
      // The very block the limit comes from, so its end can be scheduled.
      expect(decision.block).toBe(outcome.block);
      expect(decision.reason).toMatch(outcome.why);
    }
  });

  it('the limit of a block is passed on as it is, kW per phase included', () => {
    const perPhase: StoredBlock = { ...primary, limit: { value: 23, unit: 'KW_PER_PHASE' } };
    const decision = decideMode({
      ...STATES.online,
      primaryNow: perPhase,
      fallbackNow: undefined,
      ...POLICIES['safe default 16 A'],
    });
    expect(decision.limit).toEqual({ value: 23, unit: 'KW_PER_PHASE' });
  });

  it('a zero safe default is a limit of zero, not "no limit"', () => {
    const decision = decideMode({
      ...STATES.online,
      ...COVERAGE.neither,
      gapPolicy: 'SAFE_DEFAULT_CAPACITY',
      safeDefault: { value: 0, unit: 'A' },
    });
    expect(decision.limit).toEqual({ value: 0, unit: 'A' });
    expect(decision.reason).toContain('SAFE_DEFAULT_CAPACITY: 0 A per phase');
  });

  it('a zero primary block is a forecast in force (Vector protective forecast), not a gap', () => {
    const zero: StoredBlock = { ...primary, limit: { value: 0, unit: 'KW' } };
    const decision = decideMode({
      ...STATES.online,
      primaryNow: zero,
      fallbackNow: fallback,
      ...POLICIES['safe default 16 A'],
    });
    expect(decision.mode).toBe('NORMAL');
    expect(decision.limit).toEqual({ value: 0, unit: 'KW' });
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

describe('limitOfMode: the limit a decided mode imposes, read back', () => {
  it.each(rows)('%s, %s, %s: the decision’s own limit', (state, coverage, policy) => {
    const input: ModeInput = { ...STATES[state], ...COVERAGE[coverage], ...POLICIES[policy] };
    const decision = decideMode(input);
    expect(limitOfMode(decision.mode, input)).toEqual(decision.limit);
  });
});
