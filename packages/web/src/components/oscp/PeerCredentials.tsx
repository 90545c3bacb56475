import { Anchor, Badge, Code, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { errorDetail } from '../../api/client';
import { oscpApi, oscpKeys, useOscpInfo } from '../../api/oscp';
import type { ConnectionDetail } from '../../api/types';
import { NEEDS_MANAGER } from '../../auth/permissions';
import { ConfirmModal } from '../ConfirmModal';
import { PermittedButton } from '../PermittedButton';
import { FormError } from '../States';
import { Card } from './CardParts';
import { CopyValue, OneTimeSecret, type Issued } from './OneTimeSecret';
import { SecretStatusBadge } from './StateBadges';

const REFERENCE_LABEL: Record<string, string> = {
  initialToken: 'Initial token',
  tokenUrl: 'Peer token URL',
  clientId: 'Client id',
  clientSecret: 'Client secret',
  staticHeaders: 'Static headers we send',
  inboundStaticHeaders: 'Static headers the peer sends',
};

/** The references each authentication mode needs (shown even when unnamed). */
const NEEDED: Record<string, string[]> = {
  OSCP_TOKEN: ['initialToken'],
  OAUTH2_CLIENT_CREDENTIALS: ['tokenUrl', 'clientId', 'clientSecret'],
};

const CREDENTIAL_LABEL: Record<string, string> = {
  INITIAL_TOKEN: 'initial token',
  TOKEN: 'registration token',
  OAUTH_CLIENT: 'OAuth client',
  ACCESS_TOKEN: 'access token',
};

/**
 * What the peer needs from us (our base URL, token URL, credentials we issue) and what we need from
 * it (secrets by name, set or not).
 */
export function PeerCredentialsCard({ c, manage }: { c: ConnectionDetail; manage: boolean }) {
  const queryClient = useQueryClient();
  const info = useOscpInfo();
  const [issued, setIssued] = useState<Issued | null>(null);
  const [confirming, setConfirming] = useState(false);
  const tokenExchange = c.authMode === 'OSCP_TOKEN';
  const kind = tokenExchange ? 'INITIAL_TOKEN' : 'OAUTH_CLIENT';
  const replaces = c.issuedCredentials.includes(kind);

  const issue = useMutation({
    mutationFn: async (): Promise<Issued> => {
      if (tokenExchange) {
        const { token } = await oscpApi.initialToken(c.id);
        return { title: 'Initial token', values: [{ label: 'Initial token', value: token }] };
      }
      const client = await oscpApi.oauthClient(c.id);
      return {
        title: 'OAuth client credentials',
        values: [
          { label: 'Client id', value: client.clientId },
          { label: 'Client secret', value: client.clientSecret },
          { label: 'Token URL', value: client.tokenUrl },
        ],
      };
    },
    onSuccess: async (result) => {
      setIssued(result);
      setConfirming(false);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.detail(c.id) });
    },
  });
  const start = () => {
    issue.reset();
    if (replaces) setConfirming(true);
    else issue.mutate();
  };

  const references = Object.entries(c.secrets).filter(
    ([key, s]) => s.name !== null || (NEEDED[c.authMode] ?? []).includes(key),
  );

  return (
    <Card title="Peer credentials" testId="peer-credentials">
      <Stack gap="sm">
        <Stack gap={4}>
          <Text size="sm" fw={600}>
            Give the Capacity Provider
          </Text>
          {info.isError && !info.data ? (
            <Text size="sm" c="red.7">
              Could not load our OSCP addresses: {errorDetail(info.error)}
            </Text>
          ) : (
            <>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" w={150} style={{ flexShrink: 0 }}>
                  Our OSCP base URL
                </Text>
                {info.data ? (
                  <CopyValue value={info.data.baseUrl} testId="our-base-url" />
                ) : (
                  <Text size="sm">…</Text>
                )}
              </Group>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" w={150} style={{ flexShrink: 0 }}>
                  Our token URL
                </Text>
                {info.data ? (
                  <CopyValue value={info.data.tokenUrl} testId="our-token-url" />
                ) : (
                  <Text size="sm">…</Text>
                )}
                {tokenExchange && (
                  <Text size="xs" c="dimmed">
                    (OAuth peers only)
                  </Text>
                )}
              </Group>
            </>
          )}
          <Group gap="xs" mt={4}>
            <PermittedButton
              allowed={manage}
              reason={NEEDS_MANAGER}
              size="xs"
              variant="light"
              loading={issue.isPending && !confirming}
              onClick={start}
              data-testid={tokenExchange ? 'issue-initial-token' : 'issue-oauth-client'}
            >
              {tokenExchange ? 'Issue initial token' : 'Issue OAuth client credentials'}
            </PermittedButton>
            <Text size="xs" c="dimmed">
              {tokenExchange
                ? 'Lets the peer register first, with a one-time token.'
                : 'Client id and secret for our token endpoint.'}
            </Text>
          </Group>
          <Group gap={6} data-testid="issued-credentials">
            <Text size="xs" c="dimmed">
              Live credentials we issued:
            </Text>
            {c.issuedCredentials.length === 0 ? (
              <Text size="xs" c="dimmed">
                none
              </Text>
            ) : (
              c.issuedCredentials.map((k) => (
                <Badge key={k} size="sm" variant="light" color="gray" radius="sm" tt="none">
                  {CREDENTIAL_LABEL[k] ?? k}
                </Badge>
              ))
            )}
          </Group>
          {!confirming && <FormError error={issue.error} testId="issue-error" />}
          {issued && <OneTimeSecret issued={issued} onDismiss={() => setIssued(null)} />}
        </Stack>

        <Stack gap={4}>
          <Text size="sm" fw={600}>
            What we use to call the peer (secrets, by name)
          </Text>
          {references.length === 0 ? (
            <Text size="sm" c="dimmed">
              No secret references.
            </Text>
          ) : (
            references.map(([key, s]) => (
              <Group key={key} gap="xs" data-testid="secret-reference" data-reference={key}>
                <Text size="sm" w={190} style={{ flexShrink: 0 }}>
                  {REFERENCE_LABEL[key] ?? key}
                </Text>
                {s.name ? (
                  <>
                    <Code>{s.name}</Code>
                    <SecretStatusBadge set={s.set} testId="secret-status" />
                  </>
                ) : (
                  <Badge
                    color="orange"
                    variant="light"
                    radius="sm"
                    tt="none"
                    data-testid="secret-status"
                    data-set="false"
                  >
                    no secret named
                  </Badge>
                )}
              </Group>
            ))
          )}
          {manage && references.some(([, s]) => !s.set) && (
            <Text size="xs" c="dimmed">
              Set missing values on the{' '}
              <Anchor component={Link} to="/secrets" size="xs">
                Secrets
              </Anchor>{' '}
              page or in the connection’s form.
            </Text>
          )}
        </Stack>
      </Stack>
      <ConfirmModal
        opened={confirming}
        title={tokenExchange ? 'Issue a new initial token?' : 'Issue new OAuth client credentials?'}
        confirmLabel="Issue new"
        confirmColor="orange"
        confirmTestId="confirm-issue"
        loading={issue.isPending}
        error={issue.error}
        onConfirm={() => issue.mutate()}
        onClose={() => setConfirming(false)}
      >
        {tokenExchange
          ? 'The initial token issued earlier stops working at once; the peer must register with the new one.'
          : 'The client credentials issued earlier stop working at once; the peer must use the new client id and secret to get tokens.'}
      </ConfirmModal>
    </Card>
  );
}
