import type { GapPolicy } from './connection-profile';
import type { StoredBlock, TranslatedLimit } from './forecast-translation';

/**
 * Which limit OSCP imposes on the scope now, and why. The console shows the mode; only FALLBACK_*
 * and GAP_POLICY are "fallback mode" (yellow), never a red alarm.
 * - NORMAL: a primary (CONSUMPTION) block covers now, and the link is healthy.
 * - FALLBACK_OFFLINE: the peer is offline and a FALLBACK_CONSUMPTION block covers now.
 * - FALLBACK_GAP: the link is healthy but no primary block covers now; a fallback block does.
 * - GAP_POLICY: no primary (or, offline, no fallback) block covers now: the profile's gap policy.
 * - LOCAL: OSCP imposes nothing: not enabled, disconnected, or no forecast received yet.
 */
export const OPERATING_MODES = [
  'NORMAL',
  'FALLBACK_OFFLINE',
  'FALLBACK_GAP',
  'GAP_POLICY',
  'LOCAL',
] as const;
export type OperatingMode = (typeof OPERATING_MODES)[number];

export interface ModeInput {
  /** Enabled and not intentionally disconnected. */
  active: boolean;
  /** The peer's heartbeats are current (ONLINE or just HANDSHAKEN). */
  online: boolean;
  /**
   * A CONSUMPTION or FALLBACK_CONSUMPTION block has been in force since OSCP control began (a
   * forecast about later does not count until it starts): before that, local control.
   */
  forecastReceived: boolean;
  primaryNow: StoredBlock | undefined;
  fallbackNow: StoredBlock | undefined;
  gapPolicy: GapPolicy;
  safeDefault: TranslatedLimit;
  /** Before control began: when the first block of an accepted forecast starts, if one does. */
  firstBlockAt?: Date | undefined;
}

export interface ModeDecision {
  mode: OperatingMode;
  /** The limit to apply, or null for none (the circuit's own capacity). */
  limit: TranslatedLimit | null;
  /** The block the limit comes from, when it comes from one. */
  block: StoredBlock | null;
  reason: string;
}

export function isFallbackMode(mode: OperatingMode): boolean {
  return mode === 'FALLBACK_OFFLINE' || mode === 'FALLBACK_GAP' || mode === 'GAP_POLICY';
}

function gapPolicy(input: ModeInput, why: string): ModeDecision {
  if (input.gapPolicy === 'LOCAL_CONTROL') {
    return {
      mode: 'GAP_POLICY',
      limit: null,
      block: null,
      reason: `${why}; gap policy LOCAL_CONTROL: the circuit's own capacity applies`,
    };
  }
  return {
    mode: 'GAP_POLICY',
    limit: input.safeDefault,
    block: null,
    reason: `${why}; gap policy SAFE_DEFAULT_CAPACITY: ${input.safeDefault.value} ${input.safeDefault.unit === 'A' ? 'A per phase' : 'kW'}`,
  };
}

/** The decision table of fallback and gap handling (ADR 0012). Pure: state and coverage in, mode out. */
export function decideMode(input: ModeInput): ModeDecision {
  if (!input.active)
    return { mode: 'LOCAL', limit: null, block: null, reason: 'OSCP control is not active' };
  if (!input.forecastReceived) {
    const reason = input.firstBlockAt
      ? `a capacity forecast was accepted; OSCP control begins with its first block at ${input.firstBlockAt.toISOString()}`
      : 'no capacity forecast received yet';
    return { mode: 'LOCAL', limit: null, block: null, reason };
  }
  if (!input.online) {
    if (input.fallbackNow) {
      return {
        mode: 'FALLBACK_OFFLINE',
        limit: input.fallbackNow.limit,
        block: input.fallbackNow,
        reason: 'the Capacity Provider is offline; its fallback forecast applies',
      };
    }
    return gapPolicy(input, 'the Capacity Provider is offline and no fallback forecast covers now');
  }
  if (input.primaryNow) {
    return {
      mode: 'NORMAL',
      limit: input.primaryNow.limit,
      block: input.primaryNow,
      reason: 'capacity forecast in force',
    };
  }
  if (input.fallbackNow) {
    return {
      mode: 'FALLBACK_GAP',
      limit: input.fallbackNow.limit,
      block: input.fallbackNow,
      reason: 'no capacity forecast covers now; the fallback forecast applies',
    };
  }
  return gapPolicy(input, 'no capacity forecast covers now');
}

/**
 * The limit a mode decided earlier imposes now, read back from what covers now: the primary block
 * (NORMAL), the fallback block (FALLBACK_*), the safe default (GAP_POLICY with that policy), or
 * none. It is what the mode's LIMIT envelope holds, for operators to read beside the mode.
 */
export function limitOfMode(
  mode: OperatingMode,
  now: Pick<ModeInput, 'primaryNow' | 'fallbackNow' | 'gapPolicy' | 'safeDefault'>,
): TranslatedLimit | null {
  switch (mode) {
    case 'NORMAL':
      return now.primaryNow?.limit ?? null;
    case 'FALLBACK_OFFLINE':
    case 'FALLBACK_GAP':
      return now.fallbackNow?.limit ?? null;
    case 'GAP_POLICY':
      return now.gapPolicy === 'SAFE_DEFAULT_CAPACITY' ? now.safeDefault : null;
    case 'LOCAL':
      return null;
  }
}
