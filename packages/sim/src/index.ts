export {
  DepotSimulator,
  startDepotSimulator,
  type DepotSimulatorOptions,
} from './depot/depot-simulator';
export {
  OcppDepotSimulator,
  type ChargePointState,
  type OcppDepotSimulatorOptions,
  type SimulatedChargerSpec,
} from './depot/ocpp/ocpp-depot-simulator';
export {
  SimulatedChargePoint,
  CHARGER_BEHAVIOURS,
  type ArrivingVehicle,
  type ChargerBehaviour,
} from './depot/ocpp/charge-point';
export { CapacityProviderSimulator, type HeartbeatOptions } from './cp/simulator';
export {
  rollingForecast,
  zeroProtectiveForecast,
  alignDown,
  type RollingForecastOptions,
} from './cp/forecasts';
export { SimError } from './cp/errors';
export { INBOUND_ENDPOINTS, OSCP_PREFIX, type InboundEndpoint } from './cp/inbound';
export { OAUTH_FAULT_ENDPOINT, type ActiveFault } from './cp/faults';
export type { PeerSnapshot, RegistrationStatus, HandshakeStatus, OutcomeSummary } from './cp/peer';
export type { MeasurementRule, MeasurementViolation } from './cp/measurements';
export type {
  BehaviourSwitches,
  CapacityProviderSimulatorOptions,
  FaultSpec,
  ForecastBlockInput,
  ForecastInput,
  ForecastScheduleOptions,
  HandshakeOptions,
  InboundRecord,
  MessageFilter,
  OAuthPeerSettings,
  OutboundRecord,
  PeerConfig,
  PeerMode,
  SimClock,
  SimLogger,
  StartOptions,
} from './cp/types';
