import { Alert, Badge, Button, Code, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ProblemView } from '../../../api/types';
import { Field, when } from '../CardParts';
import { statusText } from '../StateBadges';
import { problemTitle, timesSeen } from './problem-wording';

/**
 * One problem: what, since when, how often, the latest detail and what to do next, with the
 * button for it when the hint points to Re-register and the user may do it now.
 */
export function ProblemItem({
  problem: p,
  timeZone,
  onReregister,
}: {
  problem: ProblemView;
  timeZone: string | undefined;
  onReregister?: (() => void) | undefined;
}) {
  const open = p.clearedAt === null;
  return (
    <Paper
      withBorder
      p="sm"
      data-testid="problem"
      data-kind={p.kind}
      data-subject={p.subject}
      data-open={String(open)}
      style={open ? { borderLeft: '3px solid var(--mantine-color-red-6)' } : undefined}
    >
      <Stack gap="xs">
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm" fw={600} data-testid="problem-title">
            {problemTitle(p)}
          </Text>
          <Badge
            color={open ? 'red' : 'gray'}
            variant="light"
            radius="sm"
            tt="none"
            data-testid="problem-state"
          >
            {open ? 'open' : 'cleared'}
          </Badge>
        </Group>
        <Text
          size="sm"
          c={open ? 'red.7' : 'dimmed'}
          style={{ wordBreak: 'break-word' }}
          data-testid="problem-detail"
        >
          {p.message}
        </Text>
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
          <Field label="First seen" testId="problem-first-seen">
            {when(p.firstSeen, timeZone)}
          </Field>
          <Field label="Last seen" testId="problem-last-seen">
            {when(p.lastSeen, timeZone)}
          </Field>
          <Field label="Seen" testId="problem-count">
            {timesSeen(p.count)}
          </Field>
          <Field label={open ? 'Status' : 'Cleared at'} testId="problem-status">
            {open
              ? p.status
                ? statusText(p.status)
                : p.url
                  ? 'no response'
                  : '—'
              : when(p.clearedAt, timeZone)}
          </Field>
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {p.attempted}
          {p.url && (
            <>
              {' '}
              ·{' '}
              <Code fz="xs" style={{ wordBreak: 'break-all' }}>
                {p.url}
              </Code>
            </>
          )}
        </Text>
        {open && p.hint && (
          // Blue: advice, not an alarm of its own (the open problem above is the fault).
          <Alert
            color="blue"
            variant="light"
            p="xs"
            title="What to do next"
            data-testid="problem-hint"
          >
            <Text size="sm">{p.hint}</Text>
            {p.action === 'REREGISTER' && onReregister && (
              <Button
                size="xs"
                mt="xs"
                variant="light"
                color="orange"
                onClick={onReregister}
                data-testid="problem-reregister"
              >
                Re-register…
              </Button>
            )}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}
