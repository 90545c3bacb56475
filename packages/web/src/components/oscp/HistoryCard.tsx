import { Code, Group, Stack, Text } from '@mantine/core';
import { useHistory } from '../../api/oscp';
import { Empty, ErrorState, LoadingState, RefreshError } from '../States';
import { Card, when } from './CardParts';

/** A history value as the operator reads it: strings bare, no value as "none". */
function historyValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function HistoryCard({ id, timeZone }: { id: string; timeZone: string | undefined }) {
  const history = useHistory(id);
  return (
    <Card title="Configuration history" testId="history">
      {history.isError && history.data && <RefreshError error={history.error} mb="sm" />}
      {history.isPending ? (
        <LoadingState rows={2} label="Loading the history…" />
      ) : history.isError && !history.data ? (
        <ErrorState
          error={history.error}
          title="Could not load the history"
          onRetry={() => void history.refetch()}
        />
      ) : history.data.history.length === 0 ? (
        <Empty testId="empty-history" title="No configuration changes recorded" />
      ) : (
        <Stack gap="sm">
          {history.data.history.map((h) => (
            <Stack
              key={h.version}
              gap={2}
              data-testid="history-entry"
              data-type={h.type}
              data-version={h.version}
            >
              <Group gap="xs" wrap="wrap">
                <Text size="sm" fw={600}>
                  {h.summary}
                </Text>
                <Text size="xs" c="dimmed">
                  by <b>{h.by}</b> · {when(h.at, timeZone)} · configuration version {h.version}
                </Text>
              </Group>
              {h.changes.map((c) => (
                <Text key={c.field} size="xs" data-testid="history-change">
                  <Code fz="xs">{c.field}</Code>: {historyValue(c.from)} → {historyValue(c.to)}
                </Text>
              ))}
            </Stack>
          ))}
        </Stack>
      )}
    </Card>
  );
}
