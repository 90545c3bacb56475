import { useQuery } from '@tanstack/react-query';
import {
  depotKeys,
  fetchCapacityHistory,
  fetchCircuit,
  fetchCircuitBreaches,
  fetchCircuitEnvelopes,
  fetchMicrogrids,
} from './microgrid';

/** Live views poll every 2 s (the console's freshness budget). */
export const LIVE_MS = 2000;

export function useMicrogrids(live = true) {
  return useQuery({
    queryKey: depotKeys.microgrids,
    queryFn: ({ signal }) => fetchMicrogrids(signal),
    refetchInterval: live ? LIVE_MS : false,
  });
}

export function useCircuit(id: string, live = true) {
  return useQuery({
    queryKey: depotKeys.circuit(id),
    queryFn: ({ signal }) => fetchCircuit(id, signal),
    refetchInterval: live ? LIVE_MS : false,
  });
}

export function useCapacityHistory(id: string, hours = 24) {
  return useQuery({
    queryKey: depotKeys.history(id, hours),
    queryFn: ({ signal }) => fetchCapacityHistory(id, hours, signal),
    refetchInterval: LIVE_MS,
  });
}

export function useCircuitEnvelopes(id: string) {
  return useQuery({
    queryKey: depotKeys.circuitEnvelopes(id),
    queryFn: ({ signal }) => fetchCircuitEnvelopes(id, 'open', signal),
    refetchInterval: LIVE_MS,
  });
}

export function useCircuitBreaches(id: string) {
  return useQuery({
    queryKey: depotKeys.breaches(id),
    queryFn: ({ signal }) => fetchCircuitBreaches(id, signal),
    refetchInterval: LIVE_MS,
  });
}
