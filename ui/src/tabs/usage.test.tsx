// The Usage tab's consumption tokens: a balance card per product (what is
// left, spent, the overdraft and any of it used, when given again), the
// ledger of spends newest first, filtered by product, paged back with Load
// older, refreshed after a token_overdraft event, exported as CSV.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Balance, Event, LedgerEntry, LedgerPage, Spent } from '../api';
import { formatDateTime, formatDay } from '../format';
import { event, fakeFetch, json, renderWithApi } from '../test/fixtures';
import { csvField } from './ledgerCsv';
import { withNewest } from './ledgerPages';
import { UsageTab } from './UsageTab';

const now = Date.now();
const NEXT_MONTH = Date.UTC(2027, 0, 1);
const NEXT_YEAR = Date.UTC(2028, 0, 1);

const balance = (over: Partial<Balance> = {}): Balance => ({
  product: 'cad', period: 'month', periodStart: Date.UTC(2026, 11, 1), periodEnd: NEXT_MONTH, units: 1000, overdraft: 0, spent: 300, ...over,
});

const spend = (seq: number, over: Partial<Spent> = {}): LedgerEntry => ({
  seq,
  spend: {
    product: 'cad', key: `job-${seq}`, amount: 10, clientId: `pc-${seq}`, user: 'ann', note: `export #${seq}`,
    at: now - 1000 * (1000 - seq), periodStart: Date.UTC(2026, 11, 1), over: 0, left: 500, ...over,
  },
});

/**
 * A server's ledger over `all` (any order): newest first, filtered by
 * `product`, paged by `before` and `limit` as the server does, with
 * `balances()` on every page. `asked` keeps each query.
 */
function ledgerServer(all: () => LedgerEntry[], balances: () => Balance[]) {
  const asked: URLSearchParams[] = [];
  const route = ({ url }: { url: URL }) => {
    const q = url.searchParams;
    asked.push(q);
    const product = q.get('product');
    const before = q.get('before');
    const limit = Number(q.get('limit') ?? 100);
    const matching = all()
      .filter((e) => (!product || e.spend.product === product) && (!before || e.seq < Number(before)))
      .sort((a, b) => b.seq - a.seq);
    const entries = matching.slice(0, limit);
    const page: LedgerPage = { balances: balances(), entries, nextBefore: entries.length === limit ? entries[entries.length - 1].seq : null };
    return json(page);
  };
  return { asked, route, f: fakeFetch({ 'GET /admin/v1/usage/ledger': route }) };
}

const card = (product: string) => screen.getByRole('region', { name: product });
const spendRows = () => within(screen.getByRole('table', { name: 'Token spends' })).getAllByRole('row').slice(1);
const cells = (row: HTMLElement) => within(row).getAllByRole('cell').map((c) => c.textContent);

