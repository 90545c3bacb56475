// Test support only (`@openvelope/oscp/arbitraries`, imported by tests, never by products):
// fast-check arbitraries that produce VALID OSCP 2.0 messages of every kind, as JSON-safe plain data.
import fc from 'fast-check';
import {
  ASSET_CATEGORIES,
  CAPACITY_FORECAST_TYPES,
  ENERGY_FLOW_DIRECTIONS,
  ENERGY_MEASUREMENT_UNITS,
  ENERGY_TYPES,
  FORECASTED_BLOCK_UNITS,
  INSTANTANEOUS_MEASUREMENT_UNITS,
  MEASUREMENT_CONFIGURATIONS,
  PHASE_INDICATORS,
} from './enums';
import type { MessageBody, MessageKind } from './endpoints';
import type {
  AssetMeasurement,
  EnergyMeasurement,
  ForecastedBlock,
  InstantaneousMeasurement,
  RequiredBehaviour,
} from './types';

const MINUTE = 60_000;

/** Ordinary objects, as JSON.parse would produce; fast-check otherwise mixes in null prototypes. */
const plain = { noNullPrototype: true } as const;

const instantArb = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});

/** Real-world offsets: -12:00 … +14:00 in quarter hours; 0 is written `Z` or `+00:00`. */
const offsetArb = fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15);

/** Formats an instant with the given offset, with or without milliseconds. */
export function formatWithOffset(date: Date, offsetMinutes: number, millis = true): string {
  const shifted = new Date(date.getTime() + offsetMinutes * MINUTE).toISOString();
  const local = millis ? shifted.slice(0, -1) : shifted.slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

/** A timestamp for a given instant, written the various legal ways peers write it. */
function writtenAs(date: Date): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof(fc.constant(0), offsetArb), fc.boolean(), fc.boolean())
    .map(([offset, millis, plusZero]) =>
      offset === 0 && plusZero
        ? formatWithOffset(date, 0, millis).replace(/Z$/, '+00:00')
        : formatWithOffset(date, offset, millis),
    );
}

/** Instants on whole seconds so that dropping milliseconds never reorders two timestamps. */
const wholeSecondArb = instantArb.map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000));

const timestampArb = wholeSecondArb.chain(writtenAs);

/** Two timestamps at least a minute apart, earliest first. */
const intervalArb = fc
  .tuple(wholeSecondArb, fc.integer({ min: 1, max: 7 * 24 * 60 }))
  .chain(([start, minutes]) =>
    fc.tuple(writtenAs(start), writtenAs(new Date(start.getTime() + minutes * MINUTE))),
  );

const idArb = fc.string({ minLength: 1, maxLength: 24 });
/** Within the lowest unit ceiling (amperes), so any unit may carry it. */
const quantityArb = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }),
  fc.double({ min: 0, max: 100_000, noNaN: true }),
);
const signedArb = fc.oneof(
  fc.integer({ min: -10_000_000, max: 10_000_000 }),
  fc.double({ min: -1e12, max: 1e12, noNaN: true }),
);

export const forecastedBlockArb: fc.Arbitrary<ForecastedBlock> = fc
  .tuple(
    quantityArb,
    fc.constantFrom(...PHASE_INDICATORS),
    fc.constantFrom(...FORECASTED_BLOCK_UNITS),
    intervalArb,
  )
  .map(([capacity, phase, unit, [start_time, end_time]]) => ({
    capacity,
    phase,
    unit,
    start_time,
    end_time,
  }));

export const energyMeasurementArb: fc.Arbitrary<EnergyMeasurement> = fc
  .record(
    {
      value: signedArb,
      phase: fc.constantFrom(...PHASE_INDICATORS),
      unit: fc.constantFrom(...ENERGY_MEASUREMENT_UNITS),
      direction: fc.constantFrom(...ENERGY_FLOW_DIRECTIONS),
      energy_type: fc.constantFrom(...ENERGY_TYPES),
      times: intervalArb,
      withInitial: fc.boolean(),
    },
    {
      noNullPrototype: true,
      requiredKeys: ['value', 'phase', 'unit', 'direction', 'times', 'withInitial'],
    },
  )
  .map(({ times: [initial, measured], withInitial, ...rest }) => ({
    ...rest,
    measure_time: measured,
    ...(withInitial ? { initial_measure_time: initial } : {}),
  }));

