import { z } from 'zod';

// Value lists are exported on their own so UIs and simulators can offer choices without zod.
// Enums are case-sensitive on the wire: "consumption" is not CONSUMPTION.

/** What a forecast bounds: max import / max export, the same while offline, or an optimum to aim for. */
export const CAPACITY_FORECAST_TYPES = [
  'CONSUMPTION',
  'GENERATION',
  'FALLBACK_CONSUMPTION',
  'FALLBACK_GENERATION',
  'OPTIMUM',
] as const;
export const capacityForecastTypeSchema = z.enum(CAPACITY_FORECAST_TYPES);
export type CapacityForecastType = z.infer<typeof capacityForecastTypeSchema>;

export const PHASE_INDICATORS = ['UNKNOWN', 'ONE', 'TWO', 'THREE', 'ALL'] as const;
export const phaseIndicatorSchema = z.enum(PHASE_INDICATORS);
export type PhaseIndicator = z.infer<typeof phaseIndicatorSchema>;

export const FORECASTED_BLOCK_UNITS = ['A', 'W', 'KW', 'WH', 'KWH'] as const;
export const forecastedBlockUnitSchema = z.enum(FORECASTED_BLOCK_UNITS);
export type ForecastedBlockUnit = z.infer<typeof forecastedBlockUnitSchema>;

export const ENERGY_MEASUREMENT_UNITS = ['WH', 'KWH'] as const;
export const energyMeasurementUnitSchema = z.enum(ENERGY_MEASUREMENT_UNITS);
export type EnergyMeasurementUnit = z.infer<typeof energyMeasurementUnitSchema>;

export const INSTANTANEOUS_MEASUREMENT_UNITS = ['A', 'W', 'KW', 'WH', 'KWH'] as const;
export const instantaneousMeasurementUnitSchema = z.enum(INSTANTANEOUS_MEASUREMENT_UNITS);
export type InstantaneousMeasurementUnit = z.infer<typeof instantaneousMeasurementUnitSchema>;

export const ENERGY_FLOW_DIRECTIONS = ['NET', 'IMPORT', 'EXPORT'] as const;
export const energyFlowDirectionSchema = z.enum(ENERGY_FLOW_DIRECTIONS);
export type EnergyFlowDirection = z.infer<typeof energyFlowDirectionSchema>;

/** An absent `energy_type` means TOTAL. */
export const ENERGY_TYPES = ['FLEXIBLE', 'NONFLEXIBLE', 'TOTAL'] as const;
export const energyTypeSchema = z.enum(ENERGY_TYPES);
export type EnergyType = z.infer<typeof energyTypeSchema>;

/** CONTINUOUS: the meter never resets. INTERMITTENT: it restarts at events (e.g. each EV session). */
export const MEASUREMENT_CONFIGURATIONS = ['CONTINUOUS', 'INTERMITTENT'] as const;
export const measurementConfigurationSchema = z.enum(MEASUREMENT_CONFIGURATIONS);
export type MeasurementConfiguration = z.infer<typeof measurementConfigurationSchema>;

export const ASSET_CATEGORIES = ['CHARGING', 'CONSUMPTION', 'GENERATION', 'STORAGE'] as const;
export const assetCategorySchema = z.enum(ASSET_CATEGORIES);
export type AssetCategory = z.infer<typeof assetCategorySchema>;
