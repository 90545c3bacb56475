import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { IncidentView, NotificationPage, Page } from './types';
import { api, get } from './client';
import { LIVE_MS } from './queries';

export const notificationKeys = {
  notifications: (q: string) => ['notifications', q] as const,
  allNotifications: ['notifications'] as const,
  incidents: (q: string) => ['incidents', q] as const,
};

export const acknowledgeNotification = (id: string) =>
  api<void>(`/api/notifications/${id}/acknowledge`, { method: 'POST' });

export function useNotifications(query: string, refetchInterval = LIVE_MS) {
  return useQuery({
    queryKey: notificationKeys.notifications(query),
    queryFn: ({ signal }) => get<NotificationPage>(`/api/notifications?${query}`, signal),
    refetchInterval,
    placeholderData: keepPreviousData,
  });
}

/** The unacknowledged count for the navigation, polled gently: it is on every page. */
export function useUnacknowledgedCount(): number | undefined {
  return useNotifications('unacknowledged=true&limit=1', 15_000).data?.unacknowledged;
}

export function useIncidents(query: string) {
  return useQuery({
    queryKey: notificationKeys.incidents(query),
    queryFn: ({ signal }) => get<Page<IncidentView>>(`/api/incidents?${query}`, signal),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
}
