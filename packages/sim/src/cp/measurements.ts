import type {
  EnergyMeasurement,
  MeasurementConfiguration,
  UpdateAssetMeasurements,
  UpdateGroupMeasurements,
} from '@openvelope/oscp';

/**
 * What a Capacity Provider checks in the measurements it receives, per series (the group, or one
 * asset): a CONTINUOUS register never decreases; each INTERMITTENT window is closed (it starts
 * before it ends, and has ended when it arrives) and starts where the previous one ended.
 * Violations are recorded in the peer's state; the messages are still accepted.
 */

export type MeasurementRule =
  | 'REGISTER_DECREASED'
  | 'WINDOW_NOT_CLOSED'
  | 'WINDOW_NOT_CONTIGUOUS'
  | 'MISSING_INITIAL_MEASURE_TIME';

export interface MeasurementViolation {
  at: string;
  requestId: string;
  /** `group:<group id>` or `asset:<asset id>`. */
  series: string;
  rule: MeasurementRule;
  message: string;
}

export interface SeriesState {
  configuration: MeasurementConfiguration;
  /** The last value received (the register, for CONTINUOUS). */
  lastValue: number;
  lastMeasureTime: string;
  lastInitialMeasureTime: string | null;
  received: number;
}

export interface MeasurementLog {
  received: number;
  series: Record<string, SeriesState>;
  violations: MeasurementViolation[];
}

/** Violations kept per peer; the oldest are dropped. */
const MAX_VIOLATIONS = 200;

export function emptyMeasurementLog(): MeasurementLog {
  return { received: 0, series: {}, violations: [] };
}

/** The energy measurements of a message, each with its series name. */
export function energySeries(
  endpoint: 'update_group_measurements' | 'update_asset_measurements',
  body: UpdateGroupMeasurements | UpdateAssetMeasurements,
): [string, EnergyMeasurement][] {
  if (endpoint === 'update_group_measurements') {
    return (body as UpdateGroupMeasurements).measurements.map((m) => [`group:${body.group_id}`, m]);
  }
  return (body as UpdateAssetMeasurements).measurements.flatMap((m) =>
    m.energy_measurement
      ? [[`asset:${m.asset_id}`, m.energy_measurement] as [string, EnergyMeasurement]]
      : [],
  );
}

/**
 * The configuration a measurement is judged by: the one we asked for, or, when we asked for both
 * or none, the one its shape shows (a window has an `initial_measure_time`).
 */
function configurationOf(
  asked: readonly MeasurementConfiguration[],
  m: EnergyMeasurement,
): MeasurementConfiguration {
  if (asked.length === 1) return asked[0]!;
  return m.initial_measure_time === undefined ? 'CONTINUOUS' : 'INTERMITTENT';
}

/** Checks and records one message's energy measurements, received at `now`. */
export function recordMeasurements(
  log: MeasurementLog,
  input: {
    requestId: string;
    asked: readonly MeasurementConfiguration[];
    measurements: readonly [string, EnergyMeasurement][];
    now: Date;
  },
): void {
  const at = input.now.toISOString();
  const violate = (series: string, rule: MeasurementRule, message: string) => {
    log.violations.push({ at, requestId: input.requestId, series, rule, message });
    if (log.violations.length > MAX_VIOLATIONS) log.violations.shift();
  };
  log.received += 1;
  for (const [series, m] of input.measurements) {
    const configuration = configurationOf(input.asked, m);
    const previous = log.series[series];
    const ends = Date.parse(m.measure_time);
    if (configuration === 'CONTINUOUS') {
      if (previous && m.value < previous.lastValue) {
        violate(
          series,
          'REGISTER_DECREASED',
          `the register went from ${previous.lastValue} to ${m.value} ${m.unit} (measure_time ${m.measure_time})`,
        );
      }
    } else if (m.initial_measure_time === undefined) {
      violate(
        series,
        'MISSING_INITIAL_MEASURE_TIME',
        'an INTERMITTENT window needs initial_measure_time',
      );
    } else {
      const starts = Date.parse(m.initial_measure_time);
      if (!(starts < ends) || ends > input.now.getTime()) {
        violate(
          series,
          'WINDOW_NOT_CLOSED',
          `the window ${m.initial_measure_time} – ${m.measure_time} is not a closed window at ${at}`,
        );
      }
      if (previous && starts !== Date.parse(previous.lastMeasureTime)) {
        violate(
          series,
          'WINDOW_NOT_CONTIGUOUS',
          `the window starts at ${m.initial_measure_time}; the previous one ended at ${previous.lastMeasureTime}`,
        );
      }
    }
    log.series[series] = {
      configuration,
      lastValue: m.value,
      lastMeasureTime: m.measure_time,
      lastInitialMeasureTime: m.initial_measure_time ?? null,
      received: (previous?.received ?? 0) + 1,
    };
  }
}
