import type { z } from 'zod';
import {
  adjustGroupCapacityForecastSchema,
  groupCapacityComplianceErrorSchema,
  handshakeAcknowledgeSchema,
  handshakeSchema,
  heartbeatSchema,
  registerSchema,
  updateAssetMeasurementsSchema,
  updateGroupCapacityForecastSchema,
  updateGroupMeasurementsSchema,
} from './messages';

/**
 * Every OSCP 2.0 message: its endpoint name (the last URL segment after the peer's base URL) and
 * the schema of its JSON body.
 */
export const OSCP_MESSAGES = {
  Register: { endpoint: 'register', schema: registerSchema },
  Handshake: { endpoint: 'handshake', schema: handshakeSchema },
  HandshakeAcknowledge: { endpoint: 'handshake_acknowledge', schema: handshakeAcknowledgeSchema },
  Heartbeat: { endpoint: 'heartbeat', schema: heartbeatSchema },
  UpdateGroupCapacityForecast: {
    endpoint: 'update_group_capacity_forecast',
    schema: updateGroupCapacityForecastSchema,
  },
  AdjustGroupCapacityForecast: {
    endpoint: 'adjust_group_capacity_forecast',
    schema: adjustGroupCapacityForecastSchema,
  },
  GroupCapacityComplianceError: {
    endpoint: 'group_capacity_compliance_error',
    schema: groupCapacityComplianceErrorSchema,
  },
  UpdateGroupMeasurements: {
    endpoint: 'update_group_measurements',
    schema: updateGroupMeasurementsSchema,
  },
  UpdateAssetMeasurements: {
    endpoint: 'update_asset_measurements',
    schema: updateAssetMeasurementsSchema,
  },
} as const satisfies Record<string, { endpoint: string; schema: z.ZodType }>;

export type MessageKind = keyof typeof OSCP_MESSAGES;
export type Endpoint = (typeof OSCP_MESSAGES)[MessageKind]['endpoint'];
export type MessageBody<K extends MessageKind> = z.infer<(typeof OSCP_MESSAGES)[K]['schema']>;

/** A message ready to send: `kind` narrows `body`. */
export type OscpMessage = { [K in MessageKind]: { kind: K; body: MessageBody<K> } }[MessageKind];

export const MESSAGE_KINDS = Object.keys(OSCP_MESSAGES) as readonly MessageKind[];

/**
 * Misspellings of `handshake_acknowledge` used by some implementations (pyoscp, lex-oscp). We never
 * send them; a server may accept them to be liberal in what it receives.
 */
export const ENDPOINT_ALIASES: Readonly<Record<string, MessageKind>> = {
  handshake_acknowledgment: 'HandshakeAcknowledge',
  handshake_acknowledgement: 'HandshakeAcknowledge',
};

// A Map, not an object lookup, so names like "constructor" cannot hit the prototype.
const kindByEndpoint = new Map<string, MessageKind>([
  ...Object.entries(ENDPOINT_ALIASES),
  ...MESSAGE_KINDS.map((kind) => [OSCP_MESSAGES[kind].endpoint, kind] as const),
]);

/** Which message an endpoint name receives, aliases included; undefined for anything else. */
export function kindForEndpoint(endpoint: string): MessageKind | undefined {
  return kindByEndpoint.get(endpoint);
}

/** `baseUrl + '/' + endpoint`, tolerating a trailing slash on the base URL. */
export function endpointUrl(baseUrl: string, kind: MessageKind): string {
  return `${baseUrl.replace(/\/+$/, '')}/${OSCP_MESSAGES[kind].endpoint}`;
}
