import { LineChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import { Empty } from '../States';
import { buildOption, type CapacityChartInput } from './chart-option';

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

/** Past 24 h of capacity and load, and the envelope blocks ahead, in the microgrid's time zone. */
export function CapacityChart(props: CapacityChartInput) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const { history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now, breaches } =
    props;
  const option = useMemo(
    () =>
      buildOption({
        history,
        envelopes,
        timeZone,
        staticCapacityA,
        effectiveCapacityA,
        now,
        breaches,
      }),
    [history, envelopes, timeZone, staticCapacityA, effectiveCapacityA, now, breaches],
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
