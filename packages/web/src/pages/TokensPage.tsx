import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createTokenBody } from '@openvelope/server/auth-contract';
import { useState } from 'react';
import { authKeys, createToken, listTokens, revokeToken } from '../api/auth';
import type { ApiTokenView, CreatedApiToken } from '../api/types';
import { ConfirmModal } from '../components/ConfirmModal';
import { IconAlert, IconCheck, IconCopy } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, FormError, LoadingState, RefreshError } from '../components/States';
import { submitTo, useSchemaForm } from '../forms/schema-form';
import { formatDateTime } from '../format';

/** The freshly created token: shown once, with a copy button and a warning. */
function NewTokenBox({ token, onDismiss }: { token: CreatedApiToken; onDismiss: () => void }) {
  return (
    <Alert
      color="blue"
      variant="light"
      title={`Token “${token.name}” created`}
      icon={<IconAlert />}
      data-testid="token-created"
    >
      <Stack gap="xs">
        <Text size="sm">
          Copy it now: this is the only time it is shown. Only its hash is stored, so it cannot be
          recovered; revoke it and create a new one if it is lost. Send it as{' '}
          <Code>Authorization: Bearer …</Code>.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code
            block
            data-testid="token-secret"
            style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
          >
            {token.token}
          </Code>
          <CopyButton value={token.token} timeout={1500}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                <ActionIcon
                  variant="light"
                  color={copied ? 'teal' : 'blue'}
                  onClick={copy}
                  size="lg"
                  aria-label="Copy token"
                  data-testid="token-copy"
                >
                  {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
        <Group justify="flex-end">
          <Button size="xs" variant="default" onClick={onDismiss} data-testid="token-dismiss">
            I have copied it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

export function TokensPage() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: authKeys.tokens, queryFn: listTokens });
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  const form = useSchemaForm({
    initialValues: { name: '' },
    schema: createTokenBody,
    toRequest: (v) => v,
  });

  const create = useMutation({
    mutationFn: (body: { name: string }) => createToken(body.name),
    onSuccess: async (token) => {
      setCreated(token);
      form.reset();
      await queryClient.invalidateQueries({ queryKey: authKeys.tokens });
    },
  });
  const revoke = useMutation({
    mutationFn: (t: ApiTokenView) => revokeToken(t.id),
    onSuccess: async (_r, t) => {
      notifications.show({
        color: 'teal',
        title: 'Token revoked',
        message: `“${t.name}” no longer works.`,
      });
      setRevoking(null);
      if (created?.id === t.id) setCreated(null);
      await queryClient.invalidateQueries({ queryKey: authKeys.tokens });
    },
  });

  return (
    <Stack gap="md">
      <PageHeader
        title="API tokens"
        subtitle="Personal tokens for scripts and integrations. A token acts with your role."
      />
      <Paper p="md">
        <form onSubmit={submitTo(form, create.mutate)} noValidate>
          <Stack gap="xs">
            <Group align="flex-start" gap="sm">
              <TextInput
                label="Token name"
                placeholder="e.g. fleet-scheduler"
                {...form.getInputProps('name')}
                data-testid="token-name"
                maxLength={100}
                w={320}
              />
              <Button type="submit" mt={25} loading={create.isPending} data-testid="token-create">
                Create token
              </Button>
            </Group>
            <FormError error={create.error} />
          </Stack>
        </form>
      </Paper>
      {created && <NewTokenBox token={created} onDismiss={() => setCreated(null)} />}
      {tokens.isError && tokens.data && (
        <RefreshError error={tokens.error} label="Could not refresh your tokens" />
      )}
      {tokens.isPending ? (
        <LoadingState rows={4} label="Loading tokens…" />
      ) : tokens.isError && !tokens.data ? (
        <ErrorState
          error={tokens.error}
          title="Could not load your tokens"
          onRetry={() => void tokens.refetch()}
        />
      ) : tokens.data.length === 0 ? (
        <Empty
          testId="empty-tokens"
          title="No API tokens"
          description="Create one above for a script or integration."
        />
      ) : (
        <Table data-testid="token-table" withTableBorder bg="white">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th w={100} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tokens.data.map((t) => (
              <Table.Tr key={t.id} data-testid="token-row" data-token-name={t.name}>
                <Table.Td fw={500}>{t.name}</Table.Td>
                <Table.Td className="num">{formatDateTime(t.createdAt)}</Table.Td>
                <Table.Td className="num">
                  {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'never'}
                </Table.Td>
                <Table.Td>
                  {t.revokedAt ? (
                    <Tooltip label={`Revoked ${formatDateTime(t.revokedAt)}`} withArrow>
                      <Badge color="gray" variant="light" radius="sm">
                        revoked
                      </Badge>
                    </Tooltip>
                  ) : (
                    <Badge color="teal" variant="light" radius="sm">
                      active
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  {!t.revokedAt && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="gray"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(t);
                      }}
                      data-testid="revoke-token"
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <ConfirmModal
        opened={revoking !== null}
        title={`Revoke token ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke token"
        confirmTestId="confirm-revoke"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking)}
      >
        Scripts using <b>{revoking?.name}</b> stop working immediately. This cannot be undone.
      </ConfirmModal>
    </Stack>
  );
}
