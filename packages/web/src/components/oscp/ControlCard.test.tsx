// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDetail } from '../../api/types';
import { answerWith, renderConsole } from '../../testing/render';
import { ControlCard } from './ControlCard';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const connection = {
  id: 'conn-1',
  control: {
    mode: 'NORMAL',
    fallback: false,
    reason: 'capacity forecast in force',
    lastForecast: null,
  },
} as unknown as ConnectionDetail;

const view = (over: Record<string, unknown>) => ({
  mode: 'NORMAL',
  fallback: false,
  reason: 'capacity forecast in force',
  modeSince: '2026-03-02T09:00:00Z',
  envelopeId: null,
  disconnectedAt: null,
  lastForecast: null,
  incidentId: null,
  limit: null,
  blocks: { primary: [], fallback: [], optimum: [], generation: [] },
  ...over,
});

describe('the operating mode card', () => {
  it('says which limit the mode imposes now', async () => {
    vi.stubGlobal('fetch', answerWith(200, view({ limit: { value: 120, unit: 'A' } })).fetch);
    renderConsole(<ControlCard c={connection} timeZone="UTC" />);
    const limit = await screen.findByTestId('control-limit');
    expect(limit.textContent).toBe('Limit in force: 120 A');
    expect(limit.dataset.limit).toBe('120 A');
  });

  it('says when the mode imposes none', async () => {
    vi.stubGlobal('fetch', answerWith(200, view({ mode: 'LOCAL' })).fetch);
    renderConsole(<ControlCard c={connection} timeZone="UTC" />);
    expect((await screen.findByTestId('control-limit')).textContent).toBe(
      'Limit in force: none (the circuit’s own capacity)',
    );
  });
});
