import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef } from 'react';
import type { MeasurementView } from '../../../api/types';
import { buildMeasurementOption } from './measurement-chart-option';

echarts.use([BarChart, GridComponent, TooltipComponent, AriaComponent, CanvasRenderer]);

/** Published energy per window (bars coloured by delivery). */
export function MeasurementChart({
  items,
  timeZone,
}: {
  items: readonly MeasurementView[];
  timeZone: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);
  const option = useMemo(() => buildMeasurementOption(items, timeZone), [items, timeZone]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = () => instance.resize();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(resize);
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { replaceMerge: ['series', 'xAxis'], lazyUpdate: true });
  }, [option]);

  return (
    <div
      ref={container}
      style={{ height: 200, width: '100%' }}
      data-testid="measurement-chart"
      data-windows={items.length}
      role="img"
      aria-label="Energy published per window"
    />
  );
}
