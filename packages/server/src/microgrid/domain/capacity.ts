/** Where a circuit's available capacity comes from. Shown to operators and recorded on allocations. */
export type CapacitySource =
  | { kind: 'STATIC' }
  | {
      kind: 'ENVELOPE';
      envelopeId: string;
      description: string;
      origin: EnvelopeOrigin;
      blockIndex: number;
      blockEndsAt: string;
      limit: PowerLimit;
    };

/** Who submitted an envelope. Protocol adapters describe themselves here without the microgrid knowing them. */
export type EnvelopeOrigin =
  | { kind: 'MANUAL'; by: string }
  | {
      kind: 'ADAPTER';
      adapter: string;
      reference: Record<string, string>;
      /** Set when the adapter applies a contingency limit (e.g. a fallback forecast): shown as fallback mode. */
      fallbackReason?: string;
    };

/** A per phase; kW for the whole circuit; kW on each phase. */
export type PowerUnit = 'A' | 'KW' | 'KW_PER_PHASE';
export interface PowerLimit {
  value: number;
  unit: PowerUnit;
}

export interface CircuitElectrical {
  phaseCount: 1 | 3;
  nominalVoltageV: number;
  staticCapacityA: number;
}

/**
 * Converts a limit to amps per phase: kW are spread evenly over the circuit's phases at its
 * phase-to-neutral voltage (P = V × I × phases).
 */
export function toAmpsPerPhase(limit: PowerLimit, circuit: CircuitElectrical): number {
  switch (limit.unit) {
    case 'A':
      return limit.value;
    case 'KW':
      return (limit.value * 1000) / (circuit.nominalVoltageV * circuit.phaseCount);
    case 'KW_PER_PHASE':
      return (limit.value * 1000) / circuit.nominalVoltageV;
  }
}

export interface BlockInForce {
  envelopeId: string;
  description: string;
  origin: EnvelopeOrigin;
  submittedAt: string;
  blockIndex: number;
  blockEndsAt: string;
  limit: PowerLimit;
}

export interface EffectiveCapacity {
  amps: number;
  source: CapacitySource;
}

/**
 * Effective capacity = min(static, every envelope limit in force). The lowest limit is the source;
 * ties go to the earlier submission (then the lower envelope id) so the answer does not depend on
 * row order. Amps, the static limit included, are rounded down to 0.1 A: a limit is never exceeded
 * by rounding.
 */
export function effectiveCapacity(
  circuit: CircuitElectrical,
  inForce: readonly BlockInForce[],
): EffectiveCapacity {
  let best: EffectiveCapacity = {
    amps: floorTenth(circuit.staticCapacityA),
    source: { kind: 'STATIC' },
  };
  let bestSubmittedAt = '';
  let bestEnvelopeId = '';
  for (const block of inForce) {
    const amps = floorTenth(toAmpsPerPhase(block.limit, circuit));
    const earlier =
      block.submittedAt < bestSubmittedAt ||
      (block.submittedAt === bestSubmittedAt && block.envelopeId < bestEnvelopeId);
    const better =
      amps < best.amps || (amps === best.amps && best.source.kind === 'ENVELOPE' && earlier);
    if (better) {
      best = {
        amps,
        source: {
          kind: 'ENVELOPE',
          envelopeId: block.envelopeId,
          description: block.description,
          origin: block.origin,
          blockIndex: block.blockIndex,
          blockEndsAt: block.blockEndsAt,
          limit: block.limit,
        },
      };
      bestSubmittedAt = block.submittedAt;
      bestEnvelopeId = block.envelopeId;
    }
  }
  return best;
}

export function floorTenth(amps: number): number {
  // The epsilon absorbs binary noise such as 99.99999999 standing for 100.
  return Math.max(0, Math.floor(amps * 10 + 1e-9) / 10);
}

export function describeSource(source: CapacitySource): string {
  return source.kind === 'STATIC' ? 'Static circuit limit' : `Envelope: ${source.description}`;
}
