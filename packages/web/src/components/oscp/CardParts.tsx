import { Stack, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatDateTimeSeconds } from '../../format';

export { SectionCard as Card } from '../SectionCard';

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

export /** One line that never widens the table: cut with an ellipsis, the whole text in a tooltip. */
function Clipped({ text, tooltip, color }: { text: string; tooltip?: string; color?: string }) {
  return (
    <Tooltip label={tooltip ?? text} withArrow multiline maw={420}>
      <Text size="xs" truncate="end" c={color}>
        {text}
      </Text>
    </Tooltip>
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
