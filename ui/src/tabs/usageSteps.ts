// The usage history's time: the ranges the admin picks (Day, Week, Month,
// Year, each ending now), the question each asks the server, and the
// answer laid on a grid of every step in the range, a missing step (the
// server was not running) left empty rather than counted as zero.
import type { HistoryStep, UsagePoint } from '../api';
import { formatDateTime, formatDay } from '../format';

export type RangeKey = 'day' | 'week' | 'month' | 'year';

const DAY_MS = 86_400_000;

export const STEP_MS: Record<HistoryStep, number> = { minute: 60_000, hour: 3_600_000, day: DAY_MS };

export interface Range {
  key: RangeKey;
  label: string;
  spanMs: number;
  step: HistoryStep;
  /** What the range shows, in a line under the buttons. */
  description: string;
}

export const RANGES: Range[] = [
  { key: 'day', label: 'Day', spanMs: DAY_MS, step: 'minute', description: 'The last 24 hours, a point a minute' },
  { key: 'week', label: 'Week', spanMs: 7 * DAY_MS, step: 'hour', description: 'The last 7 days, a point an hour' },
  { key: 'month', label: 'Month', spanMs: 30 * DAY_MS, step: 'hour', description: 'The last 30 days, a point an hour' },
  { key: 'year', label: 'Year', spanMs: 365 * DAY_MS, step: 'day', description: 'The last 365 days, a point a day (days in UTC)' },
];

export const rangeOf = (key: RangeKey): Range => RANGES.find((r) => r.key === key) ?? RANGES[0];

/** What the server is asked for `range`, ending `now`. */
export interface RangeQuery {
  from: number;
  to: number;
  step: HistoryStep;
}

export function rangeQuery(key: RangeKey, now: number): RangeQuery {
  const r = rangeOf(key);
  return { from: now - r.spanMs, to: now, step: r.step };
}

/** The range's every step, oldest first, each with its point or null (no point: the server was not running). */
export interface Aligned {
  step: HistoryStep;
  /** Each step's start (unix ms). */
  xs: number[];
  slots: (UsagePoint | null)[];
}

/**
 * A step's point is written once the step's first minute is over, a few
 * seconds after (the minute running is kept in memory): an empty step this
 * close to the end of the range is not written yet, not a gap.
 */
const WRITE_LAG_MS = 30_000;

/**
 * Lays `points` on the grid of `q`'s steps (UTC-aligned, as the server
 * aligns them), without the steps at the end not written yet.
 */
export function alignPoints(points: UsagePoint[], q: RangeQuery): Aligned {
  const ms = STEP_MS[q.step];
  const start = Math.floor(q.from / ms) * ms;
  const n = Math.max(0, Math.ceil((q.to - start) / ms));
  const xs = new Array<number>(n);
  for (let i = 0; i < n; i++) xs[i] = start + i * ms;
  const slots = new Array<UsagePoint | null>(n).fill(null);
  for (const p of points) {
    const i = Math.floor((p.at - start) / ms);
    if (i >= 0 && i < n) slots[i] = p;
  }
  while (slots.length && slots[slots.length - 1] === null && xs[xs.length - 1] > q.to - ms - WRITE_LAG_MS) {
    slots.pop();
    xs.pop();
  }
  return { step: q.step, xs, slots };
}

/** A row of the table: a point, or a run of steps with none. */
export type TableRow =
  | { kind: 'point'; point: UsagePoint }
  | { kind: 'gap'; from: number; to: number; steps: number };

/** The table's rows, newest first; each run of missing steps is one row. */
export function tableRows(a: Aligned): TableRow[] {
  const rows: TableRow[] = [];
  const ms = STEP_MS[a.step];
  let gapEnd = -1;
  for (let i = a.slots.length - 1; i >= 0; i--) {
    const p = a.slots[i];
    if (p) {
      if (gapEnd >= 0) rows.push(gapRow(a, i + 1, gapEnd, ms));
      gapEnd = -1;
      rows.push({ kind: 'point', point: p });
    } else if (gapEnd < 0) {
      gapEnd = i;
    }
  }
  if (gapEnd >= 0) rows.push(gapRow(a, 0, gapEnd, ms));
  return rows;
}

function gapRow(a: Aligned, first: number, last: number, ms: number): TableRow {
  return { kind: 'gap', from: a.xs[first], to: a.xs[last] + ms, steps: last - first + 1 };
}

/** A step's start as people read it: date and time (local) for minutes and hours, the UTC day for days. */
export function formatStep(at: number, step: HistoryStep): string {
  return step === 'day' ? formatDay(at) : formatDateTime(at);
}

export const STEP_WORDS: Record<HistoryStep, [string, string]> = { minute: ['minute', 'minutes'], hour: ['hour', 'hours'], day: ['day', 'days'] };
