import { parseMessage } from '@openvelope/oscp';
import { describe, expect, it } from 'vitest';
import {
  MAX_WINDOW_MS,
  firstWindowEnd,
  followingWindowEnd,
  measuredWindow,
  measurementMessage,
  nextPeriodEnd,
  planPublication,
  type MeasurementProfile,
} from './measurements';

const at = (time: string) => new Date(`2026-03-02T${time}Z`);

const group: MeasurementProfile = {
  groupId: 'DEPOT1',
  measurementPublicationMode: 'GROUP',
  reportingAssetId: null,
  measurementConfiguration: 'CONTINUOUS',
  measurementPublicationIntervalSeconds: 900,
  measurementAlignment: 'CLOCK_HOUR',
  instantaneousMeasurementUnit: 'KW',
};
const vector: MeasurementProfile = {
  ...group,
  measurementPublicationMode: 'ASSET',
  reportingAssetId: 'DEPOT1-CHARGING',
  measurementConfiguration: 'INTERMITTENT',
};
const metering = {
  registerAtStartWh: 10_000.4,
  registerAtEndWh: 12_345.6,
  maxLoadW: 23_456.7,
  maxLoadAt: at('09:07:00'),
  readings: 12,
};

describe('measurement windows', () => {
  it('end on the clock grid when aligned, else one interval after the next whole second', () => {
    expect(firstWindowEnd(at('09:07:10'), group)).toEqual(at('09:15:00'));
    expect(nextPeriodEnd(at('09:14:59.999'), 900)).toEqual(at('09:15:00'));
    expect(nextPeriodEnd(at('09:15:00'), 900)).toEqual(at('09:30:00'));
    expect(firstWindowEnd(at('09:07:10.2'), { ...group, measurementAlignment: 'NONE' })).toEqual(
      at('09:22:11'),
    );
    const every300 = { ...group, measurementPublicationIntervalSeconds: 300 };
    expect(firstWindowEnd(at('09:07:00'), every300)).toEqual(at('09:10:00'));
  });

  it('follow one another, skipping to the first one not yet closed', () => {
    expect(followingWindowEnd(at('09:15:00'), at('09:15:20'), group)).toEqual(at('09:30:00'));
    // Running late: the next window is the first that has not closed before now.
    expect(followingWindowEnd(at('09:15:00'), at('10:02:00'), group)).toEqual(at('10:15:00'));
    // A window closing exactly now is still to publish.
    expect(followingWindowEnd(at('09:15:00'), at('10:00:00'), group)).toEqual(at('10:00:00'));
    const unaligned = { ...group, measurementAlignment: 'NONE' as const };
    expect(followingWindowEnd(at('09:22:11'), at('09:22:30'), unaligned)).toEqual(at('09:37:11'));
    expect(followingWindowEnd(at('09:22:11'), at('10:00:00'), unaligned)).toEqual(at('10:07:11'));
  });

  it('start where the last published one ended, so an INTERMITTENT series has no gaps', () => {
    const base = { now: at('09:30:20'), ready: true, scopeId: 's1', intervalSeconds: 900 };
    expect(planPublication({ ...base, end: at('09:30:00'), previous: undefined })).toEqual({
      publish: true,
      start: at('09:15:00'),
      end: at('09:30:00'),
      continuesFrom: null,
    });
    const previous = { scopeId: 's1', end: at('08:45:00'), registerWh: 9_000 };
    // The 09:00 and 09:15 windows were not published (the peer was offline): this one spans them.
    expect(planPublication({ ...base, end: at('09:30:00'), previous })).toEqual({
      publish: true,
      start: at('08:45:00'),
      end: at('09:30:00'),
      continuesFrom: previous,
    });
    // Longer ago than a day, or another scope: a fresh window.
    const dayOld = { ...previous, end: new Date(at('09:30:00').getTime() - MAX_WINDOW_MS - 1) };
    expect(planPublication({ ...base, end: at('09:30:00'), previous: dayOld })).toMatchObject({
      start: at('09:15:00'),
      continuesFrom: null,
    });
    expect(
      planPublication({ ...base, end: at('09:30:00'), previous: { ...previous, scopeId: 's2' } }),
    ).toMatchObject({ start: at('09:15:00'), continuesFrom: null });
  });

  it('are not published late, before the handshake, or twice', () => {
    const base = { ready: true, scopeId: 's1', intervalSeconds: 900, previous: undefined };
    expect(planPublication({ ...base, end: at('09:15:00'), now: at('09:30:00') })).toEqual({
      publish: false,
      reason: 'LATE',
    });
    expect(
      planPublication({ ...base, end: at('09:15:00'), now: at('09:29:59.999') }),
    ).toMatchObject({ publish: true });
    expect(
      planPublication({ ...base, ready: false, end: at('09:15:00'), now: at('09:15:30') }),
    ).toEqual({ publish: false, reason: 'NOT_READY' });
    expect(
      planPublication({
        ...base,
        end: at('09:15:00'),
        now: at('09:15:30'),
        previous: { scopeId: 's1', end: at('09:15:00'), registerWh: 1 },
      }),
    ).toEqual({ publish: false, reason: 'ALREADY_PUBLISHED' });
  });
});

