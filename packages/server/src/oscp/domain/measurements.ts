import {
  toWireTime,
  type EnergyMeasurement,
  type UpdateAssetMeasurements,
  type UpdateGroupMeasurements,
} from '@openvelope/oscp';
import type { ConnectionProfile } from './connection-profile';

/**
 * Measurement windows and messages (ADR 0040). Each publication reports one closed window
 * (start, end] of the scope's virtual register: CONTINUOUS peers get the register at the window's
 * end, INTERMITTENT peers the energy within the window with `initial_measure_time` = its start.
 * Windows follow one another without gaps, so the energies of an INTERMITTENT series add up to the
 * register's growth.
 */

export const MEASUREMENT_KINDS = ['UpdateGroupMeasurements', 'UpdateAssetMeasurements'] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];

/** A window starts where the previous one ended, unless that was longer ago than this. */
export const MAX_WINDOW_MS = 24 * 3_600_000;

export type MeasurementProfile = Pick<
  ConnectionProfile,
  | 'groupId'
  | 'measurementPublicationMode'
  | 'reportingAssetId'
  | 'measurementConfiguration'
  | 'measurementPublicationIntervalSeconds'
  | 'measurementAlignment'
  | 'instantaneousMeasurementUnit'
>;

/** The window published last for a connection: where the next one continues from. */
export interface PublishedWindow {
  scopeId: string;
  end: Date;
  /** The register as published at that window's end (whole Wh). */
  registerWh: number;
}

/** Period ends on multiples of the interval since the epoch: every 900 s gives :00, :15, :30, :45. */
export function nextPeriodEnd(after: Date, intervalSeconds: number): Date {
  const interval = intervalSeconds * 1000;
  return new Date(Math.floor(after.getTime() / interval) * interval + interval);
}

/**
 * Where the first window ends when publication starts (after a handshake): on the clock grid when
 * aligned to the clock hour, otherwise one interval after the next whole second.
 */
export function firstWindowEnd(
  now: Date,
  profile: Pick<
    MeasurementProfile,
    'measurementPublicationIntervalSeconds' | 'measurementAlignment'
  >,
): Date {
  const interval = profile.measurementPublicationIntervalSeconds;
  if (profile.measurementAlignment === 'CLOCK_HOUR') return nextPeriodEnd(now, interval);
  return new Date(Math.ceil(now.getTime() / 1000) * 1000 + interval * 1000);
}

/**
 * The end of the first window after the one ending at `end` that has not closed before `now` (a
 * window closing exactly now is still to publish).
 */
export function followingWindowEnd(
  end: Date,
  now: Date,
  profile: Pick<
    MeasurementProfile,
    'measurementPublicationIntervalSeconds' | 'measurementAlignment'
  >,
): Date {
  const interval = profile.measurementPublicationIntervalSeconds * 1000;
  const justBefore = now.getTime() - 1;
  if (profile.measurementAlignment === 'CLOCK_HOUR') {
    return nextPeriodEnd(
      new Date(Math.max(end.getTime(), justBefore)),
      profile.measurementPublicationIntervalSeconds,
    );
  }
  const steps = Math.max(1, Math.floor((justBefore - end.getTime()) / interval) + 1);
  return new Date(end.getTime() + steps * interval);
}

export type PublicationPlan =
  | { publish: true; start: Date; end: Date; continuesFrom: PublishedWindow | null }
  | { publish: false; reason: 'LATE' | 'NOT_READY' | 'ALREADY_PUBLISHED' };

/**
 * Whether the window ending at `end` is published now, and from where it starts. A window is not
 * published more than one interval late (no instance ran, or the peer was not ready): the next one
 * then starts where the last published one ended, so nothing measured is left out.
 */
