// @vitest-environment jsdom
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerWith, renderConsole } from '../testing/render';
import { CreateUserModal, revokedWording } from './UserModals';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('new user form', () => {
  it('checks the password rule, then shows a taken name on the username field', async () => {
    const server = answerWith(409, {
      type: 'urn:openvelope:problem:conflict',
      title: 'Conflicts with the current state',
      status: 409,
      detail: 'A user named ops already exists.',
      field: 'username',
      errors: [{ field: 'username', message: 'A user named ops already exists.' }],
    });
    vi.stubGlobal('fetch', server.fetch);
    renderConsole(<CreateUserModal opened onClose={() => {}} />);
    const user = userEvent.setup();
    await user.type(await screen.findByTestId('user-username'), 'ops');
    await user.type(screen.getByTestId('user-password'), 'short');
    await user.click(screen.getByTestId('user-save'));
    expect(await screen.findByText('must be at least 8 characters')).toBeTruthy();
    expect(server.calls).toHaveLength(0);

    await user.type(screen.getByTestId('user-password'), ' but longer now');
    await user.click(screen.getByTestId('user-save'));
    await waitFor(() => expect(server.calls).toHaveLength(1));
    const username = screen.getByTestId('user-username');
    await waitFor(() => expect(username.getAttribute('aria-invalid')).toBe('true'));
    // On the field, and as the form's problem.
    expect(screen.getAllByText('A user named ops already exists.')).toHaveLength(2);
  });
});

describe('what a new password revoked', () => {
  it('says how many other sessions and tokens stopped working', () => {
    expect(revokedWording({ sessions: 2, apiTokens: 1 })).toBe(
      '2 other sessions were signed out and 1 API token was revoked.',
    );
    expect(revokedWording({ sessions: 0, apiTokens: 0 })).toBe(
      'No other session or API token was open.',
    );
    expect(revokedWording(undefined)).toBe('');
  });
});
