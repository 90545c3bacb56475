// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDetail, OperatorMessageOffers } from '../../api/types';
import { answerWith, renderConsole } from '../../testing/render';
import { PeerMessagesCard } from './PeerMessagesCard';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const connection = { id: 'conn-1' } as ConnectionDetail;
const NO_FORECAST =
  'No accepted forecast is in force on this connection: an adjustment request asks the Capacity Provider to change one.';

function show(offers: OperatorMessageOffers) {
  const server = answerWith(200, offers);
  vi.stubGlobal('fetch', server.fetch);
  renderConsole(<PeerMessagesCard c={connection} manage />);
  return server;
}

describe('messages to the Capacity Provider', () => {
  it('disables the adjustment with the server’s reason while no accepted forecast is in force', async () => {
    const server = show({
      adjustment: { offered: false, reason: NO_FORECAST, forecasts: [] },
      complianceError: {
        offered: true,
        reason: null,
        forecast: { requestId: 'f-1', type: 'CONSUMPTION', at: '2026-03-02T09:00:00Z' },
      },
    });
    expect((await screen.findByTestId('adjustment-unavailable')).textContent).toBe(NO_FORECAST);
    expect(screen.getByTestId('request-adjustment').hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('report-compliance-error').hasAttribute('disabled')).toBe(false);
    expect(server.calls[0]!.url).toBe('/api/oscp-connections/conn-1/operator-messages');
  });

  it('offers the adjustment once a forecast is in force', async () => {
    show({
      adjustment: {
        offered: true,
        reason: null,
        forecasts: [
          {
            requestId: 'f-1',
            type: 'CONSUMPTION',
            futureStart: '2026-03-02T09:00:00Z',
            end: '2026-03-02T11:00:00Z',
            receivedAt: '2026-03-02T09:00:00Z',
          },
        ],
      },
      complianceError: { offered: false, reason: 'not yet', forecast: null },
    });
    await vi.waitFor(() =>
      expect(screen.getByTestId('request-adjustment').hasAttribute('disabled')).toBe(false),
    );
    expect(screen.queryByTestId('adjustment-unavailable')).toBeNull();
    expect(screen.getByTestId('report-compliance-error').hasAttribute('disabled')).toBe(true);
  });
});
