import type { CapacityHistory } from '../../api/types';
import { formatAmps, formatDateTime } from '../../format';
import { CHART_COLORS } from './chart-colors';
import {
  blockAt,
  historyAt,
  isFallback,
  valueAt,
  type FutureBlock,
  type Point,
} from './chart-data';

export interface TooltipData {
  points: CapacityHistory['points'];
  loadData: Point[];
  limits: FutureBlock[];
  standby: FutureBlock[];
  scheduledData: Point[];
  staticCapacityA: number;
  now: number;
  timeZone: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const row = (color: string, label: string, value: string) =>
  `<span style="display:inline-block;width:8px;height:8px;border-radius:50%;background:${color};margin-right:6px"></span>${label}: <b>${value}</b>`;

/**
 * What the chart says about one instant: in the past, the capacity in force, the load and why;
 * ahead, the scheduled block (and its source) and the fallback coverage.
 */
export function tooltipText(data: TooltipData, at: number): string {
  const { points, loadData, limits, standby, scheduledData, staticCapacityA, now, timeZone } = data;
  const lines = [`<b>${formatDateTime(at, timeZone)}</b> · ${at <= now ? 'past' : 'ahead'}`];
  if (at <= now) {
    const p = historyAt(points, at);
    const load = valueAt(loadData, at);
    if (p)
      lines.push(
        row(CHART_COLORS.effective, 'Effective capacity', formatAmps(p.effectiveCapacityA)),
      );
    if (load !== undefined) lines.push(row(CHART_COLORS.load, 'Measured load', formatAmps(load)));
    if (p) {
      const source = `${isFallback(p) ? 'Fallback mode · ' : ''}${p.sourceLabel}`;
      lines.push(`<span style="color:#868e96">Source: ${escapeHtml(source)}</span>`);
    }
  } else {
    const limit = blockAt(limits, at);
    const cover = blockAt(standby, at);
    const scheduled = valueAt(scheduledData, at);
    lines.push(
      limit && scheduled !== undefined
        ? row(
            CHART_COLORS.scheduled,
            'Scheduled capacity',
            `${formatAmps(scheduled)} (${escapeHtml(limit.source)})`,
          )
        : row(CHART_COLORS.static, 'No envelope block', `static ${formatAmps(staticCapacityA)}`),
    );
    if (cover)
      lines.push(
        row(
          CHART_COLORS.fallback,
          'Fallback coverage',
          formatAmps(Math.min(staticCapacityA, cover.limitA)),
        ),
      );
  }
  return lines.join('<br/>');
}
