// @openvelope/oscp: OSCP 2.0 wire types, validation, headers and an HTTP client. No I/O besides
// the client's fetch; no database, no server.
export * from './enums';
export {
  INSTANT_WINDOW_YEARS,
  fromWireTime,
  parsingAt,
  toWireTime,
  wireTimestampSchema,
} from './time';
export * from './bounds';
export type { WireTimestamp } from './time';
export {
  assetMeasurementSchema,
  energyMeasurementSchema,
  errorBodySchema,
  forecastedBlockSchema,
  instantaneousMeasurementSchema,
  requiredBehaviourSchema,
  versionUrlSchema,
} from './types';
export type {
  AssetMeasurement,
  EnergyMeasurement,
  ErrorBody,
  ForecastedBlock,
  InstantaneousMeasurement,
  RequiredBehaviour,
  VersionUrl,
} from './types';
export * from './messages';
export {
  ENDPOINT_ALIASES,
  MESSAGE_KINDS,
  OSCP_MESSAGES,
  endpointUrl,
  kindForEndpoint,
} from './endpoints';
export type { Endpoint, MessageBody, MessageKind, OscpMessage } from './endpoints';
export { formatIssues, formatPath, parseMessage, parseWire } from './parse';
export type { ParseOptions, ParseResult } from './parse';
export * from './headers';
export { createOscpClient } from './client';
export type {
  DeliveredOutcome,
  FailedOutcome,
  FailureReason,
  InvalidOutcome,
  OscpClient,
  OscpClientOptions,
  OscpPeer,
  RejectedOutcome,
  SendOptions,
  SendOutcome,
} from './client';
