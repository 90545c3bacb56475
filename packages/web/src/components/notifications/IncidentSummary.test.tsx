// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../api/types';
import { renderConsole } from '../../testing/render';
import { IncidentSummary } from './IncidentSummary';

afterEach(cleanup);

const incident = (over: Partial<IncidentView>): IncidentView => ({
  id: 'i-1',
  kind: 'OSCP_FALLBACK',
  status: 'OPEN',
  title: 'Fallback mode on Grid operator (group G-1)',
  context: {},
  openedAt: '2026-03-02T09:00:00Z',
  resolvedAt: null,
  resolution: null,
  ...over,
});

describe('an incident’s summary', () => {
  it('shows the mode in force now and every change of mode that led there', () => {
    renderConsole(
      <IncidentSummary
        incident={incident({
          context: {
            mode: 'GAP_POLICY',
            reason: 'no capacity forecast covers now',
            history: [
              {
                mode: 'FALLBACK_GAP',
                reason: 'the fallback forecast applies',
                at: '2026-03-02T09:00:00Z',
              },
              {
                mode: 'GAP_POLICY',
                reason: 'no capacity forecast covers now',
                at: '2026-03-02T10:00:00Z',
              },
            ],
          },
        })}
      />,
    );
    expect(screen.getByTestId('incident-mode').textContent).toContain('Now:');
    expect(screen.getByTestId('mode-badge').dataset.mode).toBe('GAP_POLICY');
    const entries = screen.getAllByTestId('incident-history-entry').map((e) => e.textContent);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toContain('FALLBACK_GAP: the fallback forecast applies');
    expect(entries[1]).toContain('GAP_POLICY: no capacity forecast covers now');
  });

  it('says “Last” for a resolved incident, and nothing for an incident without a mode', () => {
    renderConsole(
      <IncidentSummary
        incident={incident({ status: 'RESOLVED', context: { mode: 'FALLBACK_OFFLINE' } })}
      />,
    );
    expect(screen.getByTestId('incident-mode').textContent).toContain('Last:');
    expect(screen.queryByTestId('incident-history')).toBeNull();
    cleanup();
    const { container } = renderConsole(<IncidentSummary incident={incident({ context: {} })} />);
    expect(container.querySelector('[data-testid="incident-mode"]')).toBeNull();
  });
});
