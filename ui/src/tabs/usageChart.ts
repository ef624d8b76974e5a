// The usage history's charts, as data and uPlot options built by plain
// functions (tested without a canvas): which charts a product gets, each
// chart's columns over the range's grid (null where the server wrote no
// point, drawn as a gap), and the look, in the page's light or dark colours.
import type uPlot from 'uplot';
import type { HistoryStep, UsagePoint } from '../api';
import { plural } from '../format';
import { formatStep, STEP_WORDS, type Aligned } from './usageSteps';

export type ChartKey = 'seats' | 'denials' | 'waiting' | 'overdraft' | 'tokens';
type Field = Exclude<keyof UsagePoint, 'at'>;
type Tone = 'accent' | 'muted' | 'bad' | 'warn' | 'info' | 'ok';

export interface ChartLine {
  label: string;
  field: Field;
  tone: Tone;
  dash?: number[];
  /** Shaded down to zero. */
  area?: boolean;
}

export interface ChartSpec {
  key: ChartKey;
  title: string;
  /** One line under the title: what the numbers are. */
  help: string;
  lines: ChartLine[];
  height: number;
}

const SEATS: ChartSpec = {
  key: 'seats',
  title: 'Seats in use',
  help: 'Between the fewest and the most in use each step; the dashed line is the seats licensed, and red shading is use beyond them.',
  lines: [
    { label: 'Most in use', field: 'high', tone: 'accent' },
    { label: 'Fewest in use', field: 'low', tone: 'accent' },
    { label: 'Licensed', field: 'seats', tone: 'muted', dash: [6, 4] },
  ],
  height: 220,
};
const SMALL = 150;
const OTHERS: ChartSpec[] = [
  { key: 'denials', title: 'Denials', help: 'Checkouts and token spends refused.', lines: [{ label: 'Denials', field: 'denials', tone: 'bad', area: true }], height: SMALL },
  { key: 'waiting', title: 'Clients waiting', help: 'The most clients waiting in the queue for a seat.', lines: [{ label: 'Most waiting', field: 'waiting', tone: 'info', area: true }], height: SMALL },
  { key: 'overdraft', title: 'Overdraft seats', help: 'The most seats in use beyond the licensed ones.', lines: [{ label: 'Overdraft seats', field: 'overdraft', tone: 'warn', area: true }], height: SMALL },
];
const TOKENS: ChartSpec = { key: 'tokens', title: 'Tokens spent', help: 'Consumption tokens spent.', lines: [{ label: 'Tokens spent', field: 'tokens', tone: 'ok', area: true }], height: SMALL };

/** The charts of a product: tokens only when it spent some in the range. */
export function chartsFor(points: UsagePoint[]): ChartSpec[] {
  return points.some((p) => p.tokens > 0) ? [SEATS, ...OTHERS, TOKENS] : [SEATS, ...OTHERS];
}

/** uPlot's columns: the steps' starts in seconds, then a column per line, null for a step with no point. */
export function chartData(spec: ChartSpec, a: Aligned): uPlot.AlignedData {
  const xs = a.xs.map((x) => x / 1000);
  return [xs, ...spec.lines.map((l) => a.slots.map((p) => (p ? p[l.field] : null)))];
}

/** The chart in words: each line's highest (the fewest in use: lowest) value, and how many steps have a point. */
export function chartSummary(spec: ChartSpec, a: Aligned): string {
  const seen = a.slots.filter((p): p is UsagePoint => p !== null);
  if (!seen.length) return `${spec.title}: no point in this range.`;
  const parts = spec.lines.map((l) => {
    const values = seen.map((p) => p[l.field]);
    return l.field === 'low' ? `${l.label}: lowest ${Math.min(...values).toLocaleString()}.` : `${l.label}: highest ${Math.max(...values).toLocaleString()}.`;
  });
  return `${spec.title}. ${parts.join(' ')} ${seen.length.toLocaleString()} of ${plural(a.slots.length, STEP_WORDS[a.step][0], STEP_WORDS[a.step][1])} have a point.`;
}

/** The page's colours (its CSS variables), read again when the scheme changes. */
export interface Palette extends Record<Tone, string> {
  text: string;
  grid: string;
  surface: string;
}

const FALLBACK: Palette = { text: '#1b2430', muted: '#5a6676', grid: '#dde3e9', surface: '#ffffff', accent: '#2f5d8a', bad: '#b3261e', warn: '#8a5a00', info: '#25598f', ok: '#1d7a46' };

