import {
  Alert,
  Button,
  Center,
  EmptyState,
  Group,
  Loader,
  Skeleton,
  type MantineSpacing,
  Stack,
  Text,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { errorDetail } from '../api/client';
import { IconAlert } from './icons';

/** Deterministic loading state: skeleton rows (or a loader) under `data-testid="loading"`. */
export function LoadingState({
  label = 'Loading…',
  rows = 0,
}: {
  label?: string;
  /** When set, skeleton rows are shown instead of a spinner. */
  rows?: number;
}) {
  if (rows > 0) {
    return (
      <Stack data-testid="loading" gap="xs" aria-busy="true" aria-label={label}>
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton
            key={i}
            height={i === 0 ? 28 : 20}
            radius="sm"
            width={i === 0 ? '40%' : '100%'}
          />
        ))}
      </Stack>
    );
  }
  return (
    <Center py="xl" data-testid="loading" aria-busy="true">
      <Group gap="sm">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Group>
    </Center>
  );
}

/** An error from the API, its problem `detail` shown; `data-testid="error"`. */
export function ErrorState({
  error,
  title = 'Could not load this',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <Alert
      data-testid="error"
      color="red"
      variant="light"
      title={title}
      icon={<IconAlert />}
      role="alert"
    >
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{errorDetail(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/**
 * A failed refresh of data that is already on screen: the data stays (with whatever the user is
 * doing with it) and this small banner says it may be out of date. `data-testid="refresh-error"`.
 */
export function RefreshError({
  error,
  label = 'Live updates failing',
  mb,
}: {
  error: unknown;
  label?: string;
  mb?: MantineSpacing;
}) {
  return (
    <Alert
      data-testid="refresh-error"
      color="red"
      variant="light"
      p="xs"
      mb={mb}
      role="status"
      icon={<IconAlert size={16} />}
    >
      <Text size="sm">
        {label}: {errorDetail(error).replace(/\.$/, '')}. Showing the last data received.
      </Text>
    </Alert>
  );
}

/** A small inline alert for a failed form submission (shows the problem detail). */
export function FormError({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null;
  return (
    <Alert data-testid={testId ?? 'form-error'} color="red" variant="light" p="xs" role="alert">
      <Text size="sm">{errorDetail(error)}</Text>
    </Alert>
  );
}

export function Empty({
  title,
  description,
  action,
  testId = 'empty',
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  testId?: string;
}) {
  return (
    <EmptyState
      data-testid={testId}
      size="sm"
      py="lg"
      title={title}
      description={description}
      withIndicatorBackground
    >
      {action}
    </EmptyState>
  );
}
