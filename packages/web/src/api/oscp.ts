import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type {
  ConnectionDetail,
  ConnectionSummary,
  CreateConnectionBody,
  EditConnectionBody,
  HistoryEntry,
  PresetView,
} from '@openvelope/server/oscp-contract';
import { api, ApiError, get } from './client';
import { LIVE_MS } from './queries';

export type {
  ConnectionDetail,
  ConnectionSummary,
  CreateConnectionBody,
  EditConnectionBody,
  HistoryEntry,
  PresetView,
};

export const PUBLICATION_STATUSES = [
  'PENDING',
  'SENDING',
  'DELIVERED',
  'RETRYING',
  'FAILED',
] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];

/** One outbound OSCP message of a connection (the outbox row, as the publications API lists it). */
export interface Publication {
  id: string;
  kind: string;
  requestId: string;
  correlationId: string | null;
  status: PublicationStatus;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  lastHttpStatus: number | null;
  lastUrl: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
}

export interface TimelineItem {
  position: number;
  type: string;
  at: string;
  data: Record<string, unknown>;
}

export interface ForecastBlockView {
  type: string;
  start: string;
  end: string;
  limit: { value: number; unit: string };
  wire: { capacity?: number; unit?: string; phase?: string };
  requestId: string;
}

export interface ControlView {
  mode: 'NORMAL' | 'FALLBACK_OFFLINE' | 'FALLBACK_GAP' | 'GAP_POLICY' | 'LOCAL';
  fallback: boolean;
  reason: string;
  modeSince: string | null;
  envelopeId: string | null;
  disconnectedAt: string | null;
  incidentId: string | null;
  lastForecast: {
    requestId: string;
    type: string;
    at: string;
    outcome: 'ACCEPTED' | 'REJECTED';
    reason: string | null;
    blocks: {
      capacity: number;
      unit: string;
      phase: string;
      start_time: string;
      end_time: string;
    }[];
  } | null;
  blocks: {
    primary: ForecastBlockView[];
    fallback: ForecastBlockView[];
    optimum: ForecastBlockView[];
    generation: ForecastBlockView[];
  };
}

/** A stored secret: its name and who set it when; the value is write-only and never returned. */
export interface SecretView {
  name: string;
  set: boolean;
  updatedAt: string;
  updatedBy: string | null;
}

export interface OscpInfo {
  baseUrl: string;
  tokenUrl: string;
  versions: string[];
}