describe('measurement values', () => {
  it('round the register to whole Wh and never publish it lower than before', () => {
    const plan = { start: at('09:00:00'), end: at('09:15:00') };
    expect(measuredWindow({ ...plan, continuesFrom: null }, metering)).toMatchObject({
      registerWh: 12_346,
      energyWh: 2_346,
    });
    const previous = { scopeId: 's1', end: at('09:00:00'), registerWh: 10_001 };
    expect(measuredWindow({ ...plan, continuesFrom: previous }, metering)).toMatchObject({
      registerWh: 12_346,
      energyWh: 2_345,
    });
    const ahead = { ...previous, registerWh: 13_000 };
    expect(measuredWindow({ ...plan, continuesFrom: ahead }, metering)).toMatchObject({
      registerWh: 13_000,
      energyWh: 0,
    });
  });
});

describe('measurement messages', () => {
  const window = measuredWindow(
    { start: at('09:00:00'), end: at('09:15:00'), continuesFrom: null },
    metering,
  );

  it('give CONTINUOUS peers the register at the window’s end', () => {
    const message = measurementMessage(group, window);
    expect(message).toEqual({
      kind: 'UpdateGroupMeasurements',
      body: {
        group_id: 'DEPOT1',
        measurements: [
          {
            value: 12_346,
            phase: 'ALL',
            unit: 'WH',
            direction: 'IMPORT',
            measure_time: '2026-03-02T09:15:00.000Z',
          },
        ],
      },
    });
    expect(parseMessage(message.kind, message.body).ok).toBe(true);
  });

  it('give INTERMITTENT peers the closed window’s energy from its start', () => {
    const message = measurementMessage(
      { ...group, measurementConfiguration: 'INTERMITTENT' },
      window,
    );
    expect(message.body.measurements[0]).toEqual({
      value: 2_346,
      phase: 'ALL',
      unit: 'WH',
      direction: 'IMPORT',
      measure_time: '2026-03-02T09:15:00.000Z',
      initial_measure_time: '2026-03-02T09:00:00.000Z',
    });
  });

  it('give Vector one asset with the window’s energy and peak load in the profile’s unit', () => {
    const message = measurementMessage(vector, window);
    expect(message).toEqual({
      kind: 'UpdateAssetMeasurements',
      body: {
        group_id: 'DEPOT1',
        measurements: [
          {
            asset_id: 'DEPOT1-CHARGING',
            asset_category: 'CHARGING',
            energy_measurement: {
              value: 2_346,
              phase: 'ALL',
              unit: 'WH',
              direction: 'IMPORT',
              measure_time: '2026-03-02T09:15:00.000Z',
              initial_measure_time: '2026-03-02T09:00:00.000Z',
            },
            instantaneous_measurement: {
              value: 23.457,
              phase: 'ALL',
              unit: 'KW',
              measure_time: '2026-03-02T09:15:00.000Z',
            },
          },
        ],
      },
    });
    expect(parseMessage(message.kind, message.body).ok).toBe(true);
    const inWatts = measurementMessage({ ...vector, instantaneousMeasurementUnit: 'W' }, window);
    expect(inWatts.body.measurements[0]).toMatchObject({
      instantaneous_measurement: { value: 23_457, unit: 'W' },
    });
  });
});
