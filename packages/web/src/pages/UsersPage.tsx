import { Badge, Button, Group, NativeSelect, Stack, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { authKeys, deleteUser, listUsers, updateUser } from '../api/auth';
import { errorDetail } from '../api/client';
import { ROLES } from '@openvelope/server/roles';
import type { Role, UserView } from '../api/types';
import { useUser } from '../auth/context';
import { isAdmin, ROLE_LABEL } from '../auth/permissions';
import { ConfirmModal } from '../components/ConfirmModal';
import { IconPlus } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { PermittedButton } from '../components/PermittedButton';
import { Empty, ErrorState, LoadingState, RefreshError } from '../components/States';
import { CreateUserModal, ResetPasswordModal } from '../components/UserModals';
import { formatDateTime } from '../format';

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }));

/** A change to one account that waits for confirmation: a new role, or disabling it. */
type UserChange = { user: UserView; body: { role: Role } | { disabled: boolean } };

function confirmation({ user, body }: UserChange) {
  if ('role' in body) {
    return {
      title: `Change the role of ${user.username}?`,
      label: `Make ${ROLE_LABEL[body.role]}`,
      color: 'blue',
      body: (
        <>
          <b>{user.username}</b> changes from {ROLE_LABEL[user.role]} to{' '}
          <b>{ROLE_LABEL[body.role]}</b>; what the account may do changes at once.
          {user.role === 'SYSTEM_ADMIN' && ' It can no longer manage users.'}
        </>
      ),
    };
  }
  return {
    title: `Disable ${user.username}?`,
    label: 'Disable user',
    color: 'red',
    body: (
      <>
        <b>{user.username}</b> ({ROLE_LABEL[user.role]}) can no longer sign in; its sessions and API
        tokens stop working at once. The account is kept: enable it again to restore access.
      </>
    ),
  };
}

const notifyRefused = (error: unknown) =>
  notifications.show({ color: 'red', title: 'Change refused', message: errorDetail(error) });

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
  const [confirming, setConfirming] = useState<UserChange | null>(null);

  const change = useMutation({
    mutationFn: (v: UserChange) => updateUser(v.user.id, v.body),
    onSuccess: (updated, v) => {
      const what =
        'role' in v.body
          ? `${updated.username} is now ${ROLE_LABEL[updated.role]}.`
          : updated.disabled
            ? `${updated.username} is disabled and can no longer sign in.`
            : `${updated.username} is enabled.`;
      notifications.show({ color: 'teal', title: 'User updated', message: what });
      setConfirming(null);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: authKeys.users }),
  });
  const ask = (next: UserChange) => {
    change.reset();
    setConfirming(next);
  };
  const confirm = confirming ? confirmation(confirming) : null;

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
      {users.isError && users.data && (
        <RefreshError error={users.error} label="Could not refresh the users" />
      )}
      {users.isPending ? (
        <LoadingState rows={5} label="Loading users…" />
      ) : users.isError && !users.data ? (
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
                const roleSelect = (
                  <NativeSelect
                    size="xs"
                    aria-label={`Role of ${u.username}`}
                    data={ROLE_OPTIONS}
                    value={u.role}
                    disabled={self || change.isPending}
                    onChange={(e) =>
                      ask({ user: u, body: { role: e.currentTarget.value as Role } })
                    }
                    data-testid="user-role-select"
                  />
                );
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
                      {self ? (
                        <Tooltip
                          label="You cannot change your own role: a demotion could lock you out of managing users. Ask another system admin."
                          withArrow
                          multiline
                          w={280}
                        >
                          <div style={{ cursor: 'not-allowed' }}>{roleSelect}</div>
                        </Tooltip>
                      ) : (
                        roleSelect
                      )}
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
                            u.disabled
                              ? change.mutate(
                                  { user: u, body: { disabled: false } },
                                  { onError: notifyRefused },
                                )
                              : ask({ user: u, body: { disabled: true } })
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
      {confirm && (
        <ConfirmModal
          opened
          title={confirm.title}
          confirmLabel={confirm.label}
          confirmColor={confirm.color}
          confirmTestId="confirm-user-change"
          loading={change.isPending}
          error={change.error}
          onClose={() => setConfirming(null)}
          onConfirm={() => confirming && change.mutate(confirming)}
        >
          {confirm.body}
        </ConfirmModal>
      )}
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