export const instantaneousMeasurementArb: fc.Arbitrary<InstantaneousMeasurement> = fc.record(
  {
    value: signedArb,
    phase: fc.constantFrom(...PHASE_INDICATORS),
    unit: fc.constantFrom(...INSTANTANEOUS_MEASUREMENT_UNITS),
    measure_time: timestampArb,
  },
  plain,
);

export const assetMeasurementArb: fc.Arbitrary<AssetMeasurement> = fc.oneof(
  fc.record(
    {
      asset_id: idArb,
      asset_category: fc.constantFrom(...ASSET_CATEGORIES),
      energy_measurement: energyMeasurementArb,
      instantaneous_measurement: instantaneousMeasurementArb,
    },
    { noNullPrototype: true, requiredKeys: ['asset_id', 'asset_category', 'energy_measurement'] },
  ),
  fc.record(
    {
      asset_id: idArb,
      asset_category: fc.constantFrom(...ASSET_CATEGORIES),
      instantaneous_measurement: instantaneousMeasurementArb,
    },
    {
      noNullPrototype: true,
      requiredKeys: ['asset_id', 'asset_category', 'instantaneous_measurement'],
    },
  ),
);

export const requiredBehaviourArb: fc.Arbitrary<RequiredBehaviour> = fc.record(
  {
    heartbeat_interval: fc.oneof(
      fc.integer({ min: 1, max: 86_400 }),
      fc.double({ min: 1, max: 86_400, noNaN: true }),
    ),
    measurement_configuration: fc.shuffledSubarray([...MEASUREMENT_CONFIGURATIONS]),
  },
  { noNullPrototype: true, requiredKeys: ['measurement_configuration'] },
);

const blocksArb = fc.array(forecastedBlockArb, { minLength: 1, maxLength: 6 });

const groupForecastArb = fc.record(
  {
    group_id: idArb,
    type: fc.constantFrom(...CAPACITY_FORECAST_TYPES),
    forecasted_blocks: blocksArb,
  },
  plain,
);

export const messageBodyArbs: { [K in MessageKind]: fc.Arbitrary<MessageBody<K>> } = {
  Register: fc.record(
    {
      token: fc.string({ minLength: 1, maxLength: 64 }),
      version_url: fc.array(
        fc.record(
          {
            version: fc.oneof(fc.constant('2.0'), idArb),
            base_url: fc.webUrl({ validSchemes: ['http', 'https'] }),
          },
          plain,
        ),
        { minLength: 1, maxLength: 3 },
      ),
    },
    plain,
  ),
  Handshake: fc.record({ required_behaviour: requiredBehaviourArb }, plain),
  HandshakeAcknowledge: fc.record(
    { required_behaviour: requiredBehaviourArb },
    { noNullPrototype: true, requiredKeys: [] },
  ),
  Heartbeat: fc.record({ offline_mode_at: timestampArb }, plain),
  UpdateGroupCapacityForecast: groupForecastArb,
  AdjustGroupCapacityForecast: groupForecastArb,
  GroupCapacityComplianceError: fc.record(
    { message: fc.string({ maxLength: 80 }), forecasted_blocks: blocksArb },
    { noNullPrototype: true, requiredKeys: ['message'] },
  ),
  UpdateGroupMeasurements: fc.record(
    {
      group_id: idArb,
      measurements: fc.array(energyMeasurementArb, { minLength: 1, maxLength: 5 }),
    },
    plain,
  ),
  UpdateAssetMeasurements: fc.record(
    {
      group_id: idArb,
      measurements: fc.array(assetMeasurementArb, { minLength: 1, maxLength: 5 }),
    },
    plain,
  ),
};
