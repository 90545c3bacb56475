import { useState } from 'react';

export interface CursorPages {
  /** Where the page shown starts (undefined: the newest). */
  cursor: number | undefined;
  /** The how-manieth page this is, from 1. */
  page: number;
  older: (nextCursor: number) => void;
  newer: () => void;
  /** Back to the newest page (a filter changed). */
  restart: () => void;
}

/**
 * Paging of a list the API pages by cursor (`before` the last row of the previous page): the
 * cursors of the pages passed are kept so "Newer" goes back exactly one page.
 */
export function useCursorPages(): CursorPages {
  const [cursors, setCursors] = useState<number[]>([]);
  return {
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    older: (next) => setCursors((passed) => [...passed, next]),
    newer: () => setCursors((passed) => passed.slice(0, -1)),
    restart: () => setCursors([]),
  };
}
