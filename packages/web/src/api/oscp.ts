import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, ApiError, get } from './client';
import { LIVE_MS } from './queries';
import type {
  AdjustmentRequestBody,
  BreachReportView,
  ComplianceErrorBody,
  ConnectionDetail,
  ConnectionName,
  ConnectionSummary,
  ControlView,
  CreateConnectionBody,
  EditConnectionBody,
  HistoryEntry,
  IssuedOAuthClient,
  MeasurementList,
  OperatorMessageOffers,
  OscpInfo,
  Page,
  PresetView,
  Publication,
  RefusalList,
  ReregisterBody,
  Reregistered,
  SecretView,
  SentToPeer,
  TimelineItem,
} from './types';

/** The statuses an outbound message passes through, and every kind we send (the filters offer each). */
export {
  OUTBOUND_KINDS,
  OUTBOUND_STATUSES as PUBLICATION_STATUSES,
} from '@openvelope/server/oscp-contract';

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
  list: (q: string) => ['oscp', 'connections', q] as const,
  names: ['oscp', 'connection-names'] as const,
  refusals: (q: string) => ['oscp', 'refusals', q] as const,
  detail: (id: string) => ['oscp', 'connection', id] as const,
  history: (id: string) => ['oscp', 'connection', id, 'history'] as const,
  publications: (id: string, q: string) => ['oscp', 'connection', id, 'publications', q] as const,
  measurements: (id: string, q: string) => ['oscp', 'connection', id, 'measurements', q] as const,
  timeline: (id: string, q: string) => ['oscp', 'connection', id, 'timeline', q] as const,
  control: (id: string) => ['oscp', 'connection', id, 'control'] as const,
  offers: (id: string) => ['oscp', 'connection', id, 'operator-messages'] as const,
  breachReports: (id: string) => ['oscp', 'connection', id, 'breach-reports'] as const,
  circuitBreachReports: (circuitId: string) => ['oscp', 'breach-reports', circuitId] as const,
  presets: ['oscp', 'presets'] as const,
  info: ['oscp', 'info'] as const,
  secrets: ['secrets'] as const,
};

const base = (id: string) => `/api/oscp-connections/${id}`;

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
  reregister: (id: string, body: ReregisterBody) =>
    api<Reregistered>(`${base(id)}/re-register`, { method: 'POST', body }),
  remove: (id: string) => api<void>(base(id), { method: 'DELETE' }),
  retryHandshake: (id: string) =>
    api<ConnectionDetail>(`${base(id)}/retry-handshake`, { method: 'POST' }),
  requestAdjustment: (id: string, body: AdjustmentRequestBody) =>
    api<SentToPeer>(`${base(id)}/adjustment-requests`, { method: 'POST', body }),
  reportComplianceError: (id: string, body: ComplianceErrorBody) =>
    api<SentToPeer>(`${base(id)}/compliance-errors`, { method: 'POST', body }),
  initialToken: (id: string) =>
    api<{ token: string }>(`${base(id)}/initial-token`, { method: 'POST' }),
  oauthClient: (id: string) =>
    api<IssuedOAuthClient>(`${base(id)}/oauth-client`, { method: 'POST' }),
  putSecret: (name: string, value: string) =>
    api<void>(`/api/secrets/${encodeURIComponent(name)}`, { method: 'PUT', body: { value } }),
  deleteSecret: (name: string) =>
    api<void>(`/api/secrets/${encodeURIComponent(name)}`, { method: 'DELETE' }),
};

/** One page of the connections by name (`query`: limit, offset, q, include=deleted), polled. */
export function useConnections(query: string) {
  return useQuery({
    queryKey: oscpKeys.list(query),
    queryFn: ({ signal }) =>
      get<{ connections: ConnectionSummary[]; total: number }>(
        `/api/oscp-connections?${query}`,
        signal,
      ),
    select: ({ connections, total }): Page<ConnectionSummary> => ({ items: connections, total }),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
}

/** Every connection's name, deleted ones too: for pickers and labels (names change rarely). */
export function useConnectionNames() {
  return useQuery({
    queryKey: oscpKeys.names,
    queryFn: ({ signal }) =>
      get<{ connections: ConnectionName[] }>('/api/oscp-connection-names', signal),
    staleTime: 30_000,
  });
}

/** A page of the refusal log: refused inbound OSCP calls, newest first (`query` filters and pages). */
export function useRefusals(query: string) {
  return useQuery({
    queryKey: oscpKeys.refusals(query),
    queryFn: ({ signal }) => get<RefusalList>(`/api/oscp-refusals?${query}`, signal),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
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
    queryFn: ({ signal }) => get<Page<Publication>>(`${base(id)}/publications?${query}`, signal),
    refetchInterval: LIVE_MS,
    // Paging and filtering keep the previous page on screen until the next one arrives.
    placeholderData: keepPreviousData,
  });
}

/** The measurement windows published (a page, in a time range), the cadence and the latest one. */
export function useMeasurements(id: string, query: string) {
  return useQuery({
    queryKey: oscpKeys.measurements(id, query),
    queryFn: ({ signal }) => get<MeasurementList>(`${base(id)}/measurements?${query}`, signal),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
}

/** Where the browser downloads a range of measurements as CSV (the session cookie authenticates). */
export function measurementsCsvUrl(id: string, range: { from?: string; to?: string }): string {
  const query = new URLSearchParams(
    Object.entries(range).filter((e): e is [string, string] => Boolean(e[1])),
  ).toString();
  return `${base(id)}/measurements.csv${query ? `?${query}` : ''}`;
}

export function useTimeline(id: string, query: string) {
  return useQuery({
    queryKey: oscpKeys.timeline(id, query),
    queryFn: ({ signal }) => get<Page<TimelineItem>>(`${base(id)}/timeline?${query}`, signal),
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

/** Which operator messages can be sent now, and why not (polled: forecasts come and go). */
export function useOperatorMessageOffers(id: string) {
  return useQuery({
    queryKey: oscpKeys.offers(id),
    queryFn: ({ signal }) => get<OperatorMessageOffers>(`${base(id)}/operator-messages`, signal),
    refetchInterval: LIVE_MS,
  });
}

/** The breaches this connection told its Capacity Provider about. */
export function useBreachReports(id: string) {
  return useQuery({
    queryKey: oscpKeys.breachReports(id),
    queryFn: ({ signal }) =>
      get<{ reports: BreachReportView[] }>(`${base(id)}/breach-reports`, signal),
    refetchInterval: LIVE_MS,
  });
}

/** The breaches on a circuit that were reported, and to which connection. */
export function useCircuitBreachReports(circuitId: string) {
  return useQuery({
    queryKey: oscpKeys.circuitBreachReports(circuitId),
    queryFn: ({ signal }) =>
      get<{ reports: BreachReportView[] }>(
        `/api/oscp-breach-reports?circuitId=${circuitId}`,
        signal,
      ),
    refetchInterval: LIVE_MS,
  });
}
