import { NativeSelect, PasswordInput, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { authKeys, createUser, updateUser } from '../api/auth';
import { ROLES, type Role, type UserView } from '../api/types';
import { ROLE_LABEL } from '../auth/permissions';
import { errorFor, fieldErrorsOf, mergeErrors, type FieldErrors } from '../forms';
import { FormModal } from './FormModal';

const USERNAME = /^[a-zA-Z0-9._-]+$/;

function checkPassword(password: string): string | undefined {
  return password.length < 8 ? 'must be at least 8 characters' : undefined;
}

export function CreateUserModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('VIEWER');
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
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
  const { reset } = create;

  useEffect(() => {
    if (!opened) return;
    setUsername('');
    setPassword('');
    setRole('VIEWER');
    setClientErrors({});
    reset();
  }, [opened, reset]);

  const errors = mergeErrors(clientErrors, fieldErrorsOf(create.error));
  const onSubmit = () => {
    const found: FieldErrors = {};
    if (username.trim().length < 2) found.username = 'must be at least 2 characters';
    else if (!USERNAME.test(username.trim()))
      found.username = 'may contain letters, digits, dot, dash and underscore only';
    const pw = checkPassword(password);
    if (pw) found.password = pw;
    setClientErrors(found);
    if (Object.keys(found).length === 0)
      create.mutate({ username: username.trim(), password, role });
  };

  return (
    <FormModal
      opened={opened}
      title="New user"
      onClose={onClose}
      onSubmit={onSubmit}
      loading={create.isPending}
      error={create.error}
      submitLabel="Create user"
      submitTestId="user-save"
    >
      <TextInput
        label="Username"
        value={username}
        onChange={(e) => setUsername(e.currentTarget.value)}
        error={errorFor(errors, 'username')}
        data-testid="user-username"
        data-autofocus
        autoComplete="off"
        required
      />
      <PasswordInput
        label="Password"
        description="At least 8 characters; share it with the user securely"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={errorFor(errors, 'password')}
        data-testid="user-password"
        autoComplete="new-password"
        required
      />
      <NativeSelect
        label="Role"
        data={ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
        value={role}
        onChange={(e) => setRole(e.currentTarget.value as Role)}
        error={errorFor(errors, 'role')}
        data-testid="user-role"
      />
    </FormModal>
  );
}

export function ResetPasswordModal({
  user,
  onClose,
}: {
  user: UserView | null;
  onClose: () => void;
}) {
  const [password, setPassword] = useState('');
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (v: { id: string; password: string }) => updateUser(v.id, { password: v.password }),
    onSuccess: (updated) => {
      notifications.show({
        color: 'teal',
        title: 'Password reset',
        message: `${updated.username} signs in with the new password from now on.`,
      });
      onClose();
    },
  });
  const { reset } = save;

  useEffect(() => {
    if (!user) return;
    setPassword('');
    setClientErrors({});
    reset();
  }, [user, reset]);

  const errors = mergeErrors(clientErrors, fieldErrorsOf(save.error));
  const onSubmit = () => {
    const pw = checkPassword(password);
    setClientErrors(pw ? { password: pw } : {});
    if (!pw && user) save.mutate({ id: user.id, password });
  };

  return (
    <FormModal
      opened={user !== null}
      title={`Reset the password of ${user?.username ?? ''}`}
      onClose={onClose}
      onSubmit={onSubmit}
      loading={save.isPending}
      error={save.error}
      submitLabel="Set password"
      submitTestId="user-password-save"
    >
      <PasswordInput
        label="New password"
        description="At least 8 characters"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={errorFor(errors, 'password')}
        data-testid="user-new-password"
        data-autofocus
        autoComplete="new-password"
        required
      />
    </FormModal>
  );
}
