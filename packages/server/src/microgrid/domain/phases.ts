/** A conductor of a three-phase supply. A single-phase circuit uses L1 only. */
export type Phase = 'L1' | 'L2' | 'L3';

/** Every phase, in the fixed order used whenever a tie between phases must be broken. */
export const ALL_PHASES: readonly Phase[] = Object.freeze(['L1', 'L2', 'L3'] as const);

/** Amps available per phase. A phase the circuit does not have is 0. */
export type PhaseCapacity = Record<Phase, number>;

export function isPhase(value: unknown): value is Phase {
  return value === 'L1' || value === 'L2' || value === 'L3';
}

/**
 * The same amps on each of the circuit's phases: a three-phase circuit gets them on L1, L2 and L3,
 * a single-phase circuit on L1 only (L2 and L3 are 0).
 */
export function uniformCapacity(amps: number, phaseCount: 1 | 3): PhaseCapacity {
  return phaseCount === 1 ? { L1: amps, L2: 0, L3: 0 } : { L1: amps, L2: amps, L3: amps };
}

/** The phases a charger draws on, by phase count: a single-phase charger on `phase` (L1 by default). */
export function chargerPhases(phaseCount: 1 | 3, phase: Phase = 'L1'): readonly Phase[] {
  return phaseCount === 1 ? [phase] : ALL_PHASES;
}
