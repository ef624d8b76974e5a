// Usage over time on the Usage tab: the range buttons ask for the right
// span and step, the product picker, steps with no point become gaps
// (null) in the charts' data, the legends, the table toggle, Export CSV,
// the empty state, an older server, and the last data kept through an
// outage. uPlot draws on canvas, which jsdom lacks: a fake stands in and
// keeps what each chart was given.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type uPlot from 'uplot';
import type { UsageHistory as History, UsagePoint } from '../api';
import { fakeFetch, json, renderWithApi } from '../test/fixtures';
import { chartData, chartOptions, chartsFor, chartSummary, readPalette } from './usageChart';
import { usageCsv, usageCsvName } from './usageCsv';
import { UsageHistory } from './UsageHistory';
import { alignPoints, rangeQuery, tableRows } from './usageSteps';

interface Fake { opts: uPlot.Options; data: uPlot.AlignedData; target: HTMLElement; destroyed: boolean }
const plots = vi.hoisted(() => [] as Fake[]);
vi.mock('uplot', () => {
  class FakePlot {
    static tzDate = (d: Date) => d;
    destroyed = false;
    width: number;
    constructor(public opts: uPlot.Options, public data: uPlot.AlignedData, public target: HTMLElement) {
      this.width = opts.width;
      plots.push(this);
      this.draw();
    }
    draw() { for (const h of (this.opts.hooks?.draw ?? []) as ((u: unknown) => void)[]) h(this); }
    setData(d: uPlot.AlignedData) { this.data = d; this.draw(); }
    setSize({ width }: { width: number }) { this.width = width; }
    destroy() { this.destroyed = true; }
  }
  return { default: FakePlot };
});

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const pt = (at: number, over: Partial<UsagePoint> = {}): UsagePoint => ({ at, high: 3, low: 1, seats: 5, denials: 0, waiting: 0, overdraft: 0, tokens: 0, ...over });

/** The minutes of the last hour of `product`, but for the ten minutes 30–20 ago. */
function minutes(now: number, over: Partial<UsagePoint> = {}): UsagePoint[] {
  const m = now - (now % MIN);
  const out: UsagePoint[] = [];
  for (let at = m - 60 * MIN; at < m; at += MIN) if (at < m - 30 * MIN || at >= m - 20 * MIN) out.push(pt(at, over));
  return out;
}

/**
 * A server's usage history: `points(product, step, from, to)` for each
 * product of `products`, filtered by `product=` as the server does; `asked`
 * keeps each query; `down` makes it unreachable.
 */
function historyServer(products: string[], points: (product: string, step: string, from: number, to: number) => UsagePoint[]) {
  const asked: URLSearchParams[] = [];
  const state = { down: false };
  const f = fakeFetch({
    'GET /admin/v1/usage': ({ url }) => {
      if (state.down) return 'network';
      const q = url.searchParams;
      asked.push(q);
      const [from, to, step] = [Number(q.get('from')), Number(q.get('to')), q.get('step') ?? 'minute'];
      const series = products.filter((p) => !q.get('product') || q.get('product') === p).map((product) => ({ product, points: points(product, step, from, to) }));
      const body: History = { step: step as History['step'], from, to, series };
      return json(body);
    },
  });
  return { f, asked, state };
}

const live = (chart: string) => plots.filter((p) => !p.destroyed && p.target.dataset.chart === chart);
const drawnKeys = () => [...document.querySelectorAll<HTMLElement>('.usage-plot')].map((e) => e.dataset.drawn);

beforeEach(() => { plots.length = 0; });

