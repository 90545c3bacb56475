import { describe, expect, it } from 'vitest';
import type { MeasurementView } from '../../../api/types';
import { BAR_COLORS, buildMeasurementOption } from './measurement-chart-option';
import { cadenceText, intervalText, reportedText, sentValues } from './measurement-format';

const window = (end: string, over: Partial<MeasurementView> = {}): MeasurementView => ({
  id: end,
  kind: 'UpdateAssetMeasurements',
  configuration: 'INTERMITTENT',
  windowStart: '2026-03-02T09:00:00.000Z',
  windowEnd: end,
  energyWh: 1_250,
  registerWh: 20_500,
  maxLoadW: 18_400,
  maxLoadAt: '2026-03-02T09:04:17.500Z',
  readings: 4,
  requestId: 'r1',
  body: {
    group_id: 'G1',
    measurements: [
      {
        asset_id: 'G1-CHARGING',
        asset_category: 'CHARGING',
        energy_measurement: { value: 1_250, unit: 'WH' },
        instantaneous_measurement: { value: 18.4, unit: 'KW' },
      },
    ],
  },
  createdAt: end,
  delivery: {
    status: 'DELIVERED',
    attempts: 1,
    maxAttempts: 5,
    lastError: null,
    lastHttpStatus: 204,
    deliveredAt: end,
    nextAttemptAt: end,
  },
  ...over,
});

describe('measurement wording', () => {
  it('says an interval in words', () => {
    expect([60, 90, 900, 3600, 72].map(intervalText)).toEqual([
      '1 min',
      '1 min 30 s',
      '15 min',
      '1 h',
      '1 min 12 s',
    ]);
  });

  it('says how a connection publishes', () => {
    expect(
      cadenceText({
        mode: 'ASSET',
        configuration: 'INTERMITTENT',
        intervalSeconds: 900,
        alignment: 'CLOCK_HOUR',
        instantaneousUnit: 'KW',
        reportingAssetId: 'G1-CHARGING',
        nextWindowEnd: null,
      }),
    ).toBe(
      'Asset measurements of G1-CHARGING, peak load in kW · INTERMITTENT: each window’s energy from its start · every 15 min, aligned to the clock hour',
    );
    expect(
      cadenceText({
        mode: 'GROUP',
        configuration: 'CONTINUOUS',
        intervalSeconds: 300,
        alignment: 'NONE',
        instantaneousUnit: 'KW',
        reportingAssetId: null,
        nextWindowEnd: null,
      }),
    ).toBe('Group measurements · CONTINUOUS: the site register at each window’s end · every 5 min');
  });

  it('reads what the message said, and what the window reported', () => {
    const m = window('2026-03-02T09:15:00.000Z');
    expect(sentValues(m)).toEqual({
      energy: { value: 1_250, unit: 'WH' },
      instantaneous: { value: 18.4, unit: 'KW' },
    });
    expect(reportedText(m)).toBe('1.25 kWh in the window, peak 18.4 kW');
    const group = window('2026-03-02T09:15:00.000Z', {
      kind: 'UpdateGroupMeasurements',
      configuration: 'CONTINUOUS',
      body: { group_id: 'G1', measurements: [{ value: 20_500, unit: 'WH' }] },
    });
    expect(sentValues(group)).toEqual({
      energy: { value: 20_500, unit: 'WH' },
      instantaneous: null,
    });
    expect(reportedText(group)).toBe('register 20.50 kWh');
  });
});

describe('the energy-per-window chart', () => {
  it('draws one bar per window, oldest first, in kWh, coloured by delivery', () => {
    const failed = window('2026-03-02T09:30:00.000Z', {
      energyWh: 400,
      delivery: { ...window('x').delivery!, status: 'FAILED' },
    });
    const option = buildMeasurementOption(
      [
        failed,
        window('2026-03-02T09:15:00.000Z'),
        window('2026-03-02T09:45:00.000Z', { delivery: null }),
      ],
      'Pacific/Auckland',
    );
    expect(option.series[0]!.data).toEqual([
      { value: 1.25, itemStyle: { color: BAR_COLORS.delivered } },
      { value: 0.4, itemStyle: { color: BAR_COLORS.failed } },
      { value: 1.25, itemStyle: { color: BAR_COLORS.delivered } },
    ]);
    expect(option.xAxis.data).toEqual(['2 Mar, 22:15', '2 Mar, 22:30', '2 Mar, 22:45']);
    const tooltip = option.tooltip.formatter([{ dataIndex: 1 }]);
    expect(tooltip).toContain('Energy in the window: 0.40 kWh');
    expect(tooltip).toContain('Delivery: FAILED');
  });
});
