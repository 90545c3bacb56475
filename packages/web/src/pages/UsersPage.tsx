import { Badge, Button, Group, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { authKeys, deleteUser, listUsers, updateUser } from '../api/auth';
import { errorDetail } from '../api/client';
import { ROLES, type Role, type UserView } from '../api/types';
import { useUser } from '../auth/context';
import { isAdmin, ROLE_LABEL } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import { IconPlus } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, LoadingState } from '../components/States';
import { CreateUserModal, ResetPasswordModal } from '../components/UserModals';
import { formatDateTime } from '../format';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

export function UsersPage() {
  const me = useUser();
  const queryClient = useQueryClient();
  const users = useQuery({
    queryKey: authKeys.users,
    queryFn: listUsers,
    enabled: isAdmin(me.role),
  });
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<UserView | null>(null);
  const [deleting, setDeleting] = useState<UserView | null>(null);

  const change = useMutation({
    mutationFn: (v: { user: UserView; body: { role?: Role; disabled?: boolean } }) =>
      updateUser(v.user.id, v.body),
    onSuccess: (updated, v) => {
      const what =
        v.body.role !== undefined
          ? `${updated.username} is now ${ROLE_LABEL[updated.role]}.`
          : updated.disabled
            ? `${updated.username} is disabled and can no longer sign in.`
            : `${updated.username} is enabled.`;
      notifications.show({ color: 'teal', title: 'User updated', message: what });
    },
    onError: (error) =>
      notifications.show({ color: 'red', title: 'Change refused', message: errorDetail(error) }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: authKeys.users }),
  });

  const remove = useMutation({
    mutationFn: (user: UserView) => deleteUser(user.id),
    onSuccess: async (_r, user) => {
      notifications.show({
        color: 'teal',
        title: 'User deleted',
        message: `${user.username} was deleted.`,
      });
      setDeleting(null);
      await queryClient.invalidateQueries({ queryKey: authKeys.users });
    },
  });

  if (!isAdmin(me.role)) {
    return (
      <Stack>
        <PageHeader title="Users" />
        <Empty
          testId="forbidden"
          title="Only system admins manage users"
          description="Ask a system admin to create accounts or change roles."
        />
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <PageHeader
        title="Users"
        subtitle="Accounts that can sign in to the console, and their roles."
        actions={
          <Button
            leftSection={<IconPlus size={16} />}
            onClick={() => setCreating(true)}
            data-testid="new-user"
          >
            New user
          </Button>
        }
      />
      {users.isPending ? (
        <LoadingState rows={5} label="Loading users…" />
      ) : users.isError ? (
        <ErrorState
          error={users.error}
          title="Could not load the users"
          onRetry={() => void users.refetch()}
        />
      ) : users.data.length === 0 ? (
        <Empty title="No users" />
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table data-testid="user-table" highlightOnHover withTableBorder bg="white">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Username</Table.Th>
                <Table.Th w={190}>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th w={300} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((u) => {
                const self = u.id === me.id;
                return (
                  <Table.Tr key={u.id} data-testid="user-row" data-username={u.username}>
                    <Table.Td fw={500}>
                      {u.username}
                      {self && (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          (you)
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <NativeSelect
                        size="xs"
                        aria-label={`Role of ${u.username}`}
                        data={ROLE_OPTIONS}
                        value={u.role}
                        disabled={change.isPending}
                        onChange={(e) =>
                          change.mutate({ user: u, body: { role: e.currentTarget.value as Role } })
                        }
                        data-testid="user-role-select"
                      />
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        color={u.disabled ? 'gray' : 'teal'}
                        variant="light"
                        radius="sm"
                        data-testid="user-status"
                      >
                        {u.disabled ? 'disabled' : 'active'}
                      </Badge>
                    </Table.Td>
                    <Table.Td className="num">{formatDateTime(u.createdAt)}</Table.Td>
                    <Table.Td>
                      <Group gap={6} justify="flex-end" wrap="nowrap">
                        <PermittedButton
                          allowed={!self || u.disabled}
                          reason="You cannot disable your own account"
                          size="compact-xs"
                          variant="subtle"
                          onClick={() =>
                            change.mutate({ user: u, body: { disabled: !u.disabled } })
                          }
                          data-testid={u.disabled ? 'enable-user' : 'disable-user'}
                        >
                          {u.disabled ? 'Enable' : 'Disable'}
                        </PermittedButton>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          onClick={() => setResetting(u)}
                          data-testid="reset-password"
                        >
                          Reset password
                        </Button>
                        <PermittedButton
                          allowed={!self}
                          reason="You cannot delete your own account"
                          size="compact-xs"
                          variant="subtle"
                          color="gray"
                          onClick={() => {
                            remove.reset();
                            setDeleting(u);
                          }}
                          data-testid="delete-user"
                        >
                          Delete
                        </PermittedButton>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <CreateUserModal opened={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
      <ConfirmModal
        opened={deleting !== null}
        title={`Delete user ${deleting?.username ?? ''}?`}
        confirmLabel="Delete user"
        confirmTestId="confirm-delete"
        loading={remove.isPending}
        error={remove.error}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
      >
        The account <b>{deleting?.username}</b> ({deleting ? ROLE_LABEL[deleting.role] : ''}) is
        deleted, its sessions end and its API tokens stop working. This cannot be undone; disable
        the account instead to keep it.
      </ConfirmModal>
    </Stack>
  );
}
