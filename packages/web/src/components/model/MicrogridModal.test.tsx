// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerWith, renderConsole } from '../../testing/render';
import { MicrogridForm } from './MicrogridModal';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('microgrid form', () => {
  it('shows the server’s rules before sending anything', async () => {
    const server = answerWith(201, {});
    vi.stubGlobal('fetch', server.fetch);
    renderConsole(<MicrogridForm microgrid={null} onClose={() => {}} />);
    const user = userEvent.setup();
    await user.clear(screen.getByTestId('microgrid-timezone'));
    await user.type(screen.getByTestId('microgrid-timezone'), 'Mars/Olympus');
    await user.click(screen.getByTestId('microgrid-save'));

    expect(await screen.findByText('is required')).toBeTruthy();
    expect(screen.getByText('must be an IANA time zone such as Pacific/Auckland')).toBeTruthy();
    expect(server.calls).toHaveLength(0);
  });

  it('puts the field errors of a 400 answer on their fields', async () => {
    const server = answerWith(400, {
      type: 'urn:openvelope:problem:validation',
      title: 'Request is not valid',
      status: 400,
      detail: 'name: is taken here',
      errors: [{ field: 'name', message: 'is taken here' }],
    });
    vi.stubGlobal('fetch', server.fetch);
    const closed = vi.fn();
    renderConsole(<MicrogridForm microgrid={null} onClose={closed} />);
    const user = userEvent.setup();
    await user.type(screen.getByTestId('microgrid-name'), 'Depot');
    await user.clear(screen.getByTestId('microgrid-timezone'));
    await user.type(screen.getByTestId('microgrid-timezone'), 'UTC');
    await user.click(screen.getByTestId('microgrid-save'));

    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(JSON.parse(String(server.calls[0]!.init?.body))).toEqual({
      name: 'Depot',
      timezone: 'UTC',
    });
    const name = screen.getByTestId('microgrid-name');
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('is taken here')).toBeTruthy();
    expect(closed).not.toHaveBeenCalled();
  });
});
