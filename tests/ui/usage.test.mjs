// Consumption tokens on the Usage tab, in real Chromium against a real
// server. With only a plain code the tab says no licence gives tokens. Then
// cad (1,000 tokens a month, 200 of overdraft) and sim (50 tokens, given
// once) are added: their cards follow the license_added event. Applications
// spend through the client API (POST /v1/usage); a key sent twice spends
// once and is one row. A spend beyond cad's balance shows as over on its
// card and its row, soon after its token_overdraft event. The product filter,
// Load older (130 spends of ocr, 100 a page) and Export CSV are driven as an
// admin would; a 128-character key and a 256-character note are cut, whole
// in their tooltips, and nothing scrolls sideways at 1366×800 or 800×600.
// Screenshots: usage-empty.png, usage-1366x800.png, usage-800x600.png,
// usage-800x600-spends.png, usage-older.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchChromium, openPage, screenshot, scrollingSideways, waitForReading } from './chromium.mjs';
import { startUiServer } from './server.mjs';

/** A change with an event (a licence added, a spend over the balance) shows within this. */
const FRESH_MS = 2000;
/** A spend within the balance has no event: it shows at the next poll (5 s). */
const POLL_MS = 7000;
const LONG_KEY = `nightly-${'render-farm-'.repeat(11)}`.slice(0, 128);
const LONG_NOTE = `Rendered the full bracket assembly at print resolution for the customer review; ${'every sheet again, '.repeat(12)}`.slice(0, 256).trim();

let server;
let browser;
let page;

const shot = (name) => screenshot(page, name);
const spend = (product, amount, idempotencyKey, { clientId = 'pc-ann', user = 'ann', note = '' } = {}) =>
  server.call('POST', '/v1/usage', { product, amount, idempotencyKey, clientId, user, note }, { admin: false });
const card = (product) => page.getByRole('region', { name: product, exact: true });
/** The spends (the usage history above has a product picker and an Export CSV of its own). */
const spends = () => page.getByRole('region', { name: 'Spends', exact: true });
const table = () => page.getByRole('table', { name: 'Token spends' });
const rows = () => table().locator('tbody tr');
/** Each row's cells as the page shows them. */
const rowTexts = () => rows().evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.replace(/\s+/g, ' ').trim())));
/** A UTC day written as the page writes the day tokens are given again. */
const utcDay = (ms) => page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(at)), ms);

const reads = (what, read, ok, timeout) => waitForReading(page, { read, ok, wrong: (r) => `${what} reads ${JSON.stringify(r)}`, timeout });

