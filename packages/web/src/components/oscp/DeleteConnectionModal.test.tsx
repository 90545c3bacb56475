// @vitest-environment jsdom
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionDetail } from '../../api/types';
import { answerWith, renderConsole } from '../../testing/render';
import { DeleteConnectionModal } from './DeleteConnectionModal';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const connection = { id: 'conn-1', displayName: 'Old peer', groupId: 'G-9' } as ConnectionDetail;

function open(status: number, body?: unknown) {
  const server = answerWith(status, body);
  vi.stubGlobal('fetch', server.fetch);
  renderConsole(
    <Routes>
      <Route path="/" element={<DeleteConnectionModal c={connection} onClose={() => {}} />} />
      <Route path="/connections" element={<p data-testid="connection-list">list</p>} />
    </Routes>,
  );
  return server;
}

describe('deleting a disabled connection', () => {
  it('names the connection, says its audit stays readable, and goes to the list once deleted', async () => {
    const server = open(204);
    expect(screen.getByText('Delete Old peer?')).toBeTruthy();
    expect(screen.getByTestId('delete-consequences').textContent).toContain(
      'Its audit stays readable',
    );
    fireEvent.click(screen.getByTestId('confirm-delete'));
    expect(await screen.findByTestId('connection-list')).toBeTruthy();
    expect(server.calls.map((c) => [c.init?.method, c.url])).toEqual([
      ['DELETE', '/api/oscp-connections/conn-1'],
    ]);
  });

  it('stays with the server’s reason when it refuses', async () => {
    open(409, {
      title: 'Conflict',
      status: 409,
      detail: 'Disable (or disconnect) the connection before deleting it.',
    });
    fireEvent.click(screen.getByTestId('confirm-delete'));
    expect((await screen.findByTestId('form-error')).textContent).toBe(
      'Disable (or disconnect) the connection before deleting it.',
    );
    expect(screen.queryByTestId('connection-list')).toBeNull();
  });
});
