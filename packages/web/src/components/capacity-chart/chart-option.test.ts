import { describe, expect, it } from 'vitest';
import type { CapacityHistory, EnvelopeView } from '../../api/types';
import { buildOption } from './chart-option';

const NOW = Date.parse('2026-03-02T09:00:00Z');
const Q = 15 * 60_000;

function envelope(role: EnvelopeView['role'], source: string, amps: (i: number) => number) {
  const blocks = Array.from({ length: 96 }, (_, i) => ({
    index: i,
    start: new Date(NOW + i * Q).toISOString(),
    end: new Date(NOW + (i + 1) * Q).toISOString(),
    importLimit: { value: amps(i), unit: 'A' as const },
    importLimitA: amps(i),
  }));
  return { role, source, status: 'ACTIVE', blocks } as unknown as EnvelopeView;
}

const history: CapacityHistory = {
  from: new Date(NOW - 24 * 3600_000).toISOString(),
  to: new Date(NOW).toISOString(),
  points: [
    {
      at: new Date(NOW - 6 * 3600_000).toISOString(),
      staticCapacityA: 160,
      effectiveCapacityA: 160,
      sourceLabel: 'Static circuit limit',
      category: 'STATIC',
      fallback: false,
    },
    {
      at: new Date(NOW - 2 * 3600_000).toISOString(),
      staticCapacityA: 160,
      effectiveCapacityA: 40,
      sourceLabel: 'OSCP fallback',
      category: 'FALLBACK_OFFLINE',
      fallback: true,
    },
  ],
  load: [{ at: new Date(NOW - 3600_000).toISOString(), currentA: 35 }],
};

const option = buildOption({
  history,
  envelopes: [
    envelope('LIMIT', 'Forecast 7', (i) => 100 + (i % 4)),
    envelope('STANDBY', 'F', () => 50),
  ],
  timeZone: 'UTC',
  staticCapacityA: 160,
  effectiveCapacityA: 40,
  now: NOW,
});
const series = option.series as {
  id: string;
  step?: string;
  data: unknown[];
  markArea?: { data: unknown[] };
}[];
const byId = (id: string) => series.find((s) => s.id === id)!;

describe('capacity chart', () => {
  it('draws 96 forecast blocks as one step line, with no label per block', () => {
    const scheduled = byId('scheduled');
    expect(scheduled.step).toBe('end');
    expect(scheduled.data).toHaveLength(96 * 2);
    expect(scheduled.markArea).toBeUndefined();
    expect(byId('standby').step).toBe('end');
  });

  it('names the past 24 h and the day ahead once, and shades only fallback in yellow', () => {
    const areas = byId('effective').markArea!.data as [
      { label?: { formatter?: string } },
      unknown,
    ][];
    const labels = areas.map(([start]) => start.label?.formatter).filter(Boolean);
    expect(labels).toEqual(['Next 24 h', 'Past 24 h']);
    expect(areas).toHaveLength(3);
  });

  it('says in the tooltip what is in force at the hovered instant, with its source', () => {
    const format = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const ahead = format([{ axisValue: NOW + 5 * Q + 60_000 }]);
    expect(ahead).toContain('ahead');
    expect(ahead).toContain('Scheduled capacity: <b>101 A (Forecast 7)</b>');
    expect(ahead).toContain('Fallback coverage: <b>50 A</b>');
    const past = format([{ axisValue: NOW - 30 * 60_000 }]);
    expect(past).toContain('Effective capacity: <b>40 A</b>');
    expect(past).toContain('Measured load: <b>35 A</b>');
    expect(past).toContain('Source: Fallback mode · OSCP fallback');
  });

  it('shades a breach red from its start to its end, and a running suspicion amber until now', () => {
    const withBreaches = buildOption({
      history,
      envelopes: [],
      timeZone: 'UTC',
      staticCapacityA: 160,
      effectiveCapacityA: 40,
      now: NOW,
      breaches: {
        status: 'SUSPECTED',
        overSince: new Date(NOW - 30_000).toISOString(),
        episodes: [
          {
            since: new Date(NOW - 3 * 3600_000).toISOString(),
            endedAt: new Date(NOW - 2 * 3600_000).toISOString(),
          },
        ],
      } as never,
    });
    const effective = (withBreaches.series as typeof series).find((s) => s.id === 'effective')!;
    const shaded = (
      effective.markArea!.data as [
        { xAxis: number; label?: { formatter?: string }; itemStyle?: { color?: string } },
        { xAxis: number },
      ][]
    ).filter(([start]) => ['Breach', 'Over the limit'].includes(start.label?.formatter ?? ''));
    expect(shaded.map(([start, end]) => [start.label!.formatter, start.xAxis, end.xAxis])).toEqual([
      ['Breach', NOW - 3 * 3600_000, NOW - 2 * 3600_000],
      ['Over the limit', NOW - 30_000, NOW],
    ]);
    expect(shaded[0]![0].itemStyle!.color).toBe('rgba(250, 82, 82, 0.16)');
  });
});
