import type { MeasurementView } from '../../../api/types';
import { formatAxisTime, formatDateTime, formatKw, formatKwh } from '../../../format';

/** As the delivery badges: green once the peer accepted a window, red if it never got it, grey on the way. */
export const BAR_COLORS = { delivered: '#2f9e44', failed: '#e03131', pending: '#adb5bd' };

function barColor(m: MeasurementView): string {
  const status = m.delivery?.status;
  if (status === 'FAILED') return BAR_COLORS.failed;
  if (status === 'DELIVERED' || status === undefined) return BAR_COLORS.delivered;
  return BAR_COLORS.pending;
}

/**
 * The energy published per window, oldest on the left, one bar per window at its end; the
 * tooltip says which window, what was reported and how its delivery went.
 */
export function buildMeasurementOption(items: readonly MeasurementView[], timeZone: string) {
  const windows = [...items].sort((a, b) => Date.parse(a.windowEnd) - Date.parse(b.windowEnd));
  return {
    animation: false,
    aria: { enabled: true },
    grid: { left: 56, right: 16, top: 24, bottom: 32 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: { dataIndex: number }[]) => {
        const m = windows[params[0]?.dataIndex ?? -1];
        if (!m) return '';
        return [
          `${formatDateTime(m.windowStart, timeZone)} – ${formatDateTime(m.windowEnd, timeZone)}`,
          `Energy in the window: ${formatKwh(m.energyWh)}`,
          `Register at its end: ${formatKwh(m.registerWh)}`,
          `Peak load: ${formatKw(m.maxLoadW)}`,
          `Delivery: ${m.delivery?.status ?? 'record pruned'}`,
        ].join('<br/>');
      },
    },
    xAxis: {
      type: 'category',
      data: windows.map((m) => formatAxisTime(Date.parse(m.windowEnd), timeZone)),
      axisLabel: { hideOverlap: true },
    },
    yAxis: { type: 'value', name: 'kWh', min: 0 },
    series: [
      {
        name: 'Energy per window',
        type: 'bar',
        barMaxWidth: 24,
        data: windows.map((m) => ({
          value: Math.round(m.energyWh) / 1000,
          itemStyle: { color: barColor(m) },
        })),
      },
    ],
  };
}
