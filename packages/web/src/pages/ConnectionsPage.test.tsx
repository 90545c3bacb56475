// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionUser } from '../api/types';
import { AuthContext, type AuthState } from '../auth/context';
import { renderConsole } from '../testing/render';
import { ConnectionsPage } from './ConnectionsPage';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const summary = (n: number) => ({
  id: `conn-${n}`,
  displayName: `Grid operator ${n}`,
  preset: 'OSCP_STANDARD',
  groupId: `GRP-${n}`,
  state: 'ONLINE',
  enabled: true,
  binding: {
    groupId: `GRP-${n}`,
    microgrid: { id: 'mg', name: 'Depot' },
    scope: { id: `scope-${n}`, name: `Scope ${n}` },
    circuit: null,
  },
  measurementPublicationMode: 'GROUP',
  authMode: 'OSCP_TOKEN',
  latestError: null,
  openProblems: [],
  control: {
    mode: 'NORMAL',
    fallback: false,
    reason: 'Following the forecast',
    lastForecast: null,
  },
  deletedAt: null,
});

/**
 * Answers the list with `total` connections in all, the page asked for; records the queries. An
 * answer waits for `hold` when given.
 */
function serve(total: number, hold?: Promise<void>) {
  const asked: URLSearchParams[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    const query = new URL(url, 'http://console').searchParams;
    asked.push(query);
    if (hold && query.get('offset') !== '0') await hold;
    const offset = Number(query.get('offset'));
    const limit = Number(query.get('limit'));
    const matching = query.get('q') ? 0 : total;
    const items = Array.from({ length: Math.max(0, Math.min(limit, matching - offset)) }, (_, i) =>
      summary(offset + i + 1),
    );
    return new Response(JSON.stringify({ connections: items, total: matching }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  return asked;
}

function renderAs(role: SessionUser['role']) {
  const auth: AuthState = {
    user: { id: 'u1', username: 'mia', role },
    error: null,
    endedBy: null,
    signIn: async () => ({ id: 'u1', username: 'mia', role }),
    signOut: async () => {},
  };
  renderConsole(
    <AuthContext.Provider value={auth}>
      <ConnectionsPage />
    </AuthContext.Provider>,
    { at: '/connections' },
  );
}

describe('the connections page', () => {
  it('reads one page of connections at a time and moves between pages', async () => {
    let release!: () => void;
    const asked = serve(60, new Promise<void>((resolve) => (release = resolve)));
    renderAs('VIEWER');
    expect(await screen.findAllByTestId('connection-row')).toHaveLength(25);
    expect(screen.getByTestId('connections-total').textContent).toBe('1–25 of 60 connections');
    expect(asked[0]!.get('limit')).toBe('25');
    expect(asked[0]!.get('offset')).toBe('0');
    expect(asked[0]!.has('include')).toBe(false);

    const pagination = screen.getByTestId('connections-pagination');
    fireEvent.click(within(pagination).getByRole('button', { name: '3' }));
    // Until page 3 arrives the first page's rows stay (dimmed), with no range claimed for them.
    await vi.waitFor(() =>
      expect(screen.getByTestId('connections-total').textContent).toBe('Loading connections…'),
    );
    expect(screen.getAllByTestId('connection-row')).toHaveLength(25);
    release();
    await vi.waitFor(() => expect(screen.getAllByTestId('connection-row')).toHaveLength(10));
    expect(screen.getByTestId('connections-total').textContent).toBe('51–60 of 60 connections');
    expect(screen.getAllByTestId('connection-link')[0]!.textContent).toBe('Grid operator 51');
    expect(asked.at(-1)!.get('offset')).toBe('50');
  });

  it('searches by name or group id from the first page, and says when nothing matches', async () => {
    const asked = serve(60);
    renderAs('VIEWER');
    await screen.findAllByTestId('connection-row');
    fireEvent.change(screen.getByTestId('connections-search'), { target: { value: ' GRP-9 ' } });
    const empty = await screen.findByTestId('empty-connections', {}, { timeout: 3000 });
    expect(empty.textContent).toContain('No connection matches');
    expect(empty.textContent).toContain('“GRP-9”');
    expect(asked.at(-1)!.get('q')).toBe('GRP-9');
    expect(asked.at(-1)!.get('offset')).toBe('0');
  });

  it('asks for deleted connections too when shown', async () => {
    const asked = serve(3);
    renderAs('VIEWER');
    await screen.findAllByTestId('connection-row');
    fireEvent.click(screen.getByTestId('show-deleted'));
    await vi.waitFor(() => expect(asked.at(-1)!.get('include')).toBe('deleted'));
  });

  it('offers a manager the first connection when there is none, and a viewer only the reason', async () => {
    serve(0);
    renderAs('MANAGER');
    const empty = await screen.findByTestId('empty-connections');
    expect(empty.textContent).toContain('No OSCP connections yet');
    expect(within(empty).getByRole('button', { name: 'New connection' })).toBeTruthy();
    cleanup();
    serve(0);
    renderAs('VIEWER');
    const forViewer = await screen.findByTestId('empty-connections');
    expect(within(forViewer).queryByRole('button', { name: 'New connection' })).toBeNull();
  });
});
