import { Badge, Code, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ConnectionDetail } from '../../api/types';
import { Card, Field, when } from './CardParts';
import { statusText } from './StateBadges';

export function ErrorCard({ c, timeZone }: { c: ConnectionDetail; timeZone: string | undefined }) {
  const e = c.latestError;
  return (
    <Card
      title="Latest error"
      testId="latest-error"
      extra={
        e ? (
          <Badge
            color={e.clearedAt ? 'gray' : 'red'}
            variant="light"
            radius="sm"
            tt="none"
            data-testid="latest-error-state"
          >
            {e.clearedAt ? 'cleared' : 'uncleared'}
          </Badge>
        ) : undefined
      }
    >
      {!e ? (
        <Text size="sm" c="dimmed">
          No errors
        </Text>
      ) : (
        <Stack gap="xs" data-cleared={String(Boolean(e.clearedAt))}>
          <Text
            size="sm"
            fw={600}
            c={e.clearedAt ? 'dimmed' : 'red.7'}
            data-testid="latest-error-message"
          >
            {e.message}
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="sm">
            <Field label="Attempted">{e.attempted}</Field>
            <Field label="URL">
              {e.url ? (
                <Code fz="xs" style={{ wordBreak: 'break-all' }}>
                  {e.url}
                </Code>
              ) : (
                '—'
              )}
            </Field>
            <Field label="Status">
              {e.status ? statusText(e.status) : e.url ? 'no response' : '—'}
            </Field>
            <Field label="When">{when(e.at, timeZone)}</Field>
          </SimpleGrid>
          {e.clearedAt && (
            <Text size="xs" c="dimmed" data-testid="error-cleared">
              Cleared at {when(e.clearedAt, timeZone)} by a later success
            </Text>
          )}
        </Stack>
      )}
    </Card>
  );
}
