/** Shapes the console reads and sends. The microgrid ones come straight from the server's contract. */
export type {
  BindingView,
  CapacityHistory,
  CapacitySourceView,
  ChargerView,
  CircuitDetail,
  CircuitSummary,
  EnvelopeList,
  EnvelopeView,
  MicrogridList,
  MicrogridSummary,
  ScopeSummary,
  SubmitEnvelopeBody,
} from '@openvelope/server/contract';

export const ROLES = ['VIEWER', 'OPERATOR', 'MANAGER', 'SYSTEM_ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export type Phase = 'L1' | 'L2' | 'L3';
export const PHASES: readonly Phase[] = ['L1', 'L2', 'L3'];

export interface SessionUser {
  id: string;
  username: string;
  role: Role;
}

export interface UserView extends SessionUser {
  disabled: boolean;
  createdAt: string;
}

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

export interface CreatedApiToken extends ApiTokenView {
  token: string;
}

// Depot model requests (mirror the server's create/update bodies).
export interface MicrogridBody {
  name: string;
  timezone: string;
}
export interface CircuitCreateBody {
  name: string;
  phaseCount: 1 | 3;
  nominalVoltageV: number;
  staticCapacityA: number;
}
export type CircuitUpdateBody = Partial<Omit<CircuitCreateBody, 'phaseCount'>>;
export interface ScopeBody {
  name: string;
  circuitIds: string[];
}
export interface ChargerCreateBody {
  name: string;
  phases: Phase[];
  minCurrentA: number;
  maxCurrentA: number;
  priority: number;
}
export type ChargerUpdateBody = Partial<Omit<ChargerCreateBody, 'phases'>>;
export interface StartSessionBody {
  vehicleLabel?: string;
  vehicleMaxCurrentA?: number;
}
