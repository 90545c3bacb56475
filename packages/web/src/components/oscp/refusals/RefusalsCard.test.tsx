// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RefusalList, RefusalView } from '../../../api/types';
import { answerWith, renderConsole } from '../../../testing/render';
import { RefusalsCard } from './RefusalsCard';
import { RefusalTable } from './RefusalTable';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const refusal = (over: Partial<RefusalView>): RefusalView => ({
  id: 7,
  firstAt: '2026-03-02T09:00:00Z',
  lastAt: '2026-03-02T09:00:00Z',
  repeats: 0,
  source: '203.0.113.7',
  endpoint: 'update_group_capacity_forecast',
  status: 403,
  reason: 'unknown token',
  connectionId: 'conn-1',
  credential: 'TOKEN',
  requestId: 'r-1',
  authorizationScheme: 'Token',
  ...over,
});

function show(list: RefusalList) {
  const server = answerWith(200, list);
  vi.stubGlobal('fetch', server.fetch);
  renderConsole(<RefusalsCard id="conn-1" timeZone="UTC" />);
  return server;
}

describe('a connection’s refused calls', () => {
  it('says there are none, and where calls no connection was named for are', async () => {
    const server = show({ items: [], nextBefore: null });
    expect((await screen.findByTestId('empty-refusals')).textContent).toContain('No refused calls');
    expect(server.calls[0]!.url).toBe('/api/oscp-refusals?connectionId=conn-1&limit=5');
    expect(screen.getByTestId('all-refusals-link').getAttribute('href')).toBe(
      '/refusals?connectionId=conn-1',
    );
    expect(screen.queryByTestId('refusals-older')).toBeNull();
  });

  it('lists each refusal and pages to older ones by cursor', async () => {
    const server = show({
      items: [refusal({ repeats: 3, lastAt: '2026-03-02T09:00:40Z' })],
      nextBefore: 7,
    });
    const row = await screen.findByTestId('refusal-row');
    expect(row.dataset.endpoint).toBe('update_group_capacity_forecast');
    expect(row.textContent).toContain('403 refused credentials');
    expect(row.textContent).toContain('unknown token');
    expect(row.textContent).toContain('203.0.113.7');
    expect(within(row).getByTestId('refusal-repeats').textContent).toBe(
      '+3 alike until 2 Mar 2026, 09:00:40 UTC',
    );
    // A connection's own list leaves the connection column out.
    expect(within(row).queryByTestId('refusal-connection')).toBeNull();

    fireEvent.click(screen.getByTestId('refusals-older'));
    await vi.waitFor(() =>
      expect(server.calls.at(-1)!.url).toBe(
        '/api/oscp-refusals?connectionId=conn-1&limit=5&before=7',
      ),
    );
  });
});

describe('the refusal log’s table', () => {
  it('names the matched connection, or says none was matched and which scheme was used', () => {
    renderConsole(
      <RefusalTable
        timeZone="UTC"
        connectionNames={new Map([['conn-1', 'Vector']])}
        items={[
          refusal({}),
          refusal({ id: 6, connectionId: null, credential: null, authorizationScheme: 'Bearer' }),
        ]}
      />,
    );
    const [matched, unmatched] = screen.getAllByTestId('refusal-row');
    expect(within(matched!).getByTestId('refusal-connection').textContent).toBe('Vector');
    expect(unmatched!.textContent).toContain('none matched');
    expect(unmatched!.textContent).toContain('Bearer (unknown)');
  });
});
