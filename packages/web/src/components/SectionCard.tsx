import { Group, Paper, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled card of a page: a title, optional controls beside it, the content. */
export function SectionCard({
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