export function readPalette(el: Element = document.documentElement): Palette {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', FALLBACK.text), muted: v('--muted', FALLBACK.muted), grid: v('--border', FALLBACK.grid), surface: v('--surface', FALLBACK.surface),
    accent: v('--accent', FALLBACK.accent), bad: v('--bad', FALLBACK.bad), warn: v('--warn', FALLBACK.warn), info: v('--info', FALLBACK.info), ok: v('--ok', FALLBACK.ok),
  };
}

/** `#rrggbb` at opacity `a`, for fills (other colours as they are). */
export function withAlpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return m ? `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${a})` : color;
}

/** The top of the value axis: at least 1, a tenth above the peak, so a flat zero still draws a baseline. */
export function axisTop(max: number | null | undefined): number {
  const m = Number.isFinite(max) ? Number(max) : 0;
  return m <= 0 ? 1 : Math.ceil(m * 1.1);
}

// Whole numbers only: counts of seats, clients and tokens.
const INCRS = Array.from({ length: 10 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';

/** The last index of `col` with a value (the newest point), or null. */
function lastIndex(col: ArrayLike<number | null | undefined>): number | null {
  for (let i = col.length - 1; i >= 0; i--) if (col[i] != null) return i;
  return null;
}

/** A Date whose local fields read `ts` (unix seconds) in UTC: uPlot's axis then labels UTC days. */
export function utcAsLocal(ts: number): Date {
  const d = new Date(ts * 1000);
  return new Date(d.getTime() + d.getTimezoneOffset() * 60_000);
}

export interface ChartLook {
  width: number;
  step: HistoryStep;
  palette: Palette;
  /** Cursors move together in every chart with this key. */
  syncKey: string;
  /** After each draw (the chart is on screen). */
  onDraw?: (u: uPlot) => void;
}

/**
 * uPlot's options for `spec`. The legend shows the values where the
 * pointer is, and the newest point's when it is elsewhere; a step without
 * a point says so.
 */
export function chartOptions(spec: ChartSpec, look: ChartLook): uPlot.Options {
  const { palette: p, step } = look;
  // Where the legend reads: the hovered step, else the newest point.
  const at = (u: uPlot, idx: number | null) => (idx ?? lastIndex(u.data[1]));
  const axis = { stroke: p.muted, font: FONT, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1, size: 4 } };
  const series: uPlot.Series[] = [
    {
      label: 'Time',
      value: (u, _raw, _s, idx) => {
        const i = at(u, idx);
        if (i === null) return '—';
        const when = formatStep(Number(u.data[0][i]) * 1000, step);
        if (u.data[1][i] == null) return `${when}: no point (server not running)`;
        return idx === null ? `${when} (newest)` : when;
      },
    },
    ...spec.lines.map((l): uPlot.Series => ({
      label: l.label,
      stroke: p[l.tone],
      width: l.field === 'seats' ? 1.5 : 1.25,
      dash: l.dash,
      fill: l.area ? withAlpha(p[l.tone], 0.18) : undefined,
      points: { show: false },
      value: (u, _raw, s, idx) => {
        const i = at(u, idx);
        const v = i === null ? null : u.data[s][i];
        return v == null ? '—' : v.toLocaleString();
      },
    })),
  ];
  const bands: uPlot.Band[] = spec.key === 'seats'
    ? [{ series: [1, 2], fill: withAlpha(p.accent, 0.22) }, { series: [1, 3], fill: withAlpha(p.bad, 0.35) }]
    : [];
  return {
    width: look.width,
    height: spec.height,
    series,
    bands,
    // Days are UTC days, as the server counts them; minutes and hours in local time.
    ...(step === 'day' ? { tzDate: utcAsLocal } : {}),
    scales: {
      x: { time: true },
      y: { range: (_u, _min, max) => [0, axisTop(max)] },
    },
    axes: [
      { ...axis, space: 60 },
      {
        ...axis,
        incrs: INCRS,
        values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? v.toLocaleString() : '')),
        size: (_u, values) => 14 + 7.5 * Math.max(2, ...(values ?? []).map((v) => String(v).length)),
      },
    ],
    cursor: { sync: { key: look.syncKey }, drag: { x: false, y: false }, y: false, points: { size: 7 } },
    legend: { live: true },
    hooks: { draw: look.onDraw ? [look.onDraw] : [] },
  };
}
