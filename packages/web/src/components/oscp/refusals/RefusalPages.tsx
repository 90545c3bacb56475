import { Button, Group, Text } from '@mantine/core';
import { useRefusals } from '../../../api/oscp';
import type { CursorPages } from '../../paging/useCursorPages';
import { Empty, ErrorState, LoadingState, RefreshError } from '../../States';
import { RefusalTable } from './RefusalTable';

/**
 * A page of the refusal log with its loading, error, empty and refresh states, and "Newer" and
 * "Older" to move by cursor (the log is paged by id, not counted).
 */
export function RefusalPages({
  filter,
  pages,
  pageSize,
  timeZone,
  connectionNames,
  empty,
}: {
  filter: Record<string, string>;
  pages: CursorPages;
  pageSize: number;
  timeZone: string | undefined;
  connectionNames?: ReadonlyMap<string, string>;
  empty: { title: string; description?: string };
}) {
  const query = new URLSearchParams({
    ...filter,
    limit: String(pageSize),
    ...(pages.cursor !== undefined ? { before: String(pages.cursor) } : {}),
  }).toString();
  const refusals = useRefusals(query);
  if (refusals.isPending) return <LoadingState rows={3} label="Loading refused calls…" />;
  if (refusals.isError && !refusals.data)
    return (
      <ErrorState
        error={refusals.error}
        title="Could not load the refused calls"
        onRetry={() => void refusals.refetch()}
      />
    );
  const { items, nextBefore } = refusals.data;
  return (
    <>
      {refusals.isError && <RefreshError error={refusals.error} mb="sm" />}
      {items.length === 0 ? (
        <Empty testId="empty-refusals" title={empty.title} description={empty.description} />
      ) : (
        <div style={{ opacity: refusals.isPlaceholderData ? 0.6 : 1 }}>
          <RefusalTable items={items} timeZone={timeZone} connectionNames={connectionNames} />
        </div>
      )}
      {(pages.page > 1 || nextBefore !== null) && (
        <Group justify="space-between" mt="sm">
          <Text size="xs" c="dimmed" data-testid="refusals-page">
            Page {pages.page}, newest first
          </Text>
          <Group gap="xs">
            <Button
              size="compact-xs"
              variant="default"
              disabled={pages.page === 1}
              onClick={pages.newer}
              data-testid="refusals-newer"
            >
              Newer
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              disabled={nextBefore === null}
              onClick={() => nextBefore !== null && pages.older(nextBefore)}
              data-testid="refusals-older"
            >
              Older
            </Button>
          </Group>
        </Group>
      )}
    </>
  );
}
