import { Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import type { SchemaForm } from '../../forms/schema-form';
import type { connectionRequest, ConnectionValues } from './connection-values';

/** The connection form as every section receives it. */
export type ConnectionForm = SchemaForm<ConnectionValues, typeof connectionRequest>;

/** One titled section of the connection form. */
export function FormSection({
  title,
  description,
  children,
  testId,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Paper p="md" data-testid={testId}>
      <Title order={3} fz="h5" mb={description ? 2 : 'sm'}>
        {title}
      </Title>
      {description && (
        <Text size="xs" c="dimmed" mb="sm">
          {description}
        </Text>
      )}
      <Stack gap="sm">{children}</Stack>
    </Paper>
  );
}
