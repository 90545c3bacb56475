import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { FormError } from './States';

/** A modal holding one create/edit form: fields, the problem detail, cancel and save. */
export function FormModal({
  opened,
  title,
  onClose,
  onSubmit,
  loading,
  error,
  submitLabel,
  submitTestId,
  children,
}: {
  opened: boolean;
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  loading: boolean;
  error: unknown;
  submitLabel: string;
  submitTestId: string;
  children: ReactNode;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>{title}</Text>} centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {children}
          <FormError error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={loading}>
              Cancel
            </Button>
            <Button type="submit" loading={loading} data-testid={submitTestId}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