describe('Usage tab: token balances', () => {
  it('says what is left of each product’s tokens, what was spent, the overdraft, and when they are given again', async () => {
    const { f } = ledgerServer(() => [], () => [
      balance(),
      balance({ product: 'sim', period: 'year', periodEnd: NEXT_YEAR, units: 500, overdraft: 100, spent: 560 }),
      balance({ product: 'scan', period: 'none', periodEnd: null, units: 50, overdraft: 0, spent: 50 }),
    ]);
    renderWithApi(<UsageTab />, f);
    const cad = await screen.findByRole('region', { name: 'cad' });
    expect(within(cad).getByText('700 of 1,000 tokens left this month')).toBeInTheDocument();
    expect(cad).toHaveTextContent('Spent300 tokens this month');
    expect(cad).toHaveTextContent('OverdraftNone: spends beyond the balance are refused');
    expect(cad).toHaveTextContent(`Given again${formatDay(NEXT_MONTH)} (each month, UTC)`);
    expect(within(cad).getByText(formatDay(NEXT_MONTH))).toHaveAttribute('title', formatDateTime(NEXT_MONTH));
    expect(within(cad).queryByText(/over/i, { selector: '.badge' })).not.toBeInTheDocument();

    // 60 beyond the 500: flagged, with the 40 of the overdraft still to go.
    const sim = card('sim');
    expect(within(sim).getByText('0 of 500 tokens left this year')).toBeInTheDocument();
    expect(within(sim).getByText('Over balance', { selector: '.badge' })).toHaveClass('badge-warn');
    const flag = within(sim).getByText('60 tokens over', { selector: '.badge', exact: false });
    expect(flag).toHaveClass('badge-warn');
    expect(flag).toHaveAttribute('title', expect.stringContaining('The vendor bills each such token.'));
    expect(sim).toHaveTextContent('Over the balance⚠ 60 tokens over from the overdraft, billed by the vendor; 40 more tokens may go over');
    expect(sim).toHaveTextContent('OverdraftUp to 100 tokens beyond the balance, billed by the vendor');
    expect(sim).toHaveTextContent(`Given again${formatDay(NEXT_YEAR)} (each year, UTC)`);

    // Given once, and all spent: further spends are refused, and it says so.
    const scan = card('scan');
    expect(within(scan).getByText('0 of 50 tokens left')).toBeInTheDocument();
    expect(within(scan).getByText('Spent out', { selector: '.badge' })).toHaveClass('badge-bad');
    expect(scan).toHaveTextContent('Given againGiven once, not again');
    expect(scan).toHaveTextContent('The balance is spent: further spends of scan are refused.');
  });

  it('says in plain words when no licence gives tokens, and when none is spent yet', async () => {
    let balances: Balance[] = [];
    const { f } = ledgerServer(() => [], () => balances);
    const { unmount } = renderWithApi(<UsageTab />, f);
    expect(await screen.findByText('No licence here gives consumption tokens')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    unmount();

    balances = [balance()];
    renderWithApi(<UsageTab />, f);
    expect(await screen.findByText('No spends yet')).toBeInTheDocument();
    expect(screen.getByText('700 of 1,000 tokens left this month')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  });
});

describe('Usage tab: a server from before tokens', () => {
  it('says it keeps no tokens, rather than an error', async () => {
    renderWithApi(<UsageTab />, fakeFetch({}));
    expect(await screen.findByText('This server keeps no consumption tokens')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('Usage tab: the ledger', () => {
  it('lists the spends newest first, with the over badge, and long keys and notes whole in their tooltips', async () => {
    const key = `nightly-render-${'x'.repeat(100)}`;
    const note = `Rendered the whole assembly ${'again '.repeat(30)}`.trim();
    const { f } = ledgerServer(() => [
      spend(1, { user: '' }),
      spend(2, { product: 'sim', amount: 80, over: 60, left: 0, user: 'bob', clientId: 'ws-bob', key, note }),
    ], () => [balance(), balance({ product: 'sim', units: 500, spent: 560, overdraft: 100 })]);
    renderWithApi(<UsageTab />, f);
    await screen.findByRole('table', { name: 'Token spends' });
    const [newest, oldest] = spendRows();
    expect(cells(newest)).toEqual([formatDateTime(now - 998_000), 'sim', '8060 over', 'bob', 'ws-bob', key, note]);
    expect(within(newest).getByText('60 over')).toHaveClass('badge', 'badge-warn');
    // Cut to their cells, whole in a tooltip on hover and focus (Clip).
    expect(within(newest).getByText(key)).toHaveClass('clip');
    expect(within(newest).getByText(note)).toHaveClass('clip', 'clip-lines');
    expect(cells(oldest)).toEqual([formatDateTime(now - 999_000), 'cad', '10', '—', 'pc-1', 'job-1', 'export #1']);
    expect(within(oldest).queryByText(/over/)).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('2 spends shown, newest first: all of them.');
  });

  it('asks the server for one product’s spends when filtered', async () => {
    const { f, asked } = ledgerServer(() => [spend(1), spend(2, { product: 'sim' }), spend(3)], () => [balance(), balance({ product: 'sim' })]);
    renderWithApi(<UsageTab />, f);
    await screen.findByRole('table', { name: 'Token spends' });
    expect(spendRows()).toHaveLength(3);
    expect(asked[0].has('product')).toBe(false);
    fireEvent.change(screen.getByLabelText('Product'), { target: { value: 'sim' } });
    await waitFor(() => expect(spendRows()).toHaveLength(1));
    expect(asked.at(-1)?.get('product')).toBe('sim');
    expect(cells(spendRows()[0])[1]).toBe('sim');
    // Both cards stay: the filter is of the spends.
    expect(card('cad')).toBeInTheDocument();
  });

  it('loads older spends with before=nextBefore, keeps them through a refresh, and puts a new spend on top', async () => {
    const all = Array.from({ length: 150 }, (_, i) => spend(i + 1));
    let push: (e: Event[]) => void = () => {};
    const { f, asked } = ledgerServer(() => all, () => [balance()]);
    renderWithApi(<UsageTab />, f, { subscribe: (fn) => { push = fn; return () => {}; } });
    await screen.findByRole('table', { name: 'Token spends' });
    expect(spendRows()).toHaveLength(100);
    expect(asked[0].get('limit')).toBe('100');
    expect(screen.getByRole('status')).toHaveTextContent('100 spends shown, newest first.');
    await userEvent.click(screen.getByRole('button', { name: 'Load older' }));
    await waitFor(() => expect(spendRows()).toHaveLength(150));
    expect(asked.at(-1)?.get('before')).toBe('51');
    expect(cells(spendRows()[149])[5]).toBe('job-1');
    expect(screen.getByRole('status')).toHaveTextContent('150 spends shown, newest first: all of them.');
    expect(screen.queryByRole('button', { name: 'Load older' })).not.toBeInTheDocument();

    // A spend beyond the balance comes as an event: the newest page is asked again, the older ones stay.
    all.push(spend(151, { over: 5, note: 'the newest' }));
    act(() => push([event(1, { kind: 'token_overdraft', level: 'warn', message: '5 of cad’s tokens spent beyond the balance' })]));
    await waitFor(() => expect(spendRows()).toHaveLength(151));
    expect(cells(spendRows()[0])[6]).toBe('the newest');
    expect(cells(spendRows()[150])[5]).toBe('job-1');
    expect(asked.at(-1)?.has('before')).toBe(false);
  });

  it('keeps the last spends and balances shown while the server is unreachable', async () => {
    let down = false;
    const { route } = ledgerServer(() => [spend(1)], () => [balance()]);
    let push: (e: Event[]) => void = () => {};
    renderWithApi(<UsageTab />, fakeFetch({ 'GET /admin/v1/usage/ledger': (req) => (down ? 'network' : route(req)) }), { subscribe: (fn) => { push = fn; return () => {}; } });
    await screen.findByRole('table', { name: 'Token spends' });
    down = true;
    act(() => push([event(1, { kind: 'license_removed' })]));
    expect(await screen.findByText(/Showing the last known data/)).toBeInTheDocument();
    expect(spendRows()).toHaveLength(1);
    expect(screen.getByText('700 of 1,000 tokens left this month')).toBeInTheDocument();
  });
});

describe('Usage tab: Export CSV', () => {
  let saved: { name: string; blob: Blob }[];
  /** The file's text, a byte order mark kept (jsdom's Blob has no text(), and readAsText drops the mark). */
  const blobText = (b: Blob) => new Promise<string>((resolve) => {
    const r = new FileReader();
    r.onload = () => resolve(new TextDecoder('utf-8', { ignoreBOM: true }).decode(r.result as ArrayBuffer));
    r.readAsArrayBuffer(b);
  });
  beforeEach(() => {
    saved = [];
    let lastBlob: Blob | undefined;
    // jsdom has no object URLs; keep what the download would save.
    Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: (b: Blob) => { lastBlob = b; return 'blob:csv'; } });
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => {} });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (lastBlob) saved.push({ name: this.download, blob: lastBlob });
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete (URL as { createObjectURL?: unknown }).createObjectURL;
    delete (URL as { revokeObjectURL?: unknown }).revokeObjectURL;
  });

  it('saves the spends loaded as CSV, quoting a note with a comma and a quote', async () => {
    const at = Date.UTC(2026, 11, 1, 9, 30);
    const { f } = ledgerServer(() => [
      spend(7, { at, amount: 80, over: 60, left: 0, user: 'CORP\\bob', clientId: 'ws-bob', key: 'k-7', note: 'Export "final", v2' }),
      spend(8, { at: at + 60_000, user: 'ann', key: '=HYPERLINK("x")', note: 'two\nlines' }),
    ], () => [balance()]);
    renderWithApi(<UsageTab />, f);
    await userEvent.click(await screen.findByRole('button', { name: 'Export CSV' }));
    expect(saved).toHaveLength(1);
    expect(saved[0].name).toMatch(/^leasehold-tokens-all-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/);
    expect(saved[0].blob.type).toBe('text/csv;charset=utf-8');
    const text = await blobText(saved[0].blob);
    expect(text.split('\r\n')).toEqual([
      '\uFEFFSeq,When (UTC),Product,Amount,Over,Left after,User,Computer,Key,Note',
      '8,2026-12-01T09:31:00.000Z,cad,10,0,500,ann,pc-8,"\'=HYPERLINK(""x"")","two\nlines"',
      '7,2026-12-01T09:30:00.000Z,cad,80,60,0,CORP\\bob,ws-bob,k-7,"Export ""final"", v2"',
      '',
    ]);
  });

  it('names the file after the product filtered', async () => {
    const { f } = ledgerServer(() => [spend(1), spend(2, { product: 'sim' })], () => [balance(), balance({ product: 'sim' })]);
    renderWithApi(<UsageTab />, f);
    await screen.findByRole('table', { name: 'Token spends' });
    fireEvent.change(screen.getByLabelText('Product'), { target: { value: 'sim' } });
    await waitFor(() => expect(spendRows()).toHaveLength(1));
    await userEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(saved[0].name).toMatch(/^leasehold-tokens-sim-/);
    expect((await blobText(saved[0].blob)).split('\r\n').slice(1, -1).map((l) => l.split(',')[2])).toEqual(['sim']);
  });
});

describe('the ledger’s pieces', () => {
  it('quotes only what needs it, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField(42)).toBe('42');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('+1 run')).toBe("'+1 run");
    expect(csvField('@sum')).toBe("'@sum");
  });

  it('starts again from the newest when more spends came than a page holds', () => {
    const page = (from: number, to: number, nextBefore: number | null): LedgerPage => ({
      balances: [], entries: Array.from({ length: from - to + 1 }, (_, i) => spend(from - i)), nextBefore,
    });
    const shown = { product: '', entries: page(150, 1, null).entries, nextBefore: null, balances: [] };
    // Overlap: the older spends stay, and nothing older is left to load.
    const joined = withNewest(shown, page(160, 61, 61), '');
    expect(joined.entries.map((e) => e.seq)).toEqual(Array.from({ length: 160 }, (_, i) => 160 - i));
    expect(joined.nextBefore).toBeNull();
    // A gap (spends 151…199 never loaded): only the newest page.
    const restarted = withNewest(shown, page(300, 201, 201), '');
    expect(restarted.entries).toHaveLength(100);
    expect(restarted.nextBefore).toBe(201);
    // Another product's spends are not kept.
    expect(withNewest(shown, page(160, 61, 61), 'sim').entries).toHaveLength(100);
  });
});
