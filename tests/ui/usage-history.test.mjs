// Usage over time on the Usage tab, in real Chromium against a real server
// whose history was written into its database before it started
// (history-fill.mjs): cad's last 24 hours a minute at a time, in three
// blocks around a two-hour gap (the server "not running"), hours for 8
// days, days for 200 with a month missing; sim a little of each. The
// charts draw on canvas and their legends read the values under the
// pointer (and the newest point's otherwise); the range buttons ask for
// the right steps; the product picker; the table toggle lists the points
// and the gap; Export CSV saves the points shown. Light and dark, at
// 1366×800 and 800×600, nothing scrolls sideways.
// Screenshots: /tmp/usage-history-{1366x800,800x600}-{light,dark}.png,
// /tmp/usage-history-year.png, /tmp/usage-history-table.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchChromium, openPage, scrollingSideways, waitForReading } from './chromium.mjs';
import { DAY_MS, fillHistory, HOUR_MS, MINUTE_MS, point } from './history-fill.mjs';
import { startUiServer } from './server.mjs';

const NOW = Date.now();
const M = NOW - (NOW % MINUTE_MS);
const H = NOW - (NOW % HOUR_MS);
const D = NOW - (NOW % DAY_MS);

/** cad's minute blocks: A (quiet), the gap, B (over its 10 seats, denials, a client waiting, tokens), C (now). */
function cadMinute(at) {
  if (at < M - 12 * HOUR_MS) return { high: 4, low: 2 };
  if (at < M - 10 * HOUR_MS) return null;
  if (at < M - 4 * HOUR_MS) return { high: 12, low: 9, overdraft: 2, denials: 3, waiting: 1, tokens: 5 };
  return { high: 6, low: 5 };
}

function historyRows() {
  const rows = [];
  // From 23 h 50 min ago: still inside the Day range when the test reads it minutes later.
  for (let at = M - 24 * HOUR_MS + 10 * MINUTE_MS; at < M; at += MINUTE_MS) {
    const v = cadMinute(at);
    if (v) rows.push(point('minute', at, 'cad', v));
  }
  for (let at = M - 30 * MINUTE_MS; at < M; at += MINUTE_MS) rows.push(point('minute', at, 'sim', { high: 1, low: 0, seats: 2 }));
  for (let at = H - 8 * DAY_MS; at < H; at += HOUR_MS) rows.push(point('hour', at, 'cad', { high: 7, low: 3, denials: 1, tokens: 2 }));
  for (let at = H - 2 * DAY_MS; at < H; at += HOUR_MS) rows.push(point('hour', at, 'sim', { high: 2, low: 0, seats: 2 }));
  for (let at = D - 200 * DAY_MS; at <= D; at += DAY_MS) {
    if (at >= D - 120 * DAY_MS && at < D - 90 * DAY_MS) continue;
    rows.push(point('day', at, 'cad', { high: 9, low: 0, denials: 4, tokens: 40 }));
  }
  for (let at = D - DAY_MS; at <= D; at += DAY_MS) rows.push(point('day', at, 'sim', { high: 2, low: 0, seats: 2 }));
  return rows;
}
const ROWS = historyRows();
const CAD_MINUTES = ROWS.filter((r) => r.step === 'minute' && r.product === 'cad');

let server;
let browser;
let page;
/** Every usage history question the page asked. */
const asked = [];

const section = () => page.getByRole('region', { name: 'Use over time' });
const charts = () => section().locator('.usage-plot');
const rangeButton = (name) => section().getByRole('group', { name: 'Range' }).getByRole('button', { name, exact: true });
/** A chart's legend as "Label: value" pairs. */
const legend = (chart) => section().locator(`.usage-plot[data-chart="${chart}"] .u-legend`).evaluate((el) => [...el.querySelectorAll('.u-series')]
  .map((tr) => `${tr.querySelector('.u-label').textContent}: ${tr.querySelector('.u-value').textContent}`).join(' '));

/** Waits until every chart shows `range`'s data of `product` (their draw hook wrote it). */
async function drawn(range, product, count) {
  await waitForReading(page, {
    read: () => charts().evaluateAll((els) => els.map((e) => e.dataset.drawn ?? '')),
    ok: (keys) => keys.length === count && keys.every((k) => k.startsWith(`${range}|${product}|`)),
    wrong: (keys) => `the charts show ${JSON.stringify(keys)}`,
    timeout: 10_000,
  });
}

