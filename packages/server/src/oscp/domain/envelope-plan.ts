import type { StoredBlock, TranslatedLimit } from './forecast-translation';
import type { ModeDecision, OperatingMode } from './operating-mode';

/**
 * Which envelope OSCP wants on its scope for a mode decision, and when that may change. Pure: the
 * control decider compares the wanted envelope with the one in place by fingerprint and replaces it
 * only when they differ.
 */

export interface PlannedBlock {
  start: Date;
  end: Date;
  limit: TranslatedLimit;
}

export interface DesiredEnvelope {
  source: string;
  blocks: PlannedBlock[];
}

const DAY_MS = 24 * 3600_000;

/** Blocks from the one covering now, while each next one starts where the previous ended. */
export function chainFrom(blocks: readonly StoredBlock[], first: StoredBlock): StoredBlock[] {
  const chain = [first];
  for (const b of blocks) {
    const last = chain[chain.length - 1]!;
    if (b.start.getTime() === last.end.getTime()) chain.push(b);
  }
  return chain;
}

/**
 * The LIMIT envelope for a decision: the chain of forecast (or fallback) blocks from the one in
 * force, or the gap policy's limit until the next primary block starts (a day ahead at most; it
 * is decided again well before). None when the decision imposes no limit.
 */
export function desiredEnvelope(
  decision: ModeDecision,
  primary: readonly StoredBlock[],
  fallback: readonly StoredBlock[],
  now: Date,
  label: string,
): DesiredEnvelope | null {
  if (!decision.limit) return null;
  if (decision.mode === 'NORMAL' && decision.block) {
    return { source: `OSCP forecast (${label})`, blocks: chainFrom(primary, decision.block) };
  }
  if (
    (decision.mode === 'FALLBACK_OFFLINE' || decision.mode === 'FALLBACK_GAP') &&
    decision.block
  ) {
    return {
      source: `OSCP fallback forecast (${label})`,
      blocks: chainFrom(fallback, decision.block),
    };
  }
  const nextPrimary = primary.find((b) => b.start > now);
  const end = nextPrimary ? nextPrimary.start : new Date(now.getTime() + DAY_MS);
  return {
    source: `OSCP gap policy: safe default (${label})`,
    blocks: [{ start: now, end, limit: decision.limit }],
  };
}

const blockPrint = (b: PlannedBlock) => [
  b.start.toISOString(),
  b.end.toISOString(),
  b.limit.value,
  b.limit.unit,
];

/** Same mode and same blocks: the envelope in place already says it. */
export function limitFingerprint(mode: OperatingMode, desired: DesiredEnvelope | null): string {
  return JSON.stringify({ mode, blocks: desired?.blocks.map(blockPrint) ?? [] });
}

export function standbyFingerprint(blocks: readonly PlannedBlock[]): string {
  return JSON.stringify(blocks.map(blockPrint));
}

/** The next instant the decision may change: a block starts or ends. */
export function nextBoundary(
  blocks: readonly StoredBlock[],
  desired: DesiredEnvelope | null,
  now: Date,
): Date | undefined {
  const instants = [
    ...blocks.flatMap((b) => [b.start, b.end]),
    ...(desired?.blocks.flatMap((b) => [b.end]) ?? []),
  ]
    .map((d) => d.getTime())
    .filter((t) => t > now.getTime());
  return instants.length > 0 ? new Date(Math.min(...instants)) : undefined;
}
