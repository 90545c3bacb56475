import { Badge, Stack, Text } from '@mantine/core';
import type { ConnectionDetail } from '../../../api/types';
import { Card, SubTitle } from '../CardParts';
import { ProblemItem } from './ProblemItem';

/**
 * Everything wrong with the connection at once: open problems first (newest first), each with how
 * long it has lasted, how often it was seen and what to do next; then the recently cleared ones.
 */
export function ProblemsCard({
  c,
  timeZone,
  onReregister,
}: {
  c: ConnectionDetail;
  timeZone: string | undefined;
  /** Opens the Re-register dialog; given only when the user may re-register this connection now. */
  onReregister?: (() => void) | undefined;
}) {
  const open = c.problems.filter((p) => p.clearedAt === null);
  const cleared = c.problems.filter((p) => p.clearedAt !== null);
  return (
    <Card
      title="Problems"
      testId="problems"
      extra={
        <Badge
          color={open.length > 0 ? 'red' : 'gray'}
          variant="light"
          radius="sm"
          tt="none"
          data-testid="open-problem-count"
          data-count={open.length}
        >
          {open.length === 0 ? 'none open' : `${open.length} open`}
        </Badge>
      }
    >
      <Stack gap="sm">
        {open.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="no-open-problems">
            No open problems
          </Text>
        ) : (
          open.map((p) => (
            <ProblemItem
              key={`${p.kind}:${p.subject}`}
              problem={p}
              timeZone={timeZone}
              onReregister={onReregister}
            />
          ))
        )}
        {cleared.length > 0 && (
          <Stack gap="xs" data-testid="cleared-problems">
            <SubTitle>Cleared</SubTitle>
            {cleared.map((p) => (
              <ProblemItem
                key={`${p.kind}:${p.subject}:${p.clearedAt}`}
                problem={p}
                timeZone={timeZone}
              />
            ))}
          </Stack>
        )}
      </Stack>
    </Card>
  );
}
