import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BREACH_SETTINGS,
  NO_BREACH,
  observeLoad,
  toleranceFor,
  type BreachWatch,
  type LoadObservation,
} from './breach';

const t0 = new Date('2026-03-02T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const settings = DEFAULT_BREACH_SETTINGS;
const load = (l1: number, more: Partial<LoadObservation> = {}): LoadObservation => ({
  limitA: 90,
  envelopeInForce: true,
  phases: { L1: l1, L2: 40, L3: 40 },
  ...more,
});

/** Feeds loads at instants (seconds from t0) and collects every change. */
function run(steps: [number, LoadObservation][], start: BreachWatch = NO_BREACH) {
  let watch = start;
  const changes = [];
  let recheckAt: Date | null = null;
  let n = 0;
  for (const [seconds, observation] of steps) {
    n += 1;
    const decision = observeLoad(watch, observation, settings, at(seconds), `episode-${n}`);
    watch = decision.watch;
    changes.push(...decision.changes);
    recheckAt = decision.recheckAt;
  }
  return { watch, changes, recheckAt };
}

describe('the tolerance', () => {
  it('is 5 % of the limit or 2 A, whichever is larger', () => {
    expect(toleranceFor(90, settings)).toBe(4.5);
    expect(toleranceFor(20, settings)).toBe(2);
  });
});

describe('a breach', () => {
  it('is suspected as soon as a phase is over the tolerance, and starts after the hold time', () => {
    const suspected = run([[0, load(100)]]);
    expect(suspected.changes).toEqual([]);
    expect(suspected.watch.overSince).toEqual(at(0));
    expect(suspected.recheckAt).toEqual(at(60));

    const started = run([
      [0, load(100)],
      [59, load(100)],
      [60, load(101)],
    ]);
    expect(started.changes).toEqual([
      {
        type: 'BreachStarted',
        episodeId: 'episode-3',
        phase: 'L1',
        limitA: 90,
        measuredA: 101,
        since: at(0),
        at: at(60),
      },
    ]);
    expect(started.watch.open?.id).toBe('episode-3');
    expect(started.watch.overSince).toBeNull();
  });

  it('does not start for a spike shorter than the hold time', () => {
    const spike = run([
      [0, load(120)],
      [30, load(120)],
      [45, load(80)],
      [70, load(120)],
      [100, load(120)],
    ]);
    expect(spike.changes).toEqual([]);
    // The second spike is timed from its own start.
    expect(spike.watch.overSince).toEqual(at(70));
  });

  it('does not count a load within the tolerance as over', () => {
    expect(run([[0, load(94.5)]]).watch).toEqual(NO_BREACH);
    expect(run([[0, load(94.6)]]).watch.overSince).toEqual(at(0));
  });

  it('does not start while no envelope is in force', () => {
    const staticLimit = run([
      [0, load(150, { envelopeInForce: false })],
      [120, load(150, { envelopeInForce: false })],
    ]);
    expect(staticLimit.changes).toEqual([]);
    expect(staticLimit.watch).toEqual(NO_BREACH);
  });

  it('is named by its most loaded phase', () => {
    const started = run([
      [0, load(0, { phases: { L1: 96, L2: 110, L3: 100 } })],
      [60, load(0, { phases: { L1: 96, L2: 110, L3: 100 } })],
    ]);
    expect(started.changes[0]).toMatchObject({ phase: 'L2', measuredA: 110 });
  });
});

describe('an open breach', () => {
  const open = run([
    [0, load(100)],
    [60, load(100)],
  ]).watch;

  it('changes nothing while the load stays the same', () => {
    const continuing = run(
      [
        [61, load(100)],
        [300, load(103)],
      ],
      open,
    );
    expect(continuing.changes).toEqual([]);
    expect(continuing.watch.open?.id).toBe(open.open!.id);
  });

  it('worsens when its excess grows by more than the margin, measured from the last announcement', () => {
    // 10 % of 90 A is 9 A: from 10 A over, 19 A over is not worse, 19.1 A is.
    const worse = run(
      [
        [70, load(109)],
        [80, load(109.1)],
        [90, load(118)],
        [100, load(118.2)],
      ],
      open,
    );
    expect(worse.changes).toEqual([
      expect.objectContaining({ type: 'BreachWorsened', measuredA: 109.1, since: at(0) }),
      expect.objectContaining({ type: 'BreachWorsened', measuredA: 118.2 }),
    ]);
    expect(worse.watch.open?.peakA).toBe(118.2);
  });

  it('ends once every phase stayed within the tolerance for the hold time, at the time it came back', () => {
    const ending = run(
      [
        [100, load(90)],
        [159, load(90)],
      ],
      open,
    );
    expect(ending.changes).toEqual([]);
    expect(ending.watch.withinSince).toEqual(at(100));
    expect(ending.recheckAt).toEqual(at(160));

    const ended = run(
      [
        [100, load(90)],
        [160, load(0)],
      ],
      open,
    );
    expect(ended.changes).toEqual([
      expect.objectContaining({
        type: 'BreachEnded',
        episodeId: open.open!.id,
        since: at(0),
        endedAt: at(100),
        peakA: 100,
        at: at(160),
      }),
    ]);
    expect(ended.watch).toEqual(NO_BREACH);
  });

  it('stays open when the load goes over again before the hold time', () => {
    const relapse = run(
      [
        [100, load(90)],
        [130, load(100)],
        [200, load(90)],
        [250, load(90)],
      ],
      open,
    );
    expect(relapse.changes).toEqual([]);
    expect(relapse.watch.withinSince).toEqual(at(200));
  });
});
