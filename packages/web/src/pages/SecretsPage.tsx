import { Anchor, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { oscpApi, oscpKeys, useSecrets } from '../api/oscp';
import { useUser } from '../auth/context';
import { canManage } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import { IconPlus } from '../components/icons';
import { SecretStatusBadge } from '../components/oscp/StateBadges';
import { SetSecretModal } from '../components/secrets/SetSecretModal';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, LoadingState, RefreshError } from '../components/States';
import { formatDateTime } from '../format';

/** Secrets the OSCP lifecycle writes itself during registration (tokens learned or issued). */
const LIFECYCLE_SECRET = /^oscp-([0-9a-f-]{36})-(peer-token|token-for-peer)$/;

function managedBy(name: string): { connectionId: string; what: string } | undefined {
  const match = LIFECYCLE_SECRET.exec(name);
  if (!match) return undefined;
  return {
    connectionId: match[1]!,
    what: match[2] === 'peer-token' ? 'the token the peer gave us' : 'the token we gave the peer',
  };
}

/** Secret names, who set them and when; values are write-only and never shown. */
export function SecretsPage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const allowed = canManage(user.role);
  const secrets = useSecrets(allowed);
  // undefined: no dialog; null: a new secret; a name: a new value for that secret.
  const [editing, setEditing] = useState<string | null | undefined>(undefined);
  const [deleting, setDeleting] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (name: string) => oscpApi.deleteSecret(name),
    onSuccess: async (_r, name) => {
      notifications.show({ color: 'teal', title: 'Secret deleted', message: `${name} is gone.` });
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      await queryClient.invalidateQueries({ queryKey: oscpKeys.secrets });
    },
  });

  if (!allowed) {
    return (
      <Stack>
        <PageHeader title="Secrets" />
        <Empty
          testId="forbidden"
          title="Only managers and system admins manage secrets"
          description="Connections show whether their secrets are set; ask a manager to set them."
        />
      </Stack>
    );
  }

  return (
    <>
      <PageHeader
        title="Secrets"
        subtitle="Tokens, client credentials and static headers that connections reference by name. Encrypted at rest; values are write-only."
        actions={
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setEditing(null)}
            data-testid="new-secret"
          >
            New secret
          </Button>
        }
      />
      {secrets.isError && secrets.data && (
        <RefreshError error={secrets.error} label="Could not refresh the secrets" mb="md" />
      )}
      {secrets.isPending ? (
        <LoadingState rows={4} label="Loading secrets…" />
      ) : secrets.isError && !secrets.data ? (
        <ErrorState
          error={secrets.error}
          title="Could not load the secrets"
          onRetry={() => void secrets.refetch()}
        />
      ) : secrets.data.secrets.length === 0 ? (
        <Paper p="md">
          <Empty
            testId="empty-secrets"
            title="No secrets yet"
            description="Add one here, or set values from a connection's form."
          />
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table data-testid="secrets-table" highlightOnHover withTableBorder bg="white">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Value</Table.Th>
                <Table.Th>Last set</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th w={200} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {secrets.data.secrets.map((s) => {
                const managed = managedBy(s.name);
                return (
                  <Table.Tr key={s.name} data-testid="secret-row" data-secret-name={s.name}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {s.name}
                      </Text>
                      {managed && (
                        <Text size="xs" c="dimmed" data-testid="secret-managed">
                          Written by the registration of{' '}
                          <Anchor
                            component={Link}
                            to={`/connections/${managed.connectionId}`}
                            size="xs"
                          >
                            this connection
                          </Anchor>
                          : {managed.what}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <SecretStatusBadge set={s.set} />
                    </Table.Td>
                    <Table.Td className="num">{formatDateTime(s.updatedAt)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{s.updatedBy ?? 'the system'}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={6} justify="flex-end" wrap="nowrap">
                        <PermittedButton
                          allowed={!managed}
                          reason="Registration writes this token; enable the connection again for a new one"
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setEditing(s.name)}
                          data-testid="secret-set-value"
                        >
                          Set value
                        </PermittedButton>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="gray"
                          onClick={() => {
                            remove.reset();
                            setDeleting(s.name);
                          }}
                          data-testid="secret-delete"
                        >
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <SetSecretModal
        opened={editing !== undefined}
        name={editing ?? null}
        onClose={() => setEditing(undefined)}
      />
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete secret ${deleting ?? ''}?`}
        confirmLabel="Delete secret"
        confirmTestId="confirm-delete-secret"
        loading={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        The value of <b>{deleting}</b> is deleted.{' '}
        {deleting && managedBy(deleting)
          ? 'Registration wrote this token: without it the connection cannot talk to its peer until it registers again (disable and enable it).'
          : 'Connections that reference this name can no longer authenticate with it until it is set again.'}
      </ConfirmModal>
    </>
  );
}