/** Nothing scrolls sideways; the long key is cut on one line and the long note after two, both whole in their tooltips (on hover and focus). */
async function assertFits(where) {
  assert.deepEqual(await scrollingSideways(page, [':root', '.main', '.table-wrap', '.token-card']), [], `${where}: scrolls sideways`);
  const key = table().getByText(LONG_KEY, { exact: true });
  const note = table().getByText(LONG_NOTE, { exact: true });
  const [k, n] = await Promise.all([key, note].map((l) => l.evaluate((el) => ({
    cut: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1,
    height: el.getBoundingClientRect().height,
    lineHeight: parseFloat(getComputedStyle(el).lineHeight),
    text: el.textContent,
  }))));
  assert.ok(k.cut && k.text === LONG_KEY && k.height <= k.lineHeight + 1, `${where}: the key is one line, cut: ${JSON.stringify(k)}`);
  assert.ok(n.cut && n.text === LONG_NOTE && n.height <= 2 * n.lineHeight + 1, `${where}: the note is two lines, cut: ${JSON.stringify(n)}`);
}

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'view', seats: 5, customer: 'Northwind Engineering' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('consumption tokens on the Usage tab', () => {
  test('with no code giving tokens, it says so in plain words', async () => {
    await page.goto(server.adminUrl);
    const tabs = await page.getByRole('tab').allInnerTexts();
    assert.deepEqual(tabs.slice(0, 3), ['Licenses', 'Computers', 'Usage']);
    await page.getByRole('tab', { name: 'Usage', exact: true }).click();
    await page.getByText('No licence here gives consumption tokens', { exact: true }).waitFor();
    assert.equal(await table().count(), 0);
    await shot('usage-empty');
  });

  test('codes with tokens added: a card each, following the license_added event, and no spends yet', async () => {
    await server.issueLicense({ product: 'cad', seats: 3, customer: 'Northwind Engineering', tokens: 1000, tokensPeriod: 'month', tokensOverdraft: 200 });
    await server.issueLicense({ product: 'sim', seats: 2, customer: 'Northwind Engineering', tokens: 50, tokensPeriod: 'none' });
    await card('cad').getByText('1,000 of 1,000 tokens left this month', { exact: true }).waitFor({ timeout: FRESH_MS });
    await card('sim').getByText('50 of 50 tokens left', { exact: true }).waitFor({ timeout: FRESH_MS });
    await page.getByText('No spends yet', { exact: true }).waitFor();
    // The plain code gives no tokens: no card.
    assert.equal(await card('view').count(), 0);
    const now = new Date();
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    const cad = (await card('cad').innerText()).replace(/\s+/g, ' ');
    assert.match(cad, /Overdraft Up to 200 tokens beyond the balance, billed by the vendor/);
    assert.ok(cad.includes(`Given again ${await utcDay(nextMonth)} (each month, UTC)`), cad);
    assert.match((await card('sim').innerText()).replace(/\s+/g, ' '), /Overdraft None: spends beyond the balance are refused Given again Given once, not again/);
  });

  test('spends show as rows, newest first; a key sent twice is spent once and listed once', async () => {
    const first = await spend('cad', 300, 'job-1', { note: 'Render of the bracket assembly' });
    const again = await spend('cad', 300, 'job-1', { note: 'Render of the bracket assembly' });
    assert.equal(first.replayed, false);
    assert.equal(again.replayed, true);
    await spend('sim', 20, 'sim-a', { clientId: 'ws-bob', user: 'bob', note: 'Export "final", v2' });
    await reads('the spends', rowTexts, (r) => r.length === 2, POLL_MS);
    const [sim, cad] = await rowTexts();
    assert.deepEqual(sim.slice(1), ['sim', '20', 'bob', 'ws-bob', 'sim-a', 'Export "final", v2']);
    assert.deepEqual(cad.slice(1), ['cad', '300', 'ann', 'pc-ann', 'job-1', 'Render of the bracket assembly']);
    assert.equal(await table().getByText('job-1', { exact: true }).count(), 1);
    assert.equal(await card('cad').getByText('700 of 1,000 tokens left this month', { exact: true }).count(), 1);
    assert.match(await card('cad').innerText(), /Spent\s+300 tokens this month/);
    assert.equal(await card('sim').getByText('30 of 50 tokens left', { exact: true }).count(), 1);
    const { balances } = await server.call('GET', '/admin/v1/usage/ledger');
    assert.deepEqual(balances.map((b) => [b.product, b.spent]).sort(), [['cad', 300], ['sim', 20]]);
  });

  test('a spend beyond the balance shows as over on the card and on its row', async () => {
    const over = await spend('cad', 750, LONG_KEY, { clientId: 'ws-carol-render-node-07.northwind.example', user: 'carol', note: LONG_NOTE });
    assert.equal(over.spend.over, 50);
    await card('cad').getByText('Over balance', { exact: true }).waitFor({ timeout: FRESH_MS });
    const cad = (await card('cad').innerText()).replace(/\s+/g, ' ');
    assert.match(cad, /0 of 1,000 tokens left this month/);
    assert.match(cad, /Over the balance ⚠ 50 tokens over from the overdraft, billed by the vendor; 150 more tokens may go over/);
    const flag = card('cad').locator('.badge-warn', { hasText: '50 tokens over' });
    assert.equal(await flag.count(), 1);
    const [newest] = await rowTexts();
    assert.deepEqual(newest.slice(1, 4), ['cad', '750 50 over', 'carol']);
    assert.equal(await rows().first().locator('.badge-warn', { hasText: '50 over' }).count(), 1);
    assert.equal(await card('sim').getByText('Over balance').count(), 0);
  });

  test('the long key and note are cut, whole in their tooltips, at 1366×800 and 800×600', async () => {
    await assertFits('1366×800');
    await shot('usage-1366x800');
    await page.setViewportSize({ width: 800, height: 600 });
    await assertFits('800×600');
    await shot('usage-800x600');
    await table().scrollIntoViewIfNeeded();
    await shot('usage-800x600-spends');
    await page.locator('.main').evaluate((el) => el.scrollTo(0, 0));
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  test('the product filter asks for one product’s spends', async () => {
    await spends().getByLabel('Product').selectOption('sim');
    await reads('the filtered spends', rowTexts, (r) => r.length === 1 && r[0][1] === 'sim', FRESH_MS);
    await spends().getByLabel('Product').selectOption('');
    await reads('all spends', rowTexts, (r) => r.length === 3, FRESH_MS);
  });

  test('Export CSV saves the rows loaded, quoted', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), spends().getByRole('button', { name: 'Export CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^leasehold-tokens-all-[\dT-]+\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    assert.ok(text.startsWith('\uFEFF'), 'a byte order mark first');
    const lines = text.slice(1).split('\r\n');
    assert.equal(lines[0], 'Seq,When (UTC),Product,Amount,Over,Left after,User,Computer,Key,Note');
    assert.equal(lines.length, 5, 'three spends and a final line end');
    assert.match(lines[1], new RegExp(`^\\d+,[\\dT:.Z-]+,cad,750,50,0,carol,ws-carol-render-node-07.northwind.example,${LONG_KEY},"?${LONG_NOTE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?$`));
    assert.match(lines[2], /^\d+,[\dT:.Z-]+,sim,20,0,30,bob,ws-bob,sim-a,"Export ""final"", v2"$/);
    assert.match(lines[3], /^\d+,[\dT:.Z-]+,cad,300,0,700,ann,pc-ann,job-1,Render of the bracket assembly$/);
  });

  test('Load older pages back through the ledger', async () => {
    await server.issueLicense({ product: 'ocr', seats: 1, customer: 'Northwind Engineering', tokens: 100000, tokensPeriod: 'year' });
    for (let i = 0; i < 130; i++) await spend('ocr', 1, `ocr-${String(i).padStart(3, '0')}`, { note: `page ${i}` });
    const select = spends().getByLabel('Product');
    await reads('the product list', () => select.locator('option').allInnerTexts(), (o) => o.includes('ocr'), POLL_MS);
    await select.selectOption('ocr');
    await reads('the first page of ocr', rowTexts, (r) => r.length === 100 && r[0][5] === 'ocr-129', POLL_MS);
    const footer = page.locator('.ledger-footer');
    assert.match(await footer.innerText(), /^100 spends shown, newest first\./);
    await page.getByRole('button', { name: 'Load older' }).click();
    await reads('ocr after Load older', rowTexts, (r) => r.length === 130, FRESH_MS);
    const all = await rowTexts();
    assert.deepEqual(all.map((r) => r[5]), Array.from({ length: 130 }, (_, i) => `ocr-${String(129 - i).padStart(3, '0')}`));
    assert.match(await footer.innerText(), /130 spends shown, newest first: all of them\./);
    assert.equal(await page.getByRole('button', { name: 'Load older' }).count(), 0);
    await footer.scrollIntoViewIfNeeded();
    await shot('usage-older');
  });
});
