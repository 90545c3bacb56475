import { api, del, get, patch, post } from './client';
import type {
  BreachSettingsBody,
  CapacityHistory,
  CircuitBreaches,
  CircuitDetail,
  CreateChargerBody,
  CreateCircuitBody,
  CreatedId,
  CreateMicrogridBody,
  CreateScopeBody,
  EnvelopeList,
  EnvelopeView,
  MicrogridList,
  MicrogridView,
  StartSessionBody,
  SubmitEnvelopeBody,
  UpdateChargerBody,
  UpdateCircuitBody,
  UpdateMicrogridBody,
  UpdateScopeBody,
} from './types';

/** Query keys: invalidating a prefix refreshes everything below it. */
export const depotKeys = {
  all: ['depot'] as const,
  microgrids: ['depot', 'microgrids'] as const,
  circuit: (id: string) => ['depot', 'circuit', id] as const,
  history: (id: string, hours: number) => ['depot', 'circuit', id, 'history', hours] as const,
  circuitEnvelopes: (id: string) => ['depot', 'circuit', id, 'envelopes'] as const,
  breaches: (id: string) => ['depot', 'circuit', id, 'breaches'] as const,
};

// Reads
export const fetchMicrogrids = (signal?: AbortSignal) =>
  get<MicrogridList>('/api/microgrids', signal);
export const fetchCircuit = (id: string, signal?: AbortSignal) =>
  get<CircuitDetail>(`/api/circuits/${id}`, signal);
export const fetchCapacityHistory = (id: string, hours: number, signal?: AbortSignal) =>
  get<CapacityHistory>(`/api/circuits/${id}/capacity-history?hours=${hours}`, signal);
export const fetchCircuitEnvelopes = (
  id: string,
  status: 'open' | 'all' = 'open',
  signal?: AbortSignal,
) => get<EnvelopeList>(`/api/circuits/${id}/envelopes?status=${status}`, signal);

export const fetchCircuitBreaches = (id: string, signal?: AbortSignal) =>
  get<CircuitBreaches>(`/api/circuits/${id}/breaches`, signal);

// Breach detection
export const putBreachSettings = (id: string, body: BreachSettingsBody) =>
  api<CircuitBreaches>(`/api/circuits/${id}/breach-settings`, { method: 'PUT', body });

// Envelopes and balancing
export const submitEnvelope = (scopeId: string, body: SubmitEnvelopeBody) =>
  post<EnvelopeView>(`/api/scopes/${scopeId}/envelopes`, body);
export const withdrawEnvelope = (id: string) => post<EnvelopeView>(`/api/envelopes/${id}/withdraw`);
export const rebalanceCircuit = (id: string) =>
  post<CircuitDetail>(`/api/circuits/${id}/rebalance`);

// Sessions
export const startSession = (chargerId: string, body: StartSessionBody) =>
  post<CreatedId>(`/api/chargers/${chargerId}/sessions`, body);
export const stopSession = (sessionId: string) => post<void>(`/api/sessions/${sessionId}/stop`);

// Depot model
export const createMicrogrid = (body: CreateMicrogridBody) =>
  post<MicrogridView>('/api/microgrids', body);
export const updateMicrogrid = (id: string, body: UpdateMicrogridBody) =>
  patch<MicrogridView>(`/api/microgrids/${id}`, body);
export const deleteMicrogrid = (id: string) => del(`/api/microgrids/${id}`);

export const createCircuit = (microgridId: string, body: CreateCircuitBody) =>
  post<CircuitDetail>(`/api/microgrids/${microgridId}/circuits`, body);
export const updateCircuit = (id: string, body: UpdateCircuitBody) =>
  patch<CircuitDetail>(`/api/circuits/${id}`, body);
export const deleteCircuit = (id: string) => del(`/api/circuits/${id}`);

export const createScope = (microgridId: string, body: CreateScopeBody) =>
  post<CreatedId>(`/api/microgrids/${microgridId}/scopes`, body);
export const updateScope = (id: string, body: UpdateScopeBody) =>
  patch<void>(`/api/scopes/${id}`, body);
export const deleteScope = (id: string) => del(`/api/scopes/${id}`);

export const createCharger = (circuitId: string, body: CreateChargerBody) =>
  post<CreatedId>(`/api/circuits/${circuitId}/chargers`, body);
export const updateCharger = (id: string, body: UpdateChargerBody) =>
  patch<void>(`/api/chargers/${id}`, body);
export const deleteCharger = (id: string) => del(`/api/chargers/${id}`);
