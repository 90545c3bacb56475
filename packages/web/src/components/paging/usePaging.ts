import { useState } from 'react';

/** Rows per page in every paged list. */
export const PAGE_SIZE = 25;

export interface Paging {
  page: number;
  pageSize: number;
  setPage: (page: number) => void;
  /** Back to the first page (a filter changed). */
  restart: () => void;
  /** The page as the API's `limit` and `offset` query parameters. */
  params: { limit: string; offset: string };
}

/** Where a paged list is: the page shown and the query parameters that fetch it. */
export function usePaging(pageSize = PAGE_SIZE): Paging {
  const [page, setPage] = useState(1);
  return {
    page,
    pageSize,
    setPage,
    restart: () => setPage(1),
    params: { limit: String(pageSize), offset: String((page - 1) * pageSize) },
  };
}

/** `26–50 of 120 events`, or `No events`. */
export function pageRange(paging: Pick<Paging, 'page' | 'pageSize'>, total: number, noun: string) {
  if (total === 0) return `No ${noun}`;
  const first = (paging.page - 1) * paging.pageSize + 1;
  return `${first}–${Math.min(paging.page * paging.pageSize, total)} of ${total} ${noun}`;
}
