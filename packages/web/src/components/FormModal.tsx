import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { FormError } from './States';

/**
 * A modal holding one form. Its content mounts when it opens, so a form inside starts afresh on
 * every opening.
 */
export function FormModal({
  opened,
  title,
  onClose,
  children,
}: {
  opened: boolean;
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>{title}</Text>} centered>
      {children}
    </Modal>
  );
}

/** A modal's form: its fields, the problem the server answered, cancel and submit. */
export function ModalForm({
  onSubmit,
  onCancel,
  pending,
  error,
  submitLabel,
  submitTestId,
  submitColor,
  errorTestId,
  children,
}: {
  onSubmit: (event?: FormEvent<HTMLFormElement>) => void;
  onCancel: () => void;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  submitTestId: string;
  submitColor?: string;
  errorTestId?: string;
  children: ReactNode;
}) {
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="sm">
        {children}
        <FormError error={error} testId={errorTestId} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" loading={pending} color={submitColor} data-testid={submitTestId}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
