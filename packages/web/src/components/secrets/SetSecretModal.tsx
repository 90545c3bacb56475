import { PasswordInput, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { putSecretBody, secretNameParams } from '@openvelope/server/oscp-contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { oscpApi, oscpKeys } from '../../api/oscp';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { FormModal, ModalForm } from '../FormModal';

/** The secret's name (a path parameter) and its value (the body), under the server's rules. */
export const setSecretRequest = putSecretBody.extend(secretNameParams.shape);

/**
 * Sets a secret's value. With `name` null it is a new secret and asks for its name too.
 * The value is write-only: it goes to the server and is never shown again.
 */
export function SetSecretModal({
  opened,
  name,
  onClose,
}: {
  opened: boolean;
  name: string | null;
  onClose: () => void;
}) {
  return (
    <FormModal
      opened={opened}
      title={name === null ? 'New secret' : `New value for ${name}`}
      onClose={onClose}
    >
      <SetSecretForm name={name} onClose={onClose} />
    </FormModal>
  );
}

function SetSecretForm({ name, onClose }: { name: string | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: { name: name ?? '', value: '' },
    schema: setSecretRequest,
    toRequest: (v) => ({ name: v.name.trim(), value: v.value }),
  });
  const put = useMutation({
    mutationFn: (request: { name: string; value: string }) =>
      oscpApi.putSecret(request.name, request.value),
    onSuccess: async (_r, request) => {
      notifications.show({
        color: 'teal',
        title: 'Secret set',
        message: `${request.name} holds a new value.`,
      });
      onClose();
      await queryClient.invalidateQueries({ queryKey: oscpKeys.all });
      await queryClient.invalidateQueries({ queryKey: oscpKeys.secrets });
    },
  });

  return (
    <ModalForm
      onSubmit={submitTo(form, put.mutate)}
      onCancel={onClose}
      pending={put.isPending}
      error={put.error}
      submitLabel="Save value"
      submitTestId="secret-save"
    >
      {name === null && (
        <TextInput
          label="Name"
          description="What connections reference, e.g. vec42-client-secret"
          {...form.getInputProps('name')}
          autoComplete="off"
          data-autofocus
          required
          data-testid="secret-name"
        />
      )}
      <PasswordInput
        label="Value"
        description="Write-only: it is encrypted at rest and never shown again"
        {...form.getInputProps('value')}
        autoComplete="new-password"
        {...(name !== null ? { 'data-autofocus': true } : {})}
        required
        data-testid="secret-value"
      />
    </ModalForm>
  );
}
