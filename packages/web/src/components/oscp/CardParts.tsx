import { Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatDateTimeSeconds } from '../../format';

/** The frame of every card on the connection page: a title, optional controls, the content. */
export function Card({
  title,
  testId,
  extra,
  children,
}: {
  title: string;
  testId?: string;
  extra?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Paper p="md" data-testid={testId}>
      <Group justify="space-between" mb="sm" wrap="wrap" gap="xs">
        <Title order={3} fz="h5">
          {title}
        </Title>
        {extra}
      </Group>
      {children}
    </Paper>
  );
}

export function Field({
  label,
  children,
  testId,
}: {
  label: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" data-testid={testId}>
        {children}
      </Text>
    </Stack>
  );
}

export function SubTitle({ children }: { children: ReactNode }) {
  return (
    <Text size="xs" fw={700} tt="uppercase" c="dimmed" mt="xs">
      {children}
    </Text>
  );
}

/**
 * Protocol times are shown to the second (heartbeats can be seconds apart), in the microgrid's zone
 * when it is known and the browser's otherwise; the zone is always named.
 */
export const when = (iso: string | null | undefined, timeZone: string | undefined) =>
  iso ? formatDateTimeSeconds(iso, timeZone) : '—';