export function planPublication(input: {
  end: Date;
  now: Date;
  ready: boolean;
  scopeId: string;
  intervalSeconds: number;
  previous: PublishedWindow | undefined;
}): PublicationPlan {
  const { end, now, previous } = input;
  const interval = input.intervalSeconds * 1000;
  if (now.getTime() - end.getTime() >= interval) return { publish: false, reason: 'LATE' };
  if (!input.ready) return { publish: false, reason: 'NOT_READY' };
  if (previous && previous.scopeId === input.scopeId && previous.end >= end)
    return { publish: false, reason: 'ALREADY_PUBLISHED' };
  const continues =
    previous !== undefined &&
    previous.scopeId === input.scopeId &&
    end.getTime() - previous.end.getTime() <= MAX_WINDOW_MS;
  return continues
    ? { publish: true, start: previous.end, end, continuesFrom: previous }
    : { publish: true, start: new Date(end.getTime() - interval), end, continuesFrom: null };
}

/** The scope's meters over a window, as the microgrid reads them. */
export interface WindowMetering {
  registerAtStartWh: number;
  registerAtEndWh: number;
  maxLoadW: number;
  maxLoadAt: Date | null;
  readings: number;
}

/** A window's values as published: whole Wh, the register never below what was published before. */
export interface MeasuredWindow {
  start: Date;
  end: Date;
  /** The register at the window's end. */
  registerWh: number;
  /** What the register grew by in the window. */
  energyWh: number;
  maxLoadW: number;
  maxLoadAt: Date | null;
  readings: number;
}

export function measuredWindow(
  plan: { start: Date; end: Date; continuesFrom: PublishedWindow | null },
  metering: WindowMetering,
): MeasuredWindow {
  const startWh = plan.continuesFrom?.registerWh ?? Math.round(metering.registerAtStartWh);
  // Rounded register values, so the windows' energies add up to the register exactly.
  const registerWh = Math.max(startWh, Math.round(metering.registerAtEndWh));
  return {
    start: plan.start,
    end: plan.end,
    registerWh,
    energyWh: registerWh - startWh,
    maxLoadW: metering.maxLoadW,
    maxLoadAt: metering.maxLoadAt,
    readings: metering.readings,
  };
}

/** The peak load in the profile's unit: W to the watt, kW to three decimals. */
export function instantaneousValue(maxLoadW: number, unit: 'W' | 'KW'): number {
  return unit === 'W' ? Math.round(maxLoadW) : Math.round(maxLoadW) / 1000;
}

export type MeasurementMessage =
  | { kind: 'UpdateGroupMeasurements'; body: UpdateGroupMeasurements }
  | { kind: 'UpdateAssetMeasurements'; body: UpdateAssetMeasurements };

/**
 * The message for one window. GROUP sends one EnergyMeasurement; ASSET one asset (the site's
 * reporting asset) with that energy measurement and the window's peak load.
 */
export function measurementMessage(
  profile: MeasurementProfile,
  window: MeasuredWindow,
): MeasurementMessage {
  const energy: EnergyMeasurement =
    profile.measurementConfiguration === 'CONTINUOUS'
      ? {
          value: window.registerWh,
          phase: 'ALL',
          unit: 'WH',
          direction: 'IMPORT',
          measure_time: toWireTime(window.end),
        }
      : {
          value: window.energyWh,
          phase: 'ALL',
          unit: 'WH',
          direction: 'IMPORT',
          measure_time: toWireTime(window.end),
          initial_measure_time: toWireTime(window.start),
        };
  if (profile.measurementPublicationMode === 'GROUP' || !profile.reportingAssetId) {
    return {
      kind: 'UpdateGroupMeasurements',
      body: { group_id: profile.groupId, measurements: [energy] },
    };
  }
  const unit = profile.instantaneousMeasurementUnit;
  return {
    kind: 'UpdateAssetMeasurements',
    body: {
      group_id: profile.groupId,
      measurements: [
        {
          asset_id: profile.reportingAssetId,
          asset_category: 'CHARGING',
          energy_measurement: energy,
          instantaneous_measurement: {
            value: instantaneousValue(window.maxLoadW, unit),
            phase: 'ALL',
            unit,
            measure_time: toWireTime(window.end),
          },
        },
      ],
    },
  };
}
