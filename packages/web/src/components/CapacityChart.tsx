import { LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  type AriaComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkAreaComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import type { ComposeOption, EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import type { CapacityHistory, EnvelopeView } from '../api/types';
import { formatAmps, formatAxisTime, formatDateTime, zoneName } from '../format';
import { Empty } from './States';

echarts.use([
  LineChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  MarkAreaComponent,
  AriaComponent,
  CanvasRenderer,
]);

type Option = ComposeOption<
  | LineSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | MarkAreaComponentOption
  | AriaComponentOption
>;

type Point = [number, number | '-'];

const HOUR = 3600_000;
const COLORS = {
  static: '#868e96', // gray: the static limit
  effective: '#1c7ed6', // blue: capacity in force
  load: '#0ca678', // teal: what the chargers draw
  scheduled: '#748ffc', // indigo: envelope blocks ahead
  standby: '#f59f00', // yellow: fallback coverage ahead (shown, not enforced)
};

/** Shading of the past by the kind of limit in force: yellow is fallback, and only fallback. */
const MODE_SHADES: Record<string, { color: string; label: string } | undefined> = {
  NORMAL: { color: 'rgba(28, 126, 214, 0.06)', label: 'Forecast' },
  MANUAL: { color: 'rgba(28, 126, 214, 0.06)', label: 'Envelope' },
  FALLBACK_OFFLINE: { color: 'rgba(250, 176, 5, 0.16)', label: 'Fallback (offline)' },
  FALLBACK_GAP: { color: 'rgba(250, 176, 5, 0.16)', label: 'Fallback (gap)' },
  GAP_POLICY: { color: 'rgba(250, 176, 5, 0.16)', label: 'Gap policy' },
};

export interface CapacityChartProps {
  history: CapacityHistory | undefined;
  envelopes: EnvelopeView[];
  timeZone: string;
  staticCapacityA: number;
  effectiveCapacityA: number;
  /** The current instant (ms); the "now" marker and the boundary between past and future. */
  now: number;
}

interface FutureBlock {
  start: number;
  end: number;
  limitA: number;
  source: string;
}

function futureBlocks(
  envelopes: EnvelopeView[],
  now: number,
  horizon: number,
  role: EnvelopeView['role'],
): FutureBlock[] {
  const blocks: FutureBlock[] = [];
  for (const env of envelopes) {
    if (env.status !== 'ACTIVE' && env.status !== 'SCHEDULED') continue;
    if ((env.role ?? 'LIMIT') !== role) continue;
    for (const b of env.blocks) {
      const start = Math.max(Date.parse(b.start), now);
      const end = Math.min(Date.parse(b.end), horizon);
      if (Number.isFinite(start) && Number.isFinite(end) && end > start) {
        blocks.push({ start, end, limitA: b.importLimitA, source: env.source });
      }
    }
  }
  return blocks.sort((a, b) => a.start - b.start);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Effective capacity ahead, as the server will compute it: min(static, every block in force),
 * one step per boundary; the line breaks where no block is in force (the static limit applies).
 */
function scheduledCapacity(blocks: FutureBlock[], staticCapacityA: number): Point[] {
  const boundaries = [...new Set(blocks.flatMap((b) => [b.start, b.end]))].sort((a, b) => a - b);
  const data: Point[] = [];
  let open = false;
  for (let i = 0; i < boundaries.length - 1; i += 1) {
    const from = boundaries[i]!;
    const until = boundaries[i + 1]!;
    const inForce = blocks.filter((b) => b.start <= from && from < b.end);
    if (inForce.length === 0) {
      if (open) data.push([from, '-']);
      open = false;
      continue;
    }
    const amps = Math.min(staticCapacityA, ...inForce.map((b) => b.limitA));
    data.push([from, amps], [until, amps]);
    open = true;
  }
  return data;
}

/** Builds the chart option; pure so it is easy to reason about. */
export function buildOption(props: CapacityChartProps): Option {
  const { history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now } = props;
  const points = history?.points ?? [];
  const from = history ? Date.parse(history.from) : now - 24 * HOUR;
  // The past 24 hours and the next 24 hours.
  const to = now + 24 * HOUR;

  const staticData: Point[] = points.map((p) => [Date.parse(p.at), p.staticCapacityA]);
  staticData.push([now, staticCapacityA], [to, staticCapacityA]);
  const effectiveData: Point[] = points.map((p) => [Date.parse(p.at), p.effectiveCapacityA]);
  effectiveData.push([now, effectiveCapacityA]);
  const loadData: Point[] = (history?.load ?? []).map((l) => [Date.parse(l.at), l.currentA]);

  const blocks = futureBlocks(envelopes, now, to, 'LIMIT');
  const scheduledData = scheduledCapacity(blocks, staticCapacityA);
  const standby = futureBlocks(envelopes, now, to, 'STANDBY');
  const standbyData = scheduledCapacity(standby, staticCapacityA);
  const shades = points.flatMap((p, i) => {
    const shade = MODE_SHADES[p.category ?? ''];
    const until = i + 1 < points.length ? Date.parse(points[i + 1]!.at) : now;
    return shade
      ? [
          [
            { xAxis: Date.parse(p.at), name: shade.label, itemStyle: { color: shade.color } },
            { xAxis: until },
          ],
        ]
      : [];
  });

  const zone = zoneName(timeZone, new Date(now));
  const axisLabel = (value: number) => formatAxisTime(value, timeZone);

  return {
    animation: false,
    aria: {
      enabled: true,
      label: {
        description: `Capacity of the circuit over the past 24 hours and the envelope blocks ahead, times in ${timeZone}.`,
      },
    },
    grid: { left: 56, right: 28, top: 44, bottom: 36 },
    legend: {
      top: 4,
      left: 0,
      itemWidth: 18,
      itemHeight: 8,
      textStyle: { fontSize: 12 },
      data: [
        'Static capacity',
        'Effective capacity',
        'Measured load',
        'Scheduled capacity',
        'Fallback coverage',
      ],
    },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'line' },
      valueFormatter: (v) => (typeof v === 'number' ? formatAmps(v) : '—'),
      formatter: (params) => {
        const list = Array.isArray(params) ? params : [params];
        const first = list[0];
        const at = first && Array.isArray(first.value) ? Number(first.value[0]) : now;
        const rows = list
          .filter((p) => Array.isArray(p.value) && typeof p.value[1] === 'number')
          .map((p) => {
            const v = (p.value as [number, number])[1];
            return `${String(p.marker ?? '')} ${escapeHtml(p.seriesName ?? '')}: <b>${formatAmps(v)}</b>`;
          });
        const source =
          at <= now
            ? [...points].reverse().find((p) => Date.parse(p.at) <= at)?.sourceLabel
            : undefined;
        if (source) rows.push(`<span style="color:#868e96">Source: ${escapeHtml(source)}</span>`);
        return [`<b>${formatDateTime(at, timeZone)}</b>`, ...rows].join('<br/>');
      },
    },
    xAxis: {
      type: 'time',
      min: from,
      max: to,
      name: zone,
      nameLocation: 'end',
      nameGap: 4,
      nameTextStyle: {
        fontSize: 11,
        color: '#868e96',
        verticalAlign: 'top',
        padding: [14, 0, 0, 0],
      },
      axisLabel: { formatter: axisLabel, hideOverlap: true, fontSize: 11 },
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
        color: COLORS.load,
        lineStyle: { width: 1 },
        areaStyle: { opacity: 0.18 },
        z: 1,
      },
      {
        id: 'static',
        name: 'Static capacity',
        type: 'line',
        step: 'end',
        data: staticData,
        showSymbol: false,
        color: COLORS.static,
        lineStyle: { type: 'dashed', width: 1.5 },
        z: 2,
      },
      {
        id: 'effective',
        name: 'Effective capacity',
        type: 'line',
        step: 'end',
        data: effectiveData,
        showSymbol: false,
        color: COLORS.effective,
        lineStyle: { width: 2.2 },
        z: 3,
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#495057', type: 'solid', width: 1 },
          label: { formatter: 'now', position: 'end', fontSize: 11, color: '#495057' },
          data: [{ xAxis: now }],
        },
        markArea: {
          silent: true,
          label: { show: true, position: 'insideTop', fontSize: 10, color: '#868e96' },
          data: shades as never,
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
        color: COLORS.standby,
        lineStyle: { width: 1.5, type: [2, 3] },
        z: 2,
      },
      {
        id: 'scheduled',
        name: 'Scheduled capacity',
        type: 'line',
        step: 'end',
        data: scheduledData,
        connectNulls: false,
        showSymbol: false,
        color: COLORS.scheduled,
        lineStyle: { width: 2, type: [6, 3] },
        z: 3,
        markArea: {
          silent: true,
          itemStyle: { color: 'rgba(116, 143, 252, 0.08)' },
          label: { show: true, position: 'insideTop', fontSize: 10, color: '#5c7cfa' },
          data: blocks.map((b) => [
            { xAxis: b.start, name: formatAmps(b.limitA) },
            { xAxis: b.end },
          ]),
        },
      },
    ],
  };
}

/** Past 24 h of capacity and load, and the envelope blocks ahead, in the microgrid's time zone. */
export function CapacityChart(props: CapacityChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const { history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now } = props;
  const option = useMemo(
    () => buildOption({ history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now }),
    [history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now],
  );

  const hasData =
    (history?.points.length ?? 0) > 0 ||
    (history?.load.length ?? 0) > 0 ||
    envelopes.some((e) => e.status === 'ACTIVE' || e.status === 'SCHEDULED');

  useEffect(() => {
    const el = container.current;
    if (!el || !hasData) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = () => instance.resize();
    window.addEventListener('resize', resize);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(resize);
    observer?.observe(el);
    return () => {
      window.removeEventListener('resize', resize);
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [hasData]);

  useEffect(() => {
    chart.current?.setOption(option, { replaceMerge: ['series'], lazyUpdate: true });
  }, [option, hasData]);

  if (!hasData) {
    return (
      <Empty
        testId="chart-empty"
        title="No capacity history yet"
        description="Capacity changes, measured load and scheduled envelopes appear here as they happen."
      />
    );
  }
  return (
    <div
      ref={container}
      className="chart"
      data-testid="capacity-chart"
      role="img"
      aria-label="Capacity chart"
    />
  );
}
