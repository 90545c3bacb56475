import { Badge } from '@mantine/core';
import type { CircuitBreaches } from '../../api/types';

/** Amber while a breach is suspected, red while one is open (a real fault), quiet otherwise. */
export const BREACH_STATUS: Record<
  CircuitBreaches['status'],
  { label: string; color: string; variant: 'filled' | 'light' }
> = {
  NORMAL: { label: 'Within the limit', color: 'gray', variant: 'light' },
  SUSPECTED: { label: 'Over the limit', color: 'orange', variant: 'filled' },
  OPEN: { label: 'Breach', color: 'red', variant: 'filled' },
};

export function BreachStatusBadge({ status }: { status: CircuitBreaches['status'] }) {
  const look = BREACH_STATUS[status];
  return (
    <Badge
      color={look.color}
      variant={look.variant}
      radius="sm"
      tt="none"
      data-testid="breach-status"
      data-status={status}
    >
      {look.label}
    </Badge>
  );
}
