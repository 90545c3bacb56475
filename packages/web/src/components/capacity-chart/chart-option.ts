import type { LineSeriesOption } from 'echarts/charts';
import type {
  AriaComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkAreaComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { CapacityHistory, CircuitBreaches, EnvelopeView } from '../../api/types';
import { formatAxisTime, zoneName } from '../../format';
import { CHART_COLORS } from './chart-colors';
import {
  breachSpans,
  fallbackSpans,
  futureBlocks,
  scheduledCapacity,
  type Point,
} from './chart-data';
import { tooltipText } from './chart-tooltip';

export type ChartOption = ComposeOption<
  | LineSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | MarkAreaComponentOption
  | AriaComponentOption
>;

export interface CapacityChartInput {
  history: CapacityHistory | undefined;
  envelopes: EnvelopeView[];
  timeZone: string;
  staticCapacityA: number;
  effectiveCapacityA: number;
  /** The current instant (ms): the "now" marker, between the past 24 h and the day ahead. */
  now: number;
  /** Breach detection on the circuit: episodes shaded red, a running suspicion amber. */
  breaches?: CircuitBreaches | undefined;
}

const HOUR = 3600_000;

/** The chart as ECharts draws it; pure, so it is tested without a browser. */
export function buildOption(input: CapacityChartInput): ChartOption {
  const { history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now, breaches } =
    input;
  const points = history?.points ?? [];
  const from = history ? Date.parse(history.from) : now - 24 * HOUR;
  const to = now + 24 * HOUR;

  const staticData: Point[] = points.map((p) => [Date.parse(p.at), p.staticCapacityA]);
  staticData.push([now, staticCapacityA], [to, staticCapacityA]);
  const effectiveData: Point[] = points.map((p) => [Date.parse(p.at), p.effectiveCapacityA]);
  effectiveData.push([now, effectiveCapacityA]);
  const loadData: Point[] = (history?.load ?? []).map((l) => [Date.parse(l.at), l.currentA]);
  const limits = futureBlocks(envelopes, now, to, 'LIMIT');
  const scheduledData = scheduledCapacity(limits, staticCapacityA);
  const standby = futureBlocks(envelopes, now, to, 'STANDBY');
  const standbyData = scheduledCapacity(standby, staticCapacityA);

  const tooltip = (at: number) =>
    tooltipText(
      { points, loadData, limits, standby, scheduledData, staticCapacityA, now, timeZone },
      at,
    );

  return {
    animation: false,
    aria: {
      enabled: true,
      label: {
        description: `Capacity of the circuit over the past 24 hours and the envelope blocks in the day ahead, times in ${timeZone}.`,
      },
    },
    grid: { left: 52, right: 48, top: 56, bottom: 32 },
    legend: {
      top: 0,
      left: 0,
      itemWidth: 18,
      itemHeight: 8,
      textStyle: { fontSize: 12 },
      data: [
        'Effective capacity',
        'Measured load',
        'Static capacity',
        'Scheduled capacity',
        'Fallback coverage',
      ],
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      formatter: (params) => {
        const first = Array.isArray(params) ? params[0] : params;
        const at = Number((first as { axisValue?: number } | undefined)?.axisValue ?? now);
        return tooltip(at);
      },
    },
    xAxis: {
      type: 'time',
      min: from,
      max: to,
      name: zoneName(timeZone, new Date(now)),
      nameLocation: 'end',
      nameGap: 4,
      nameTextStyle: {
        fontSize: 11,
        color: '#868e96',
        verticalAlign: 'top',
        padding: [14, 0, 0, 0],
      },
      axisLabel: {
        formatter: (v: number) => formatAxisTime(v, timeZone),
        hideOverlap: true,
        fontSize: 11,
      },
      splitNumber: 8,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { fontSize: 11, formatter: (v: number) => `${v} A` },
      splitLine: { lineStyle: { color: '#f1f3f5' } },
    },
    series: [
      {
        id: 'load',
        name: 'Measured load',
        type: 'line',
        data: loadData,
        showSymbol: false,
        color: CHART_COLORS.load,
        lineStyle: { width: 1.5 },
        areaStyle: { opacity: 0.25 },
        z: 2,
      },
      {
        id: 'static',
        name: 'Static capacity',
        type: 'line',
        step: 'end',
        data: staticData,
        showSymbol: false,
        color: CHART_COLORS.static,
        lineStyle: { type: 'dashed', width: 1.5 },
        z: 1,
      },
      {
        id: 'effective',
        name: 'Effective capacity',
        type: 'line',
        step: 'end',
        data: effectiveData,
        showSymbol: false,
        color: CHART_COLORS.effective,
        lineStyle: { width: 2.5 },
        z: 4,
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: CHART_COLORS.now, type: 'solid', width: 1.5 },
          label: {
            formatter: 'now',
            position: 'end',
            fontSize: 11,
            fontWeight: 'bold',
            color: CHART_COLORS.now,
          },
          data: [{ xAxis: now }],
        },
        markArea: {
          silent: true,
          data: [
            // The day ahead on a faint grey ground, named once; the past plain, named once.
            [
              {
                xAxis: now,
                itemStyle: { color: CHART_COLORS.ahead },
                label: {
                  show: true,
                  position: 'insideTopLeft',
                  formatter: 'Next 24 h',
                  color: '#868e96',
                  fontSize: 11,
                },
              },
              { xAxis: to },
            ],
            [
              {
                xAxis: from,
                itemStyle: { color: 'transparent' },
                label: {
                  show: true,
                  position: 'insideTopLeft',
                  formatter: 'Past 24 h',
                  color: '#868e96',
                  fontSize: 11,
                },
              },
              { xAxis: now },
            ],
            ...fallbackSpans(points, now).map(([start, end]) => [
              {
                xAxis: start,
                itemStyle: { color: CHART_COLORS.fallbackShade },
                label: { show: false },
              },
              { xAxis: end },
            ]),
            ...breachSpans(breaches, from, now).map(({ start, end, kind }) => [
              {
                xAxis: start,
                itemStyle: {
                  color: kind === 'BREACH' ? CHART_COLORS.breachShade : CHART_COLORS.suspectedShade,
                },
                label: {
                  show: true,
                  position: 'insideBottom',
                  formatter: kind === 'BREACH' ? 'Breach' : 'Over the limit',
                  color: kind === 'BREACH' ? '#e03131' : '#e8590c',
                  fontSize: 11,
                },
              },
              { xAxis: end },
            ]),
          ] as never,
        },
      },
      {
        id: 'standby',
        name: 'Fallback coverage',
        type: 'line',
        step: 'end',
        data: standbyData,
        connectNulls: false,
        showSymbol: false,
        color: CHART_COLORS.fallback,
        lineStyle: { width: 2, type: [3, 3] },
        z: 3,
      },
      {
        id: 'scheduled',
        name: 'Scheduled capacity',
        type: 'line',
        step: 'end',
        data: scheduledData,
        connectNulls: false,
        showSymbol: false,
        color: CHART_COLORS.scheduled,
        lineStyle: { width: 2.5 },
        areaStyle: { color: 'rgba(112, 72, 232, 0.07)' },
        z: 4,
      },
    ],
  };
}
