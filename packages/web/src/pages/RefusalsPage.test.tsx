// @vitest-environment jsdom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderConsole } from '../testing/render';
import { RefusalsPage } from './RefusalsPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The connections (deleted ones too) and one page of the refusal log. */
function serve(refusals: unknown[]) {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url);
    const body = url.startsWith('/api/oscp-connection-names')
      ? {
          connections: [
            { id: 'conn-1', displayName: 'Grid operator', deletedAt: null },
            { id: 'conn-2', displayName: 'Old peer', deletedAt: '2026-03-01T00:00:00Z' },
          ],
        }
      : { items: refusals, nextBefore: null };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  return asked;
}

describe('the Refused calls page', () => {
  it('filters by the connection the address names, naming deleted connections as such', async () => {
    const asked = serve([
      {
        id: 3,
        firstAt: '2026-03-02T09:00:00Z',
        lastAt: '2026-03-02T09:00:00Z',
        repeats: 0,
        source: '203.0.113.7',
        endpoint: 'heartbeat',
        status: 403,
        reason: 'revoked token',
        connectionId: 'conn-2',
        credential: 'TOKEN',
        requestId: null,
        authorizationScheme: 'Token',
      },
    ]);
    renderConsole(<RefusalsPage />, { at: '/refusals?connectionId=conn-2' });
    const row = await screen.findByTestId('refusal-row');
    expect(within(row).getByTestId('refusal-connection').textContent).toBe('Old peer');
    expect(asked).toContain('/api/oscp-refusals?connectionId=conn-2&limit=50');
    expect(asked).toContain('/api/oscp-connection-names');
    await vi.waitFor(() =>
      expect((screen.getByTestId('refusals-connection') as HTMLSelectElement).value).toBe('conn-2'),
    );
    expect(screen.getByRole('option', { name: 'Old peer (deleted)' })).toBeTruthy();
  });

  it('says when nothing was refused, and when nothing matches the filters', async () => {
    serve([]);
    renderConsole(<RefusalsPage />, { at: '/refusals' });
    expect((await screen.findByTestId('empty-refusals')).textContent).toContain(
      'Every inbound OSCP call was accepted.',
    );
    cleanup();
    serve([]);
    renderConsole(<RefusalsPage />, { at: '/refusals?connectionId=conn-1' });
    expect((await screen.findByTestId('empty-refusals')).textContent).toContain(
      'No refused calls match these filters',
    );
  });
});
