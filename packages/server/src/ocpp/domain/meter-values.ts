import type { MeterValue, SampledValue } from './messages';

/** One reading in the microgrid's units, from one OCPP meterValue. */
export interface ChargerReading {
  measuredAt: Date;
  /** The meter's absolute import register, Wh (the session's energy is this minus meterStart). */
  registerWh: number | undefined;
  powerW: number | undefined;
  /** The highest current on any phase, A: what the circuit's breaker sees of this charger. */
  currentA: number | undefined;
}

const ENERGY = 'Energy.Active.Import.Register';
const POWER = 'Power.Active.Import';
const CURRENT = 'Current.Import';

function numberOf(sample: SampledValue): number | undefined {
  // Signed meter data is opaque to us; only raw values are numbers.
  if (sample.format === 'SignedData') return undefined;
  const value = Number(sample.value);
  return Number.isFinite(value) ? value : undefined;
}

function scaled(sample: SampledValue, value: number, base: string): number {
  return sample.unit === `k${base}` ? value * 1000 : value;
}

/**
 * Reads the measurands we use from one meterValue: Energy.Active.Import.Register (Wh or kWh; the
 * default measurand), Power.Active.Import (W or kW) and Current.Import (A, per phase). Anything
 * else is ignored. A value that is not a number leaves that measurand undefined.
 */
export function readMeterValue(meterValue: MeterValue): ChargerReading {
  let registerWh: number | undefined;
  let powerW: number | undefined;
  let currentA: number | undefined;
  let phaseless: number | undefined;
  for (const sample of meterValue.sampledValue) {
    const value = numberOf(sample);
    if (value === undefined) continue;
    const measurand = sample.measurand ?? ENERGY;
    if (measurand === ENERGY) registerWh = scaled(sample, value, 'Wh');
    else if (measurand === POWER && !sample.phase) powerW = scaled(sample, value, 'W');
    else if (measurand === POWER && sample.phase)
      powerW = (powerW ?? 0) + scaled(sample, value, 'W');
    else if (measurand === CURRENT && sample.phase && sample.phase !== 'N')
      currentA = Math.max(currentA ?? 0, value);
    else if (measurand === CURRENT && !sample.phase) phaseless = value;
  }
  return {
    measuredAt: new Date(meterValue.timestamp),
    registerWh,
    powerW,
    currentA: currentA ?? phaseless,
  };
}
