import type { MessageKind } from '@openvelope/oscp';

/** Every kind of OSCP message we send a peer: what a connection's publications can hold. */
export const OUTBOUND_KINDS = [
  'Register',
  'Handshake',
  'HandshakeAcknowledge',
  'Heartbeat',
  'UpdateGroupMeasurements',
  'UpdateAssetMeasurements',
  'AdjustGroupCapacityForecast',
  'GroupCapacityComplianceError',
] as const satisfies readonly MessageKind[];
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];
