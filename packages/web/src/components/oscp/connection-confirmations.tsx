import { Anchor, List, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { bindingHolderOf } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';

export type Confirmable = 'enable' | 'disable' | 'disconnect';

export interface ConfirmText {
  title: string;
  label: string;
  color: string;
  body: ReactNode;
}

/** What enabling, disabling or disconnecting this particular connection will do. */
export function confirmation(action: Confirmable, c: ConnectionDetail): ConfirmText {
  const profile = c.profile as { peerBaseUrl?: string; handshakeInitiator?: string };
  const peer = profile.peerBaseUrl ?? 'the peer';
  switch (action) {
    case 'enable': {
      const initialToken = c.secrets.initialToken;
      return {
        title: `Enable ${c.displayName}?`,
        label: 'Enable',
        color: 'blue',
        body: (
          <Stack gap="xs">
            {c.authMode === 'OSCP_TOKEN' ? (
              <Text size="sm">
                Openvelope <b>sends a Register to the peer</b> at <code>{peer}</code> right away,
                authenticated with the initial token
                {initialToken?.name ? (
                  <>
                    {' '}
                    in secret <code>{initialToken.name}</code>
                    {initialToken.set ? '' : ' (not set yet: the Register will fail)'}
                  </>
                ) : (
                  ''
                )}
                , and gives it a fresh token for calling us. When the peer registers back, the
                handshake follows and heartbeats start.
              </Text>
            ) : (
              <Text size="sm">
                The connection counts as <b>registered out of band (OAuth2)</b>: no Register is
                sent.{' '}
                {profile.handshakeInitiator === 'FLEXIBILITY_PROVIDER'
                  ? 'We send a Handshake to the peer'
                  : 'We wait for the peer’s Handshake'}
                ; heartbeats start once it completes.
              </Text>
            )}
            <Text size="sm">
              Group id <b>{c.groupId}</b> and scope <b>{c.binding.scope?.name ?? '—'}</b> become
              bound to this connection: no other enabled connection may use them.
            </Text>
          </Stack>
        ),
      };
    }
    case 'disable':
      return {
        title: `Disable ${c.displayName}?`,
        label: 'Disable',
        color: 'red',
        body: (
          <List size="sm" spacing={4}>
            <List.Item>Heartbeats to the peer stop; the peer will see us go offline.</List.Item>
            <List.Item>The tokens and credentials we issued to the peer stop working.</List.Item>
            <List.Item>
              Any OSCP limit on scope {c.binding.scope?.name ?? '—'} is withdrawn: its circuit runs
              on its own capacity.
            </List.Item>
            <List.Item>
              The configuration is kept; enabling again starts a new registration.
            </List.Item>
          </List>
        ),
      };
    case 'disconnect':
      return {
        title: 'Disconnect and take back local control?',
        label: 'Disconnect now',
        color: 'red',
        body: 'Every active OSCP forecast and fallback constraint on this scope is cleared immediately and the scope returns to local control (its circuit’s own capacity). Heartbeats stop. Enable the connection again to start over.',
      };
  }
}

/** A 409 from enabling names the connection that holds the group id or scope. */
export function HolderLink({ error }: { error: unknown }) {
  const holder = bindingHolderOf(error);
  if (!holder) return null;
  return (
    <Anchor
      component={Link}
      to={`/connections/${holder.id}`}
      size="sm"
      data-testid="conflict-holder"
    >
      Open “{holder.displayName}” (group {holder.groupId})
    </Anchor>
  );
}
