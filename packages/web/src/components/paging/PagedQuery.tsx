import { Group, Pagination, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { Page } from '../../api/types';
import { Empty, ErrorState, LoadingState, RefreshError } from '../States';
import { pageRange, type Paging } from './usePaging';

/**
 * One page of a list the API pages with `limit` and `offset`: loading, error, empty and refresh
 * states, the rows, and a footer to move between pages. The previous page stays (dimmed) until
 * the next one arrives.
 */
export function PagedQuery<Item>({
  query,
  paging,
  noun,
  testId,
  empty,
  children,
}: {
  query: UseQueryResult<Page<Item>>;
  paging: Paging;
  /** What the rows are, plural: "publications". */
  noun: string;
  testId: string;
  empty: { title: string; description?: ReactNode; action?: ReactNode };
  children: (items: Item[]) => ReactNode;
}) {
  if (query.isPending) return <LoadingState rows={3} label={`Loading ${noun}…`} />;
  if (query.isError && !query.data) {
    return (
      <ErrorState
        error={query.error}
        title={`Could not load the ${noun}`}
        onRetry={() => void query.refetch()}
      />
    );
  }
  const { items, total } = query.data;
  const pages = Math.max(1, Math.ceil(total / paging.pageSize));
  return (
    <>
      {query.isError && <RefreshError error={query.error} mb="sm" />}
      {items.length === 0 ? (
        <Empty
          testId={`empty-${testId}`}
          title={empty.title}
          description={empty.description}
          action={empty.action}
        />
      ) : (
        <div style={{ opacity: query.isPlaceholderData ? 0.6 : 1 }}>{children(items)}</div>
      )}
      <Group justify="space-between" mt="sm" wrap="wrap">
        <Text size="xs" c="dimmed" data-testid={`${testId}-total`}>
          {/* The rows shown are the previous page's until the next arrives: no range for them. */}
          {query.isPlaceholderData ? `Loading ${noun}…` : pageRange(paging, total, noun)}
        </Text>
        {pages > 1 && (
          <Pagination
            size="sm"
            total={pages}
            value={Math.min(paging.page, pages)}
            onChange={paging.setPage}
            data-testid={`${testId}-pagination`}
          />
        )}
      </Group>
    </>
  );
}
