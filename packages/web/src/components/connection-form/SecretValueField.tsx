import { Button, Group, PasswordInput, Stack, Text } from '@mantine/core';
import { putSecretBody } from '@openvelope/server/oscp-contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { oscpApi, oscpKeys } from '../../api/oscp';
import { submitTo, useSchemaForm } from '../../forms/schema-form';
import { FormError } from '../States';

/**
 * Sets the value of the secret a reference names, write-only: the value is never shown again,
 * only "set". Mounted per name, so another name starts afresh. It is not a <form> of its own
 * (forms do not nest): Enter and the button submit it, never the connection form around it.
 */
export function SecretValueField({ name, field }: { name: string; field: string }) {
  const queryClient = useQueryClient();
  const form = useSchemaForm({
    initialValues: { value: '' },
    schema: putSecretBody,
    toRequest: (v) => v,
  });
  const put = useMutation({
    mutationFn: ({ value }: { value: string }) => oscpApi.putSecret(name, value),
    onSuccess: async () => {
      form.reset();
      await queryClient.invalidateQueries({ queryKey: oscpKeys.secrets });
    },
  });
  const submit = submitTo(form, put.mutate);
  return (
    <Stack gap={4}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <PasswordInput
          size="xs"
          label={`Set the value of “${name}” (write-only)`}
          {...form.getInputProps('value')}
          onChange={(e) => {
            form.setFieldValue('value', e.currentTarget.value);
            put.reset();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (!put.isPending) submit();
            }
          }}
          autoComplete="new-password"
          data-testid={`secret-value-${field}`}
          style={{ flex: 1 }}
        />
        <Button
          size="xs"
          variant="light"
          disabled={!form.values.value}
          loading={put.isPending}
          onClick={() => submit()}
          data-testid={`secret-set-${field}`}
        >
          Set value
        </Button>
        {put.isSuccess && (
          <Text size="xs" c="teal.7" fw={600} data-testid={`secret-saved-${field}`}>
            set
          </Text>
        )}
      </Group>
      <FormError error={put.error} testId={`secret-error-${field}`} />
    </Stack>
  );
}