describe('Usage over time: ranges and products', () => {
  it('asks for the last day a minute at a time, then a week and a month an hour, a year a day', async () => {
    const { f, asked } = historyServer(['cad', 'sim'], (p, step, _from, to) => (step === 'day' ? [pt(to - (to % DAY))] : p === 'cad' ? minutes(to) : []));
    const before = Date.now();
    renderWithApi(<UsageHistory />, f);
    await waitFor(() => expect(drawnKeys()).toHaveLength(4));
    // The products: every product's days; then cad's minutes.
    expect(asked[0].get('step')).toBe('day');
    expect(asked[0].has('product')).toBe(false);
    expect(asked[1].get('product')).toBe('cad');
    expect(asked[1].get('step')).toBe('minute');
    const to = Number(asked[1].get('to'));
    expect(to).toBeGreaterThanOrEqual(before);
    expect(to).toBeLessThanOrEqual(Date.now());
    expect(to - Number(asked[1].get('from'))).toBe(DAY);
    expect(screen.getByRole('button', { name: 'Day' })).toHaveAttribute('aria-pressed', 'true');

    // Then the product shown first (its charts draw at once), then the range's products.
    const brief = (q: URLSearchParams) => [q.get('product'), q.get('step'), Number(q.get('to')) - Number(q.get('from'))];
    for (const [name, step, span] of [['Week', 'hour', 7 * DAY], ['Month', 'hour', 30 * DAY], ['Year', 'day', 365 * DAY]] as const) {
      const n = asked.length;
      await userEvent.click(screen.getByRole('button', { name }));
      await waitFor(() => expect(asked.length).toBe(n + 2));
      expect(brief(asked[n])).toEqual(['cad', step, span]);
      expect(brief(asked[n + 1])).toEqual([null, 'day', span]);
      expect(screen.getByRole('button', { name })).toHaveAttribute('aria-pressed', 'true');
    }
    await waitFor(() => expect(drawnKeys().every((k) => k?.startsWith('year|cad|'))).toBe(true));
    expect(screen.getByText('The last 365 days, a point a day (days in UTC).')).toBeInTheDocument();
  });

  it('shows the first product, asks for the one picked, and keeps the choice in a range where it has no point', async () => {
    const { f, asked } = historyServer(['cad', 'sim'], (p, step, from, to) => {
      if (p === 'sim' && to - from > 2 * DAY) return [];
      return step === 'day' ? [pt(to - (to % DAY))] : minutes(to, { high: p === 'sim' ? 9 : 3 });
    });
    renderWithApi(<UsageHistory />, f);
    const select = await screen.findByLabelText<HTMLSelectElement>('Product');
    expect([...select.options].map((o) => o.value)).toEqual(['cad', 'sim']);
    expect(select).toHaveValue('cad');
    fireEvent.change(select, { target: { value: 'sim' } });
    await waitFor(() => expect(drawnKeys().every((k) => k?.startsWith('day|sim|'))).toBe(true));
    expect(asked.at(-1)!.get('product')).toBe('sim');
    expect(Math.max(...(live('seats')[0].data[1] as number[]))).toBe(9);
    await userEvent.click(screen.getByRole('button', { name: 'Week' }));
    expect(await screen.findByText('No usage of sim recorded in this range yet')).toBeInTheDocument();
    expect(screen.getByLabelText('Product')).toHaveValue('sim');
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  });

  it('says in plain words when nothing is recorded in the range yet', async () => {
    const { f } = historyServer([], () => []);
    renderWithApi(<UsageHistory />, f);
    expect(await screen.findByText('No usage recorded in this range yet')).toBeInTheDocument();
    expect(screen.getByText(/The server writes a point each minute/)).toBeInTheDocument();
    expect(screen.queryByLabelText('Product')).not.toBeInTheDocument();
  });

  it('says so when the server is from before the history', async () => {
    renderWithApi(<UsageHistory />, fakeFetch({}));
    expect(await screen.findByText('This server keeps no usage history')).toBeInTheDocument();
  });

  it('asks again every minute (the products every 10), and keeps the charts shown while the server is unreachable', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { f, asked, state } = historyServer(['cad'], (_p, step, _from, to) => (step === 'day' ? [pt(to - (to % DAY))] : minutes(to)));
      renderWithApi(<UsageHistory />, f);
      await waitFor(() => expect(drawnKeys()).toHaveLength(4));
      // A minute on: the product's points again; the list of products is kept 10 minutes.
      const n = asked.length;
      await act(async () => { vi.advanceTimersByTime(60_000); });
      await waitFor(() => expect(asked.length).toBe(n + 1));
      expect(asked[n].get('product')).toBe('cad');
      await act(async () => { vi.advanceTimersByTime(10 * 60_000); });
      await waitFor(() => expect(asked.slice(n + 1).some((q) => !q.has('product'))).toBe(true));
      state.down = true;
      await act(async () => { vi.advanceTimersByTime(60_000); });
      expect(await screen.findByText(/Showing the last known data/)).toBeInTheDocument();
      expect(live('seats')).toHaveLength(1);
      expect(drawnKeys()).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('Usage over time: charts, table and CSV', () => {
  it('draws a missing step as a gap (null), not a zero, and a tokens chart only when tokens were spent', async () => {
    // Five seconds into a minute: the points asked for and the minute this
    // test reads are the same one (a real clock could cross a minute here).
    vi.useFakeTimers({ shouldAdvanceTime: true, now: Date.UTC(2026, 11, 1, 12, 0, 5) });
    try {
      const { f } = historyServer(['cad'], (_p, step, _from, to) => (step === 'day' ? [pt(to - (to % DAY))] : minutes(to, { tokens: 0 })));
      renderWithApi(<UsageHistory />, f);
      await waitFor(() => expect(drawnKeys()).toHaveLength(4));
      expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['Seats in use', 'Denials', 'Clients waiting', 'Overdraft seats']);
      await waitFor(() => expect(live('seats')).toHaveLength(1));
      const [xs, high, low, seats] = live('seats')[0].data as number[][];
      const m = Date.now() - (Date.now() % MIN);
      const at = (ms: number) => xs.indexOf(ms / 1000);
      expect(high[at(m - 25 * MIN)]).toBeNull();
      expect(high[at(m - 35 * MIN)]).toBe(3);
      expect(low[at(m - 35 * MIN)]).toBe(1);
      expect(seats[at(m - 35 * MIN)]).toBe(5);
      // Before the first point: nulls too; the grid is every minute of the day.
      expect(high[0]).toBeNull();
      expect(xs[1] - xs[0]).toBe(60);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lists the points newest first in a table, with the gap, when asked', async () => {
    const { f } = historyServer(['cad'], (_p, step, _from, to) => (step === 'day' ? [pt(to - (to % DAY))] : minutes(to, { high: 7, low: 2, seats: 5, overdraft: 2, denials: 4, waiting: 1, tokens: 30 })));
    renderWithApi(<UsageHistory />, f);
    await waitFor(() => expect(drawnKeys()).toHaveLength(5));
    const toggle = screen.getByRole('button', { name: 'Show as table' });
    toggle.focus();
    await userEvent.keyboard('{Enter}');
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    const table = screen.getByRole('region', { name: 'Usage of cad, a row per minute' });
    const rows = within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(rows[0].slice(1)).toEqual(['2–7', '5', '2', '4', '1', '30']);
    expect(rows[20]).toEqual([expect.stringMatching(/^No point from .+ to .+ \(10 minutes\): the server was not running\.$/)]);
    expect(rows.filter((r) => r.length > 1)).toHaveLength(50);
    expect(live('seats')).toHaveLength(0);
    await userEvent.click(toggle);
    await waitFor(() => expect(live('seats')).toHaveLength(1));
  });

  it('exports every point of the product in the range as CSV', async () => {
    let saved: Blob | undefined;
    let name = '';
    Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: (b: Blob) => { saved = b; return 'blob:csv'; } });
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => {} });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { name = this.download; });
    const { f } = historyServer(['cad'], (_p, step, _from, to) => (step === 'day' ? [pt(to - (to % DAY))] : minutes(to)));
    renderWithApi(<UsageHistory />, f);
    await waitFor(() => expect(drawnKeys()).toHaveLength(4));
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(name).toMatch(/^leasehold-usage-cad-day-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/);
    // jsdom's Blob has no text(), and readAsText drops the byte order mark.
    const text = await new Promise<string>((resolve) => {
      const r = new FileReader();
      r.onload = () => resolve(new TextDecoder('utf-8', { ignoreBOM: true }).decode(r.result as ArrayBuffer));
      r.readAsArrayBuffer(saved!);
    });
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('\uFEFFProduct,Step,Start (UTC),Most in use,Fewest in use,Seats licensed,Overdraft seats,Denials,Most waiting,Tokens spent');
    expect(lines).toHaveLength(52);
    expect(lines[1]).toMatch(/^cad,minute,\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000Z,3,1,5,0,0,0,0$/);
    delete (URL as { createObjectURL?: unknown }).createObjectURL;
    delete (URL as { revokeObjectURL?: unknown }).revokeObjectURL;
  });
});

