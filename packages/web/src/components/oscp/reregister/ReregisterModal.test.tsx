// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDetail } from '../../../api/types';
import { renderConsole } from '../../../testing/render';
import { ReregisterModal } from './ReregisterModal';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const connection = {
  id: 'conn-1',
  displayName: 'Grid operator',
  groupId: 'G-1',
  authMode: 'OSCP_TOKEN',
  control: {
    mode: 'NORMAL',
    fallback: false,
    reason: 'capacity forecast in force',
    lastForecast: null,
  },
  secrets: { initialToken: { name: 'cp-initial', set: true } },
} as unknown as ConnectionDetail;

/** A server that answers each request by method and path, recording what was asked. */
function serve(answers: Record<string, { status: number; body?: unknown }>) {
  const calls: { key: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    const key = `${init?.method ?? 'GET'} ${url}`;
    calls.push({ key, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const answer = answers[key] ?? { status: 404, body: { title: 'Not found', status: 404 } };
    return new Response(answer.status === 204 ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: {
        'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json',
      },
    });
  });
  return calls;
}

const REREGISTER = 'POST /api/oscp-connections/conn-1/re-register';
const CONTROL = 'GET /api/oscp-connections/conn-1/control';

function open() {
  const onClose = vi.fn();
  renderConsole(<ReregisterModal c={connection} onClose={onClose} />);
  return onClose;
}

const choose = (credential: string) =>
  fireEvent.click(screen.getByTestId(`reregister-${credential}`));

describe('re-registering a peer that forgot us', () => {
  it('asks for a credential, then for confirmation, before anything is sent', async () => {
    const calls = serve({
      'GET /api/oscp-connections/conn-1/control': {
        status: 200,
        body: { mode: 'NORMAL', limit: { value: 90, unit: 'A' } },
      },
    });
    open();
    await vi.waitFor(() =>
      expect(screen.getByTestId('reregister-held').textContent).toContain(
        'and its limit, 90 A, stay in force until the new handshake completes',
      ),
    );
    fireEvent.click(screen.getByTestId('review-reregister'));
    expect(await screen.findByText('choose how to register again')).toBeTruthy();

    choose('PEER_TOKEN');
    fireEvent.click(screen.getByTestId('review-reregister'));
    const confirmation = await screen.findByTestId('reregister-confirmation');
    expect(confirmation.textContent).toContain('Register with the peer’s newest token');
    expect(confirmation.textContent).toContain('Grid operator (group G-1)');
    // Nothing but reading the limit held.
    expect(calls.filter((c) => c.key !== CONTROL)).toEqual([]);
  });

  it('shows our new one-time initial token once, with a copy button, when the peer registers first', async () => {
    const calls = serve({
      [REREGISTER]: { status: 200, body: { connection, initialToken: 'ovi_secret-once' } },
    });
    const onClose = open();
    choose('AWAIT_PEER');
    fireEvent.click(screen.getByTestId('review-reregister'));
    fireEvent.click(await screen.findByTestId('confirm-reregister'));

    const secret = await screen.findByTestId('one-time-secret');
    expect(secret.textContent).toContain('New initial token: shown only once, store it now');
    expect(screen.getByTestId('one-time-secret-value').textContent).toBe('ovi_secret-once');
    expect(within(secret).getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(screen.getByTestId('one-time-secret-note').textContent).toContain(
      'It works once: the peer’s Register uses it up.',
    );
    expect(calls.filter((c) => c.key !== CONTROL)).toEqual([
      { key: REREGISTER, body: { credential: 'AWAIT_PEER' } },
    ]);

    fireEvent.click(screen.getByTestId('one-time-secret-stored'));
    expect(onClose).toHaveBeenCalled();
  });

  it('stores a new initial token from the peer in the connection’s secret before registering with it', async () => {
    const calls = serve({
      'PUT /api/secrets/cp-initial': { status: 204 },
      [REREGISTER]: { status: 200, body: { connection, initialToken: null } },
    });
    const onClose = open();
    choose('INITIAL_TOKEN');
    fireEvent.change(screen.getByTestId('reregister-new-initial-token'), {
      target: { value: 'fresh-from-peer' },
    });
    fireEvent.click(screen.getByTestId('review-reregister'));
    fireEvent.click(await screen.findByTestId('confirm-reregister'));
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls.filter((c) => c.key !== CONTROL)).toEqual([
      { key: 'PUT /api/secrets/cp-initial', body: { value: 'fresh-from-peer' } },
      { key: REREGISTER, body: { credential: 'INITIAL_TOKEN' } },
    ]);
    expect(screen.queryByTestId('one-time-secret')).toBeNull();
  });

  it('shows why the server refused, and stays open', async () => {
    serve({
      [REREGISTER]: {
        status: 409,
        body: { title: 'Conflict', status: 409, detail: 'The peer never gave us a token.' },
      },
    });
    const onClose = open();
    choose('PEER_TOKEN');
    fireEvent.click(screen.getByTestId('review-reregister'));
    fireEvent.click(await screen.findByTestId('confirm-reregister'));
    expect((await screen.findByTestId('reregister-error')).textContent).toBe(
      'The peer never gave us a token.',
    );
    expect(onClose).not.toHaveBeenCalled();
  });
});
