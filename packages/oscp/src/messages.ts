import { z } from 'zod';
import { MAX_TEXT_LENGTH, MAX_TOKEN_LENGTH, wireText } from './bounds';
import { capacityForecastTypeSchema } from './enums';
import { wireTimestampSchema } from './time';
import {
  assetMeasurementSchema,
  energyMeasurementSchema,
  forecastedBlockSchema,
  identifierSchema,
  requiredBehaviourSchema,
  versionUrlSchema,
} from './types';

/** Registration: the token the receiver must use when calling the sender, and where to call it. */
export const registerSchema = z.strictObject({
  token: wireText.min(1).max(MAX_TOKEN_LENGTH),
  version_url: z.array(versionUrlSchema).min(1),
});
export type Register = z.infer<typeof registerSchema>;

/**
 * Required here although the transcribed schema makes it optional: stating requirements is the
 * point of a handshake, and the reference CP simulator and the ELMO deployment both require it.
 */
export const handshakeSchema = z.strictObject({
  required_behaviour: requiredBehaviourSchema,
});
export type Handshake = z.infer<typeof handshakeSchema>;

/** Optional behaviour: real peers acknowledge with `{}`. */
export const handshakeAcknowledgeSchema = z.strictObject({
  required_behaviour: requiredBehaviourSchema.optional(),
});
export type HandshakeAcknowledge = z.infer<typeof handshakeAcknowledgeSchema>;

export const heartbeatSchema = z.strictObject({
  /** After this instant, without a newer heartbeat, the receiver may treat the sender as offline. */
  offline_mode_at: wireTimestampSchema,
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

const groupCapacityForecastShape = {
  group_id: identifierSchema,
  type: capacityForecastTypeSchema,
  forecasted_blocks: z.array(forecastedBlockSchema).min(1),
};

export const updateGroupCapacityForecastSchema = z.strictObject(groupCapacityForecastShape);
export type UpdateGroupCapacityForecast = z.infer<typeof updateGroupCapacityForecastSchema>;

/** Same shape as the update; the CP answers (if at all) with a later UpdateGroupCapacityForecast. */
export const adjustGroupCapacityForecastSchema = z.strictObject(groupCapacityForecastShape);
export type AdjustGroupCapacityForecast = z.infer<typeof adjustGroupCapacityForecastSchema>;

export const groupCapacityComplianceErrorSchema = z.strictObject({
  message: wireText.max(MAX_TEXT_LENGTH),
  /** The periods that cannot be met; when present it lists at least one. */
  forecasted_blocks: z.array(forecastedBlockSchema).min(1).optional(),
});
export type GroupCapacityComplianceError = z.infer<typeof groupCapacityComplianceErrorSchema>;

/**
 * At least one measurement, as in the transcribed schema: a strict CP rejects an empty list, so a
 * sender with nothing to report sends zero-valued readings or skips the message.
 */
export const updateGroupMeasurementsSchema = z.strictObject({
  group_id: identifierSchema,
  measurements: z.array(energyMeasurementSchema).min(1),
});
export type UpdateGroupMeasurements = z.infer<typeof updateGroupMeasurementsSchema>;

export const updateAssetMeasurementsSchema = z.strictObject({
  group_id: identifierSchema,
  measurements: z.array(assetMeasurementSchema).min(1),
});
export type UpdateAssetMeasurements = z.infer<typeof updateAssetMeasurementsSchema>;
