import { Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function StatCard({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  testId: string;
}) {
  return (
    <Paper p="sm">
      <Stack gap={4}>
        <Text size="xs" tt="uppercase" fw={600} c="dimmed">
          {label}
        </Text>
        <Text fz={24} fw={700} className="num" data-testid={testId} component="div" lh={1.2}>
          {value}
        </Text>
        {hint && (
          <Text size="xs" c="dimmed" component="div">
            {hint}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