export interface IssuedOAuthClient {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

/** The 409 a binding conflict carries: which enabled connection holds the group id or scope. */
export interface BindingHolder {
  id: string;
  displayName: string;
  groupId: string;
}

export function bindingHolderOf(error: unknown): BindingHolder | undefined {
  if (!(error instanceof ApiError) || error.status !== 409) return undefined;
  const holder = error.problem.holder as Partial<BindingHolder> | undefined;
  return holder && typeof holder.id === 'string' && typeof holder.displayName === 'string'
    ? { id: holder.id, displayName: holder.displayName, groupId: String(holder.groupId ?? '') }
    : undefined;
}

export const oscpKeys = {
  all: ['oscp'] as const,
  list: ['oscp', 'connections'] as const,
  detail: (id: string) => ['oscp', 'connection', id] as const,
  history: (id: string) => ['oscp', 'connection', id, 'history'] as const,
  publications: (id: string, q: string) => ['oscp', 'connection', id, 'publications', q] as const,
  timeline: (id: string, q: string) => ['oscp', 'connection', id, 'timeline', q] as const,
  control: (id: string) => ['oscp', 'connection', id, 'control'] as const,
  presets: ['oscp', 'presets'] as const,
  info: ['oscp', 'info'] as const,
  secrets: ['secrets'] as const,
  notifications: (q: string) => ['notifications', q] as const,
  incidents: (q: string) => ['incidents', q] as const,
};

const base = (id: string) => `/api/oscp-connections/${id}`;

/** A message an operator sent the peer: find it under Publications by its request id. */
export interface SentToPeer {
  requestId: string;
  correlationId: string | null;
}

export const oscpApi = {
  create: (body: CreateConnectionBody) =>
    api<ConnectionDetail>('/api/oscp-connections', { method: 'POST', body }),
  edit: (id: string, body: EditConnectionBody) =>
    api<ConnectionDetail>(base(id), { method: 'PATCH', body }),
  enable: (id: string) => api<ConnectionDetail>(`${base(id)}/enable`, { method: 'POST' }),
  disable: (id: string) => api<ConnectionDetail>(`${base(id)}/disable`, { method: 'POST' }),
  disconnect: (id: string) => api<ConnectionDetail>(`${base(id)}/disconnect`, { method: 'POST' }),
  retry: (id: string) =>
    api<ConnectionDetail>(`${base(id)}/retry-registration`, { method: 'POST' }),
  retryHandshake: (id: string) =>
    api<ConnectionDetail>(`${base(id)}/retry-handshake`, { method: 'POST' }),
  requestAdjustment: (
    id: string,
    body: {
      type: string;
      blocks: { start: string; end: string; capacity: number; unit: string; phase: string }[];
    },
  ) => api<SentToPeer>(`${base(id)}/adjustment-requests`, { method: 'POST', body }),
  reportComplianceError: (id: string, body: { message: string; forecastRequestId?: string }) =>
    api<SentToPeer>(`${base(id)}/compliance-errors`, { method: 'POST', body }),
  initialToken: (id: string) =>
    api<{ token: string }>(`${base(id)}/initial-token`, { method: 'POST' }),
  oauthClient: (id: string) =>
    api<IssuedOAuthClient>(`${base(id)}/oauth-client`, { method: 'POST' }),
  putSecret: (name: string, value: string) =>
    api<void>(`/api/secrets/${encodeURIComponent(name)}`, { method: 'PUT', body: { value } }),
  deleteSecret: (name: string) =>
    api<void>(`/api/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' }),
  acknowledge: (id: string) =>
    api<void>(`/api/notifications/${id}/acknowledge`, { method: 'POST' }),
};

export function useConnections() {
  return useQuery({
    queryKey: oscpKeys.list,
    queryFn: ({ signal }) =>
      get<{ connections: ConnectionSummary[] }>('/api/oscp-connections', signal),
    refetchInterval: LIVE_MS,
  });
}

/**
 * One connection, polled while `live`. Not live, it is the edit form's starting point: read once,
 * not refetched when the window regains focus, so a refresh never interferes with unsaved edits.
 */
export function useConnection(id: string, { live = true, enabled = true } = {}) {
  return useQuery({
    queryKey: oscpKeys.detail(id),
    queryFn: ({ signal }) => get<ConnectionDetail>(base(id), signal),
    refetchInterval: live ? LIVE_MS : false,
    refetchOnWindowFocus: live,
    enabled,
  });
}

export function useHistory(id: string) {
  return useQuery({
    queryKey: oscpKeys.history(id),
    queryFn: ({ signal }) => get<{ history: HistoryEntry[] }>(`${base(id)}/history`, signal),
    refetchInterval: LIVE_MS,
  });
}

export function usePublications(id: string, query: string) {
  return useQuery({
    queryKey: oscpKeys.publications(id, query),
    queryFn: ({ signal }) =>
      get<{ items: Publication[]; total: number }>(`${base(id)}/publications?${query}`, signal),
    refetchInterval: LIVE_MS,
    // Paging and filtering keep the previous page on screen until the next one arrives.
    placeholderData: keepPreviousData,
  });
}

export function useTimeline(id: string, query: string) {
  return useQuery({
    queryKey: oscpKeys.timeline(id, query),
    queryFn: ({ signal }) =>
      get<{ items: TimelineItem[]; total: number }>(`${base(id)}/timeline?${query}`, signal),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
}

export function useControl(id: string) {
  return useQuery({
    queryKey: oscpKeys.control(id),
    queryFn: ({ signal }) => get<ControlView>(`${base(id)}/control`, signal),
    refetchInterval: LIVE_MS,
  });
}

export function usePresets() {
  return useQuery({
    queryKey: oscpKeys.presets,
    queryFn: ({ signal }) => get<{ presets: PresetView[] }>('/api/oscp-presets', signal),
  });
}

export function useOscpInfo() {
  return useQuery({
    queryKey: oscpKeys.info,
    queryFn: ({ signal }) => get<OscpInfo>('/api/oscp-info', signal),
  });
}

export function useSecrets(enabled: boolean) {
  return useQuery({
    queryKey: oscpKeys.secrets,
    queryFn: ({ signal }) => get<{ secrets: SecretView[] }>('/api/secrets', signal),
    enabled,
  });
}

export interface NotificationView {
  id: string;
  kind: string;
  severity: 'INFO' | 'WARNING' | 'ALARM';
  title: string;
  message: string;
  context: Record<string, unknown>;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface IncidentView {
  id: string;
  kind: string;
  status: 'OPEN' | 'RESOLVED';
  title: string;
  context: Record<string, unknown>;
  openedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

export function useNotifications(query: string, refetchInterval = LIVE_MS) {
  return useQuery({
    queryKey: oscpKeys.notifications(query),
    queryFn: ({ signal }) =>
      get<{ items: NotificationView[]; total: number; unacknowledged: number }>(
        `/api/notifications?${query}`,
        signal,
      ),
    refetchInterval,
  });
}

/** The unacknowledged count for the navigation, polled gently: it is on every page. */
export function useUnacknowledgedCount(): number | undefined {
  return useNotifications('unacknowledged=true&limit=1', 15_000).data?.unacknowledged;
}

export function useIncidents(query: string) {
  return useQuery({
    queryKey: oscpKeys.incidents(query),
    queryFn: ({ signal }) =>
      get<{ items: IncidentView[]; total: number }>(`/api/incidents?${query}`, signal),
    refetchInterval: LIVE_MS,
  });
}
