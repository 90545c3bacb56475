// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CircuitBreaches } from '../../api/types';
import { answerWith, renderConsole } from '../../testing/render';
import { BreachCard } from './BreachCard';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const settings = { tolerancePercent: 5, toleranceA: 2, holdSeconds: 60, worseningPercent: 10 };
const normal: CircuitBreaches = {
  settings,
  status: 'NORMAL',
  limitA: 60,
  toleranceA: 3,
  envelopeInForce: true,
  phases: [
    { phase: 'L1', measuredA: 50, overLimit: false },
    { phase: 'L2', measuredA: 40, overLimit: false },
    { phase: 'L3', measuredA: 40, overLimit: false },
  ],
  overSince: null,
  withinSince: null,
  holdEndsAt: null,
  open: null,
  episodes: [],
};
const episode = {
  id: 'ep-1',
  phase: 'L1' as const,
  limitA: 60,
  measuredA: 70,
  since: '2026-03-02T09:00:00Z',
  startedAt: '2026-03-02T09:01:00Z',
  peakA: 72,
  peakPhase: 'L1' as const,
  worsened: null,
  endedAt: null,
  limitLabel: 'Envelope: OSCP forecast',
};

function show(breaches: CircuitBreaches, reports: unknown[] = []) {
  vi.stubGlobal('fetch', answerWith(200, { reports }).fetch);
  renderConsole(<BreachCard circuitId="c-1" breaches={breaches} timeZone="UTC" manage />);
}

describe('the breach card', () => {
  it('is quiet while every phase is within the limit', () => {
    show(normal);
    expect(screen.getByTestId('breach-status').dataset.status).toBe('NORMAL');
    expect(screen.getByTestId('breach-summary').textContent).toBe(
      'Every phase within 60 A (plus 3 A tolerance).',
    );
    expect(screen.getByTestId('breach-episodes-empty')).toBeTruthy();
  });

  it('turns amber while the load is over the limit, saying when it becomes a breach', () => {
    show({
      ...normal,
      status: 'SUSPECTED',
      overSince: '2026-03-02T09:00:00Z',
      holdEndsAt: '2026-03-02T09:01:00Z',
      phases: [{ phase: 'L1', measuredA: 70, overLimit: true }, ...normal.phases.slice(1)],
    });
    const badge = screen.getByTestId('breach-status');
    expect(badge.textContent).toBe('Over the limit');
    expect(badge.getAttribute('style')).toContain('orange');
    expect(screen.getByTestId('breach-summary').textContent).toBe(
      'Over the limit since 09:00:00 UTC: a breach if it lasts until 09:01:00 UTC.',
    );
    expect(
      screen.getAllByTestId('breach-phase').map((p) => [p.textContent, p.dataset.over]),
    ).toEqual([
      ['L1 70 A / 60 A', 'true'],
      ['L2 40 A / 60 A', 'false'],
      ['L3 40 A / 60 A', 'false'],
    ]);
  });

  it('turns red while a breach is open, and links each episode to the connection told', async () => {
    show({ ...normal, status: 'OPEN', open: episode, episodes: [episode] }, [
      { episodeId: 'ep-1', connectionId: 'conn-1', connectionName: 'Grid operator' },
    ]);
    expect(screen.getByTestId('breach-status').textContent).toBe('Breach');
    expect(screen.getByTestId('breach-status').getAttribute('style')).toContain('red');
    expect(screen.getByTestId('breach-summary').textContent).toBe(
      'Breach since 09:00:00 UTC (L1 drew 70 A against 60 A).',
    );
    const told = await screen.findByTestId('breach-told-connection');
    expect(told.getAttribute('href')).toBe('/connections/conn-1');
    expect(told.textContent).toBe('Grid operator');
  });
});