/** Moves the pointer over the seats chart at `fraction` of its width, and answers its legend. */
async function hover(fraction) {
  const box = await section().locator('.usage-plot[data-chart="seats"] .u-over').boundingBox();
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
  return legend('seats');
}

/** The last question for `range`'s span, parsed. */
function lastAsked({ product } = {}) {
  const q = asked.filter((u) => (product === undefined ? true : u.searchParams.get('product') === product)).at(-1);
  return q && { product: q.searchParams.get('product'), step: q.searchParams.get('step'), span: Number(q.searchParams.get('to')) - Number(q.searchParams.get('from')), to: Number(q.searchParams.get('to')) };
}

before(async () => {
  server = await startUiServer({ prepare: (dataDir) => fillHistory(dataDir, { rows: ROWS }) });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800, acceptDownloads: true });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname === '/admin/v1/usage') asked.push(u);
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('usage over time on the Usage tab', () => {
  test('Day: cad’s minutes drawn as five charts on canvas, the first product chosen', async () => {
    await page.goto(server.adminUrl);
    await page.getByRole('tab', { name: 'Usage', exact: true }).click();
    await drawn('day', 'cad', 5);
    assert.equal(await section().locator('.usage-plot canvas').count(), 5);
    assert.deepEqual(await section().locator('.usage-chart h3').allInnerTexts(), ['Seats in use', 'Denials', 'Clients waiting', 'Overdraft seats', 'Tokens spent']);
    const select = section().getByLabel('Product');
    assert.deepEqual(await select.locator('option').allInnerTexts(), ['cad', 'sim']);
    assert.equal(await select.inputValue(), 'cad');
    assert.equal(await rangeButton('Day').getAttribute('aria-pressed'), 'true');
    const q = lastAsked({ product: 'cad' });
    assert.deepEqual([q.step, q.span], ['minute', DAY_MS]);
    assert.ok(Math.abs(q.to - Date.now()) < 60_000, `the range ends now: ${q.to}`);
    // Not hovered: the newest point (block C).
    assert.match(await legend('seats'), /\(newest\) Most in use: 6 Fewest in use: 5 Licensed: 10$/);
  });

  test('the legends read the values under the pointer, and say where there is no point', async () => {
    // 7 hours ago, inside block B: 12 in use of 10 licensed; the other charts follow the same step.
    assert.match(await hover(17 / 24), /^Time: .+ Most in use: 12 Fewest in use: 9 Licensed: 10$/);
    assert.match(await legend('denials'), /Denials: 3$/);
    assert.match(await legend('waiting'), /Most waiting: 1$/);
    assert.match(await legend('overdraft'), /Overdraft seats: 2$/);
    assert.match(await legend('tokens'), /Tokens spent: 5$/);
    // 11 hours ago, in the gap: no point, not a zero.
    assert.match(await hover(13 / 24), /no point \(server not running\) Most in use: — Fewest in use: — Licensed: —$/);
    assert.match(await hover(0.25), /Most in use: 4 Fewest in use: 2 Licensed: 10$/);
  });

  test('the range buttons ask for hours (Week, Month) and days (Year)', async () => {
    await rangeButton('Week').click();
    await drawn('week', 'cad', 5);
    assert.deepEqual(Object.values(lastAsked({ product: 'cad' })).slice(0, 3), ['cad', 'hour', 7 * DAY_MS]);
    assert.match(await hover(0.5), /Most in use: 7 Fewest in use: 3 Licensed: 10$/);
    await rangeButton('Month').click();
    await drawn('month', 'cad', 5);
    assert.deepEqual(Object.values(lastAsked({ product: 'cad' })).slice(0, 3), ['cad', 'hour', 30 * DAY_MS]);
    // Hours are kept from 8 days ago only: the month's start is a gap.
    assert.match(await hover(0.2), /no point \(server not running\)/);
    await rangeButton('Year').click();
    await drawn('year', 'cad', 5);
    // A year is answered by the one question for every product, a point a day.
    assert.deepEqual(Object.values(lastAsked()).slice(0, 3), [null, 'day', 365 * DAY_MS]);
    assert.match(await hover((365 - 150) / 365), /Most in use: 9 Fewest in use: 0 Licensed: 10$/);
    assert.match(await hover((365 - 105) / 365), /no point \(server not running\)/);
    assert.match(await legend('tokens'), /Tokens spent: —$/);
    await page.screenshot({ path: '/tmp/usage-history-year.png' });
  });

  test('the product picker shows sim, without a tokens chart (it spent none)', async () => {
    await section().getByLabel('Product').selectOption('sim');
    await drawn('year', 'sim', 4);
    await rangeButton('Day').click();
    await drawn('day', 'sim', 4);
    assert.equal(lastAsked({ product: 'sim' }).step, 'minute');
    assert.equal(await section().getByLabel('Product').inputValue(), 'sim', 'the choice is kept across ranges');
    await section().getByLabel('Product').selectOption('cad');
    await drawn('day', 'cad', 5);
  });

  test('light and dark, 1366×800 and 800×600: nothing clipped or scrolling sideways', async () => {
    await page.mouse.move(5, 5);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of [[1366, 800], [800, 600]]) {
        await page.setViewportSize({ width, height });
        await waitForReading(page, {
          read: () => charts().evaluateAll((els) => els.map((e) => Math.abs(e.querySelector('canvas').getBoundingClientRect().width - e.clientWidth) < 2 && e.dataset.drawn)),
          ok: (fit) => fit.length === 5 && fit.every(Boolean),
          wrong: (fit) => `the charts fit their boxes: ${JSON.stringify(fit)}`,
          timeout: 5000,
        });
        assert.deepEqual(await scrollingSideways(page, [':root', '.main', '.usage-history', '.usage-chart']), [], `${width}×${height} ${scheme}`);
        await page.screenshot({ path: `/tmp/usage-history-${width}x${height}-${scheme}.png` });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  test('Show as table lists every point, newest first, and the gap, from the keyboard', async () => {
    const toggle = section().getByRole('button', { name: 'Show as table' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const table = section().getByRole('region', { name: 'Usage of cad, a row per minute' });
    await table.waitFor();
    assert.deepEqual(await table.locator('th').allInnerTexts(), ['Minute from', 'Seats in use', 'Licensed', 'Overdraft', 'Denials', 'Waiting', 'Tokens']);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
    const points = rows.filter((r) => r.length > 1);
    assert.ok(points.length >= CAD_MINUTES.length - 5 && points.length <= CAD_MINUTES.length, `${points.length} points listed of ${CAD_MINUTES.length}`);
    assert.deepEqual(points[0].slice(1), ['5–6', '10', '0', '0', '0', '0']);
    assert.ok(points.some((r) => r.slice(1).join() === '9–12,10,2,3,1,5'));
    const gaps = rows.filter((r) => r.length === 1).map((r) => r[0]);
    // The two hours missing, and the range's first minutes (before the first point written).
    assert.equal(gaps.length, 2, JSON.stringify(gaps));
    assert.match(gaps[0], /^No point from .+ to .+ \(120 minutes\): the server was not running\.$/);
    // (How many minutes depends on when the history was written.)
    assert.match(gaps[1], /^No point from .+ to .+ \(\d+ minutes?\): the server was not running\.$/);
    assert.deepEqual(rows.at(-1), [gaps[1]]);
    await table.focus();
    await page.screenshot({ path: '/tmp/usage-history-table.png' });
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await drawn('day', 'cad', 5);
  });

  test('Export CSV saves every point of the product in the range, quoted', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), section().getByRole('button', { name: 'Export CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^leasehold-usage-cad-day-[\dT-]+\.csv$/);
    const text = readFileSync(await download.path(), 'utf8');
    assert.ok(text.startsWith('\uFEFF'), 'a byte order mark first');
    const lines = text.slice(1).split('\r\n');
    assert.equal(lines[0], 'Product,Step,Start (UTC),Most in use,Fewest in use,Seats licensed,Overdraft seats,Denials,Most waiting,Tokens spent');
    assert.equal(lines.at(-1), '', 'a final line end');
    const data = lines.slice(1, -1);
    assert.ok(data.length >= CAD_MINUTES.length - 5 && data.length <= CAD_MINUTES.length, `${data.length} rows`);
    const b = CAD_MINUTES.find((r) => r.high === 12);
    assert.ok(data.includes(`cad,minute,${new Date(b.at).toISOString()},12,9,10,2,3,1,5`));
    assert.equal(data.at(-1), `cad,minute,${new Date(M - MINUTE_MS).toISOString()},6,5,10,0,0,0,0`);
  });
});
