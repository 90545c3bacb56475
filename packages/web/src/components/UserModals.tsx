import { NativeSelect, PasswordInput, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { createUserBody, updateUserBody } from '@openvelope/server/auth-contract';
import { ROLES } from '@openvelope/server/roles';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { authKeys, createUser, updateUser } from '../api/auth';
import type { UserView } from '../api/types';
import { ROLE_LABEL } from '../auth/permissions';
import { submitTo, useSchemaForm } from '../forms/schema-form';
import { FormModal, ModalForm } from './FormModal';

export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <FormModal opened={opened} title="New user" onClose={onClose}>
      <CreateUserForm onClose={onClose} />
    </FormModal>
  );
}

function CreateUserForm({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: { username: '', password: '', role: 'VIEWER' as string },
    schema: createUserBody,
    toRequest: (v) => ({ ...v, username: v.username.trim() }),
  });
  const create = useMutation({
    mutationFn: createUser,
    onSuccess: async (user) => {
      notifications.show({
        color: 'teal',
        title: 'User created',
        message: `${user.username} can sign in as ${ROLE_LABEL[user.role]}.`,
      });
      onClose();
      await queryClient.invalidateQueries({ queryKey: authKeys.users });
    },
  });

  return (
    <ModalForm
      onSubmit={submitTo(form, create.mutate)}
      onCancel={onClose}
      pending={create.isPending}
      error={create.error}
      submitLabel="Create user"
      submitTestId="user-save"
    >
      <TextInput
        label="Username"
        {...form.getInputProps('username')}
        data-testid="user-username"
        data-autofocus
        autoComplete="off"
        required
      />
      <PasswordInput
        label="Password"
        description="At least 8 characters; share it with the user securely"
        {...form.getInputProps('password')}
        data-testid="user-password"
        autoComplete="new-password"
        required
      />
      <NativeSelect
        label="Role"
        data={ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
        {...form.getInputProps('role')}
        data-testid="user-role"
      />
    </ModalForm>
  );
}

export function ResetPasswordModal({
  user,
  onClose,
}: {
  user: UserView | null;
  onClose: () => void;
}) {
  return (
    <FormModal
      opened={user !== null}
      title={`Reset the password of ${user?.username ?? ''}`}
      onClose={onClose}
    >
      {user && <ResetPasswordForm user={user} onClose={onClose} />}
    </FormModal>
  );
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What a new password ended: the server says how many other sessions and tokens it revoked. */
export function revokedWording(revoked: { sessions: number; apiTokens: number } | undefined) {
  if (!revoked) return '';
  if (revoked.sessions === 0 && revoked.apiTokens === 0)
    return 'No other session or API token was open.';
  return `${count(revoked.sessions, 'other session was', 'other sessions were')} signed out and ${count(revoked.apiTokens, 'API token was', 'API tokens were')} revoked.`;
}

/** A new password is required here, though the update body lets every field be left out. */
const passwordChange = updateUserBody.required({ password: true }).pick({ password: true });

function ResetPasswordForm({ user, onClose }: { user: UserView; onClose: () => void }) {
  const form = useSchemaForm({
    initialValues: { password: '' },
    schema: passwordChange,
    toRequest: (v) => v,
  });
  const save = useMutation({
    mutationFn: (body: { password: string }) => updateUser(user.id, body),
    onSuccess: (updated) => {
      notifications.show({
        color: 'teal',
        title: 'Password reset',
        message: `${updated.username} signs in with the new password from now on. ${revokedWording(updated.revoked)}`,
      });
      onClose();
    },
  });

  return (
    <ModalForm
      onSubmit={submitTo(form, save.mutate)}
      onCancel={onClose}
      pending={save.isPending}
      error={save.error}
      submitLabel="Set password"
      submitTestId="user-password-save"
    >
      <PasswordInput
        label="New password"
        description="At least 8 characters"
        {...form.getInputProps('password')}
        data-testid="user-new-password"
        data-autofocus
        autoComplete="new-password"
        required
      />
    </ModalForm>
  );
}
