import { ALL_PHASES, type Phase } from './phases';

/**
 * Breach detection: does a circuit draw more than its effective capacity allows? Pure: the load
 * per phase and the limit in, the next watch state and what happened out. The app keeps the watch
 * state durable and asks again when readings arrive and when a hold time runs out.
 *
 * The rule (ADR 0050): a phase is over when its load exceeds the limit by more than the tolerance
 * (the larger of `tolerancePercent` of the limit and `toleranceA`). A breach starts when some phase
 * has stayed over for the hold time, and only while an envelope is in force; it ends when every
 * phase has stayed within the tolerance for the hold time. One episode per circuit, named by the
 * most loaded phase.
 */

export interface BreachSettings {
  tolerancePercent: number;
  toleranceA: number;
  holdSeconds: number;
  /** A breach worsens when its excess grows by more than this share of the limit (or `toleranceA`). */
  worseningPercent: number;
}

export const DEFAULT_BREACH_SETTINGS: BreachSettings = Object.freeze({
  tolerancePercent: 5,
  toleranceA: 2,
  holdSeconds: 60,
  worseningPercent: 10,
});

/** How far over its limit a phase may draw before it counts as over. */
export function toleranceFor(limitA: number, settings: BreachSettings): number {
  return Math.max((limitA * settings.tolerancePercent) / 100, settings.toleranceA);
}

function worseningMarginFor(limitA: number, settings: BreachSettings): number {
  return Math.max((limitA * settings.worseningPercent) / 100, settings.toleranceA);
}

export interface LoadObservation {
  /** Effective capacity, A per phase. */
  limitA: number;
  /** An envelope sets the limit now: only then may a breach start. */
  envelopeInForce: boolean;
  /** Measured load on each of the circuit's phases, A. */
  phases: Partial<Record<Phase, number>>;
}

export interface OpenEpisode {
  id: string;
  since: Date;
  /** The excess over the limit last announced (at the start or the latest worsening). */
  reportedExcessA: number;
  peakA: number;
  peakPhase: Phase;
}

export interface BreachWatch {
  /** Over the limit since then, not yet for the hold time: a suspected breach. */
  overSince: Date | null;
  /** While an episode is open: every phase has been within the tolerance since then. */
  withinSince: Date | null;
  open: OpenEpisode | null;
}

export const NO_BREACH: BreachWatch = Object.freeze({
  overSince: null,
  withinSince: null,
  open: null,
});

interface Reading {
  phase: Phase;
  measuredA: number;
  limitA: number;
}

export type BreachChange =
  | ({ type: 'BreachStarted'; episodeId: string; since: Date; at: Date } & Reading)
  | ({ type: 'BreachWorsened'; episodeId: string; since: Date; at: Date } & Reading)
  | ({
      type: 'BreachEnded';
      episodeId: string;
      since: Date;
      /** When the load came back within the tolerance (and stayed there for the hold time). */
      endedAt: Date;
      peakA: number;
      peakPhase: Phase;
      at: Date;
    } & Reading);

export interface BreachDecision {
  watch: BreachWatch;
  changes: BreachChange[];
  /** When to look again even if no reading arrives: the end of a running hold time. */
  recheckAt: Date | null;
}

/** The most loaded phase (ties go to the first in L1, L2, L3 order). */
export function worstPhase(phases: Partial<Record<Phase, number>>): {
  phase: Phase;
  measuredA: number;
} {
  let worst: { phase: Phase; measuredA: number } = { phase: 'L1', measuredA: phases.L1 ?? 0 };
  for (const phase of ALL_PHASES) {
    const measuredA = phases[phase];
    if (measuredA !== undefined && measuredA > worst.measuredA) worst = { phase, measuredA };
  }
  return worst;
}

const after = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000);
const held = (from: Date, now: Date, seconds: number) =>
  now.getTime() - from.getTime() >= seconds * 1000;

/**
 * The next watch state at `now` given the load. `newEpisodeId` names the episode a start opens.
 * Deciding again with the same load at the same instant changes nothing.
 */
export function observeLoad(
  watch: BreachWatch,
  load: LoadObservation,
  settings: BreachSettings,
  now: Date,
  newEpisodeId: string,
): BreachDecision {
  const { phase, measuredA } = worstPhase(load.phases);
  const limitA = load.limitA;
  const excessA = measuredA - limitA;
  const over = excessA > toleranceFor(limitA, settings);
  const reading: Reading = { phase, measuredA, limitA };

  if (!watch.open) {
    if (!over || !load.envelopeInForce) return { watch: NO_BREACH, changes: [], recheckAt: null };
    const overSince = watch.overSince ?? now;
    if (!held(overSince, now, settings.holdSeconds)) {
      return {
        watch: { ...NO_BREACH, overSince },
        changes: [],
        recheckAt: after(overSince, settings.holdSeconds),
      };
    }
    const open: OpenEpisode = {
      id: newEpisodeId,
      since: overSince,
      reportedExcessA: excessA,
      peakA: measuredA,
      peakPhase: phase,
    };
    return {
      watch: { overSince: null, withinSince: null, open },
      changes: [
        { type: 'BreachStarted', episodeId: open.id, since: overSince, at: now, ...reading },
      ],
      recheckAt: null,
    };
  }

  const open = watch.open;
  if (over) {
    const peak = measuredA > open.peakA ? { peakA: measuredA, peakPhase: phase } : {};
    const worse = excessA > open.reportedExcessA + worseningMarginFor(limitA, settings);
    const changes: BreachChange[] = worse
      ? [
          {
            type: 'BreachWorsened',
            episodeId: open.id,
            since: open.since,
            at: now,
            ...reading,
          },
        ]
      : [];
    return {
      watch: {
        overSince: null,
        withinSince: null,
        open: { ...open, ...peak, ...(worse ? { reportedExcessA: excessA } : {}) },
      },
      changes,
      recheckAt: null,
    };
  }

  const withinSince = watch.withinSince ?? now;
  if (!held(withinSince, now, settings.holdSeconds)) {
    return {
      watch: { overSince: null, withinSince, open },
      changes: [],
      recheckAt: after(withinSince, settings.holdSeconds),
    };
  }
  return {
    watch: NO_BREACH,
    changes: [
      {
        type: 'BreachEnded',
        episodeId: open.id,
        since: open.since,
        endedAt: withinSince,
        peakA: open.peakA,
        peakPhase: open.peakPhase,
        at: now,
        ...reading,
      },
    ],
    recheckAt: null,
  };
}
