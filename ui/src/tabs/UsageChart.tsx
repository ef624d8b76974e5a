// One chart of the usage history: uPlot on a canvas, as wide as its box
// (followed with a ResizeObserver), its legend reading the values where
// the pointer is. uPlot is loaded the first time a chart is drawn (only
// this tab needs it). Built again when the chart, step or colours change;
// new points of the same chart are only handed to it. `data-drawn` says
// which data the canvas shows, once drawn (the benchmark and tests wait on it).
import { useEffect, useId, useRef, useState } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HistoryStep } from '../api';
import { chartOptions, type ChartSpec, type Palette } from './usageChart';
import { ErrorProse } from '../components/Prose';

export interface UsageChartProps {
  spec: ChartSpec;
  data: uPlot.AlignedData;
  step: HistoryStep;
  palette: Palette;
  /** Names the data shown (range, product, load), written to `data-drawn` after each draw. */
  dataKey: string;
  /** The chart in words, for screen readers (the table toggle lists every point). */
  summary: string;
}

const SYNC_KEY = 'leasehold-usage';

let uplotModule: Promise<typeof uPlot> | undefined;
/** uPlot's class, loaded once; a failed load is tried again by the next chart. */
function loadUPlot(): Promise<typeof uPlot> {
  uplotModule ??= import('uplot').then((m) => m.default, (e: unknown) => { uplotModule = undefined; throw e; });
  return uplotModule;
}

export function UsageChart({ spec, data, step, palette, dataKey, summary }: UsageChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ data, dataKey });
  latest.current = { data, dataKey };
  const [failed, setFailed] = useState<unknown>();
  const titleId = useId();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let cancelled = false;
    let stop = () => {};
    loadUPlot().then((UPlot) => {
      if (cancelled) return;
      const width = () => Math.max(el.clientWidth, 200);
      const onDraw = () => { el.dataset.drawn = latest.current.dataKey; };
      const u = new UPlot(chartOptions(spec, { width: width(), step, palette, syncKey: SYNC_KEY, onDraw }), latest.current.data, el);
      plot.current = u;
      const ro = typeof ResizeObserver === 'undefined' ? undefined : new ResizeObserver(() => {
        const w = width();
        if (Math.abs(w - u.width) >= 1) u.setSize({ width: w, height: spec.height });
      });
      ro?.observe(el);
      stop = () => {
        ro?.disconnect();
        u.destroy();
        plot.current = null;
        delete el.dataset.drawn;
      };
    }, (e: unknown) => { if (!cancelled) setFailed(e); });
    return () => {
      cancelled = true;
      stop();
    };
  }, [spec, step, palette]);

  useEffect(() => {
    const u = plot.current;
    if (u && u.data !== data) u.setData(data);
  }, [data]);

  return (
    <figure className="card usage-chart" aria-labelledby={titleId}>
      <figcaption>
        <h3 id={titleId}>{spec.title}</h3>
        <p className="muted small">{spec.help}</p>
      </figcaption>
      <p className="sr-only">{summary}</p>
      {failed ? <p className="notice notice-error">The chart could not be loaded: <ErrorProse error={failed} /> Show as table lists the same points.</p> : null}
      <div ref={box} className="usage-plot" data-chart={spec.key} />
    </figure>
  );
}
