import { z } from 'zod';
import {
  assetCategorySchema,
  energyFlowDirectionSchema,
  energyMeasurementUnitSchema,
  energyTypeSchema,
  forecastedBlockUnitSchema,
  instantaneousMeasurementUnitSchema,
  measurementConfigurationSchema,
  phaseIndicatorSchema,
} from './enums';
import { MAX_HEARTBEAT_INTERVAL_S, MAX_IDENTIFIER_LENGTH, UNIT_CEILING, wireText } from './bounds';
import { wireTimestampSchema } from './time';

// Every object is strict: an unknown property is far more often a typo or a wrong message sent to
// the wrong endpoint than a legitimate extension, and silently dropping it would hide that.

/** Identifiers must say something; an empty id cannot be routed or stored, nor a NUL. */
export const identifierSchema = wireText.min(1).max(MAX_IDENTIFIER_LENGTH);

/**
 * Compares two timestamp fields. Object-level checks only run once every field is valid, so both
 * parse; the NaN guard keeps an unparseable value reported on its own field only.
 */
function inOrder(earlier: string, later: string, allowEqual: boolean): boolean {
  const a = Date.parse(earlier);
  const b = Date.parse(later);
  if (Number.isNaN(a) || Number.isNaN(b)) return true;
  return allowEqual ? a <= b : a < b;
}

export const versionUrlSchema = z.strictObject({
  version: identifierSchema,
  /** Absolute API root of that version; peers append `/<endpoint>`. */
  base_url: z.url({ protocol: /^https?$/ }),
});
export type VersionUrl = z.infer<typeof versionUrlSchema>;

/** What the sender of a Handshake (or its acknowledgement) requires from the receiver. */
export const requiredBehaviourSchema = z.strictObject({
  /** Seconds between heartbeats the sender wants; absent = no heartbeats wanted. */
  heartbeat_interval: z.number().min(1).max(MAX_HEARTBEAT_INTERVAL_S).optional(),
  /** May be empty (no configuration required); duplicates are meaningless and rejected. */
  measurement_configuration: z
    .array(measurementConfigurationSchema)
    .refine((list) => new Set(list).size === list.length, { error: 'must not contain duplicates' }),
});
export type RequiredBehaviour = z.infer<typeof requiredBehaviourSchema>;

export const forecastedBlockSchema = z
  .strictObject({
    capacity: z.number().min(0),
    phase: phaseIndicatorSchema,
    unit: forecastedBlockUnitSchema,
    start_time: wireTimestampSchema,
    end_time: wireTimestampSchema,
  })
  // An empty or inverted window cannot be applied to anything.
  .refine((b) => inOrder(b.start_time, b.end_time, false), {
    error: 'must be after start_time',
    path: ['end_time'],
  })
  // No grid group carries more; more would overflow when converted to amperes per phase.
  .superRefine((b, ctx) => {
    const ceiling = UNIT_CEILING[b.unit];
    if (ceiling !== undefined && b.capacity > ceiling)
      ctx.addIssue({
        code: 'custom',
        message: `must be at most ${ceiling} ${b.unit}`,
        path: ['capacity'],
      });
  });
export type ForecastedBlock = z.infer<typeof forecastedBlockSchema>;

/** An accumulating meter reading. */
export const energyMeasurementSchema = z
  .strictObject({
    value: z.number(),
    phase: phaseIndicatorSchema,
    unit: energyMeasurementUnitSchema,
    direction: energyFlowDirectionSchema,
    /** Absent means TOTAL. */
    energy_type: energyTypeSchema.optional(),
    /** When the reading was taken. */
    measure_time: wireTimestampSchema,
    /** When the meter (re)started counting; expected when the receiver asked for INTERMITTENT. */
    initial_measure_time: wireTimestampSchema.optional(),
  })
  .refine(
    (m) =>
      m.initial_measure_time === undefined || inOrder(m.initial_measure_time, m.measure_time, true),
    {
      error: 'must not be after measure_time',
      path: ['initial_measure_time'],
    },
  );
export type EnergyMeasurement = z.infer<typeof energyMeasurementSchema>;

export const instantaneousMeasurementSchema = z.strictObject({
  value: z.number(),
  phase: phaseIndicatorSchema,
  unit: instantaneousMeasurementUnitSchema,
  measure_time: wireTimestampSchema,
});
export type InstantaneousMeasurement = z.infer<typeof instantaneousMeasurementSchema>;

export const assetMeasurementSchema = z
  .strictObject({
    asset_id: identifierSchema,
    asset_category: assetCategorySchema,
    energy_measurement: energyMeasurementSchema.optional(),
    instantaneous_measurement: instantaneousMeasurementSchema.optional(),
  })
  // A reading with neither measurement carries no information.
  .refine((a) => a.energy_measurement !== undefined || a.instantaneous_measurement !== undefined, {
    error: 'must carry energy_measurement, instantaneous_measurement or both',
  });
export type AssetMeasurement = z.infer<typeof assetMeasurementSchema>;

/** Optional JSON body of an OSCP error response. */
export const errorBodySchema = z.strictObject({
  message: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
