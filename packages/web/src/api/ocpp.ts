import { useQuery } from '@tanstack/react-query';
import type {
  ChargePointView,
  CircuitChargePoints,
  IdTagPolicyView,
  MessageLog,
  NewPassword,
  OcppInfo,
} from '@openvelope/server/ocpp-contract';
import { api, del, get, post } from './client';
import { LIVE_MS } from './queries';

export type { ChargePointView, IdTagPolicyView, MessageLog, NewPassword, OcppInfo };

export const ocppKeys = {
  all: ['ocpp'] as const,
  info: ['ocpp', 'info'] as const,
  circuit: (id: string) => ['ocpp', 'circuit', id] as const,
  charger: (id: string) => ['ocpp', 'charger', id] as const,
  log: (id: string) => ['ocpp', 'charger', id, 'log'] as const,
  idTags: (microgridId: string) => ['ocpp', 'id-tags', microgridId] as const,
};

export const ocppApi = {
  info: (signal?: AbortSignal) => get<OcppInfo>('/api/ocpp-info', signal),
  circuit: (id: string, signal?: AbortSignal) =>
    get<CircuitChargePoints>(`/api/circuits/${id}/ocpp`, signal),
  charger: (id: string, signal?: AbortSignal) =>
    get<ChargePointView>(`/api/chargers/${id}/ocpp`, signal),
  log: (id: string, signal?: AbortSignal) =>
    get<MessageLog>(`/api/chargers/${id}/ocpp/log?limit=50`, signal),
  assign: (id: string, body: { chargePointId: string; connectorIds: number[] }) =>
    api<ChargePointView>(`/api/chargers/${id}/ocpp`, { method: 'PUT', body }),
  remove: (id: string) => del(`/api/chargers/${id}/ocpp`),
  newPassword: (id: string) => post<NewPassword>(`/api/chargers/${id}/ocpp/password`),
  idTags: (microgridId: string, signal?: AbortSignal) =>
    get<IdTagPolicyView>(`/api/microgrids/${microgridId}/ocpp-id-tags`, signal),
  setIdTags: (microgridId: string, body: IdTagPolicyView) =>
    api<IdTagPolicyView>(`/api/microgrids/${microgridId}/ocpp-id-tags`, { method: 'PUT', body }),
};

export function useOcppInfo() {
  return useQuery({ queryKey: ocppKeys.info, queryFn: ({ signal }) => ocppApi.info(signal) });
}

export function useCircuitChargePoints(circuitId: string) {
  return useQuery({
    queryKey: ocppKeys.circuit(circuitId),
    queryFn: ({ signal }) => ocppApi.circuit(circuitId, signal),
    refetchInterval: LIVE_MS,
  });
}

export function useOcppLog(chargerId: string, live: boolean) {
  return useQuery({
    queryKey: ocppKeys.log(chargerId),
    queryFn: ({ signal }) => ocppApi.log(chargerId, signal),
    refetchInterval: live ? LIVE_MS : false,
  });
}