describe('Usage over time: the pieces', () => {
  const t0 = Date.UTC(2026, 11, 1, 9, 0);

  it('lays points on every step of the range and leaves the steps not written yet out', () => {
    const q = { from: t0 - 10 * MIN + 5_000, to: t0 + 20_000, step: 'minute' as const };
    const a = alignPoints([pt(t0 - 10 * MIN), pt(t0 - 7 * MIN), pt(t0 - 2 * MIN)], q);
    // 8:50 … 8:59; 9:00 is running (not written yet), 8:59 was written seconds ago (a gap now).
    expect(a.xs.map((x) => (x - t0) / MIN)).toEqual([-10, -9, -8, -7, -6, -5, -4, -3, -2]);
    expect(a.slots.map((p) => (p ? 1 : 0))).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(tableRows(a).map((r) => (r.kind === 'gap' ? `gap ${r.steps}` : 'point'))).toEqual(['point', 'gap 4', 'point', 'gap 2', 'point']);
    expect(rangeQuery('month', t0)).toEqual({ from: t0 - 30 * DAY, to: t0, step: 'hour' });
    expect(alignPoints([], { from: t0 - 365 * DAY, to: t0, step: 'day' }).xs).toHaveLength(365);
  });

  it('gives the charts their columns, nulls for gaps, and legends that read the hovered or newest point', () => {
    const q = { from: t0 - 3 * HOUR, to: t0, step: 'hour' as const };
    const a = alignPoints([pt(t0 - 3 * HOUR, { high: 4, tokens: 2 }), pt(t0 - HOUR, { high: 6, low: 2 })], q);
    const [seats, ...rest] = chartsFor([pt(0, { tokens: 2 })]);
    expect([seats.key, ...rest.map((s) => s.key)]).toEqual(['seats', 'denials', 'waiting', 'overdraft', 'tokens']);
    const data = chartData(seats, a);
    expect(data).toEqual([[(t0 - 3 * HOUR) / 1000, (t0 - 2 * HOUR) / 1000, (t0 - HOUR) / 1000], [4, null, 6], [1, null, 2], [5, null, 5]]);
    const opts = chartOptions(seats, { width: 600, step: 'hour', palette: readPalette(), syncKey: 'k' });
    const u = { data } as unknown as uPlot;
    const value = (s: number, idx: number | null) => (opts.series[s].value as (u: uPlot, v: number, s: number, i: number | null) => string)(u, 0, s, idx);
    expect(value(1, 0)).toBe('4');
    expect(value(1, null)).toBe('6');
    expect(value(0, null)).toMatch(/\(newest\)$/);
    expect(value(1, 1)).toBe('—');
    expect(value(0, 1)).toMatch(/: no point \(server not running\)$/);
    expect(opts.bands).toHaveLength(2);
    expect(chartSummary(seats, a)).toBe('Seats in use. Most in use: highest 6. Fewest in use: lowest 1. Licensed: highest 5. 2 of 3 hours have a point.');
    expect(opts.scales?.y?.range).toBeTypeOf('function');
  });

  it('writes CSV rows quoted where needed, and a file name a file system takes', () => {
    const csv = usageCsv('cad "pro", 2', 'hour', [pt(t0, { tokens: 12 }), pt(t0 + HOUR, { high: 11, overdraft: 1 })]);
    expect(csv.split('\r\n')).toEqual([
      'Product,Step,Start (UTC),Most in use,Fewest in use,Seats licensed,Overdraft seats,Denials,Most waiting,Tokens spent',
      '"cad ""pro"", 2",hour,2026-12-01T09:00:00.000Z,3,1,5,0,0,0,12',
      '"cad ""pro"", 2",hour,2026-12-01T10:00:00.000Z,11,1,5,1,0,0,0',
      '',
    ]);
    expect(usageCsvName('cad/pro: 2', 'week', 'STAMP')).toBe('leasehold-usage-cad_pro_2-week-STAMP.csv');
  });
});

afterEach(() => { vi.restoreAllMocks(); });
