import { Button, Group, Modal, Paper, PasswordInput, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { oscpApi, oscpKeys, useSecrets } from '../api/oscp';
import { useUser } from '../auth/context';
import { canManage } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import { PageHeader } from '../components/PageHeader';
import { Empty, ErrorState, FormError, LoadingState } from '../components/States';
import { formatDateTime } from '../format';

/** Secret names, who set them and when; values are write-only and never shown. */
export function SecretsPage() {
  const user = useUser();
  const queryClient = useQueryClient();
  const allowed = canManage(user.role);
  const secrets = useSecrets(allowed);
  const [editing, setEditing] = useState<string | null>(null);
  const [value, setValue] = useState('');
  const [deleting, setDeleting] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: oscpKeys.secrets });
  const put = useMutation({
    mutationFn: () => oscpApi.putSecret(editing!, value),
    onSuccess: async () => {
      setEditing(null);
      setValue('');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => oscpApi.deleteSecret(deleting!),
    onSuccess: async () => {
      setDeleting(null);
      await refresh();
    },
  });
  if (!allowed)
    return <Text c="dimmed">Only managers and system admins can see secret names.</Text>;
  return (
    <>
      <PageHeader
        title="Secrets"
        subtitle="Tokens, client credentials and static headers, encrypted at rest. Values are write-only."
      />
      <Paper p="md">
        {secrets.isPending ? (
          <LoadingState rows={3} />
        ) : secrets.isError ? (
          <ErrorState error={secrets.error} />
        ) : secrets.data.secrets.length === 0 ? (
          <Empty
            testId="empty-secrets"
            title="No secrets yet"
            description="Set them from a connection's form."
          />
        ) : (
          <Table data-testid="secrets-table">
            <Table.Tbody>
              {secrets.data.secrets.map((s) => (
                <Table.Tr key={s.name} data-testid="secret-row">
                  <Table.Td fw={600}>{s.name}</Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed">
                      set {formatDateTime(s.updatedAt)} by {s.updatedBy ?? 'the system'}
                    </Text>
                  </Table.Td>
                  <Table.Td w={220}>
                    <Group gap="xs">
                      <Button size="xs" variant="light" onClick={() => setEditing(s.name)}>
                        Set value
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        onClick={() => setDeleting(s.name)}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={`New value for ${editing ?? ''}`}
        centered
      >
        <Stack>
          <PasswordInput
            label="Value"
            value={value}
            onChange={(e) => setValue(e.currentTarget.value)}
          />
          <FormError error={put.error} />
          <Button disabled={!value} loading={put.isPending} onClick={() => put.mutate()}>
            Save
          </Button>
        </Stack>
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete ${deleting ?? ''}?`}
        confirmLabel="Delete"
        loading={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => setDeleting(null)}
      >
        Connections that reference this secret can no longer authenticate until it is set again.
      </ConfirmModal>
    </>
  );
}
