// Benchmark (not a test: its name is outside node --test's patterns) of the
// usage history's charts in headless Chromium against a real server holding
// a year of history for 100 products (minutes for 7 days, hours for 400,
// days for 365: about 2 million rows, written by history-fill.mjs before
// the server starts). Measures, in the page, from the click on "Year" to
// every chart drawn (their draw hook writes `data-drawn`): the first time
// (and then until the product picker lists the 100 products: the server's
// answer for every product's year, asked after the product shown), then
// RUNS times back and forth with Day. For comparison, in the same run, from
// the click on the Usage tab to it shown on a server with no history.
// Prints the medians, the slowest and the ratio. Target: the year under 1 s.
//   LEASEHOLD_BIN=/path/to/leasehold node tests/ui/usage-history.bench.mjs
import { launchChromium, openPage } from './chromium.mjs';
import { DAY_MS, fillHistory } from './history-fill.mjs';
import { startUiServer } from './server.mjs';

const PRODUCTS = Array.from({ length: 100 }, (_, i) => `product-${String(i).padStart(3, '0')}`);
const RUNS = 7;
const TIMEOUT_MS = 30_000;

/** In the page: clicks the element `click` finds, then answers the ms until `done` holds at a frame. */
function clickUntil(page, click, done) {
  return page.evaluate(({ click, done, timeout }) => new Promise((resolve, reject) => {
    const target = new Function(`return (${click})()`)();
    const ready = new Function(`return (${done})()`);
    const t0 = performance.now();
    target.click();
    const frame = () => {
      const t = performance.now() - t0;
      if (ready()) resolve(t);
      else if (t > timeout) reject(new Error(`not done after ${timeout} ms: ${done}`));
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }), { click: click.toString(), done: done.toString(), timeout: TIMEOUT_MS });
}

const tab = (name) => `() => [...document.querySelectorAll('[role="tab"]')].find((t) => t.textContent.trim() === '${name}')`;
const rangeButton = (name) => `() => [...document.querySelectorAll('.usage-history .segment')].find((b) => b.textContent === '${name}')`;
const chartsShow = (range) => `() => { const p = [...document.querySelectorAll('.usage-plot')]; return p.length >= 4 && p.every((e) => (e.dataset.drawn || '').startsWith('${range}|')); }`;
const usageShown = `() => { const t = document.querySelector('.main')?.innerText || ''; return t.includes('No usage recorded in this range yet') && t.includes('No licence here gives consumption tokens'); }`;
const licensesShown = `() => document.querySelector('#tab-licenses')?.getAttribute('aria-selected') === 'true' && !!document.querySelector('[role="tabpanel"]')`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(0)} ms`;

const empty = await startUiServer();
let fillSecs = 0;
let rows = 0;
const full = await startUiServer({
  prepare: (dataDir) => {
    const t = Date.now();
    rows = fillHistory(dataDir, { generate: { products: PRODUCTS, now: Date.now(), spans: { minute: 7 * DAY_MS, hour: 400 * DAY_MS, day: 365 * DAY_MS } } });
    fillSecs = (Date.now() - t) / 1000;
  },
});
const browser = await launchChromium();
try {
  console.log(`history: ${rows.toLocaleString('en-US')} rows for ${PRODUCTS.length} products written in ${fillSecs.toFixed(1)} s`);

  // Baseline: the Usage tab on a server with no history, from the Licenses tab.
  const base = await openPage(browser, { width: 1366, height: 800 });
  await base.goto(empty.adminUrl);
  await base.getByRole('tab', { name: 'Licenses', exact: true }).waitFor();
  const baseline = [];
  for (let i = 0; i < RUNS; i++) {
    baseline.push(await clickUntil(base, tab('Usage'), usageShown));
    await clickUntil(base, tab('Licenses'), licensesShown);
  }

  // A year of 100 products: Day first (the tab opens on it), then Year, again and again.
  const page = await openPage(browser, { width: 1366, height: 800 });
  await page.goto(full.adminUrl);
  await page.getByRole('tab', { name: 'Usage', exact: true }).click();
  await page.locator('.usage-plot[data-drawn^="day|"]').first().waitFor({ timeout: TIMEOUT_MS });
  // The question for every product's year (no product=), answered in full.
  const listAnswer = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/admin/v1/usage' && !u.searchParams.has('product') && Number(u.searchParams.get('to')) - Number(u.searchParams.get('from')) > 300 * DAY_MS;
  }, { timeout: TIMEOUT_MS }).then((r) => r.body());
  const clicked = Date.now();
  const firstYear = await clickUntil(page, rangeButton('Year'), chartsShow('year'));
  await listAnswer;
  const listed = Date.now() - clicked;
  await clickUntil(page, rangeButton('Day'), chartsShow('day'));
  const year = [];
  const day = [];
  for (let i = 0; i < RUNS; i++) {
    year.push(await clickUntil(page, rangeButton('Year'), chartsShow('year')));
    day.push(await clickUntil(page, rangeButton('Day'), chartsShow('day')));
  }
  const answer = await page.evaluate(async ({ origin, token }) => {
    const now = Date.now();
    const r = await fetch(`${origin}/admin/v1/usage?from=${now - 365 * 86_400_000}&to=${now}&step=day`, { headers: { Authorization: `Bearer ${token}` } });
    const text = await r.text();
    return { bytes: text.length, points: JSON.parse(text).series.reduce((n, s) => n + s.points.length, 0) };
  }, { origin: full.origin, token: full.token });

  console.log(`Usage tab shown, no history (baseline): median ${ms(median(baseline))}, slowest ${ms(Math.max(...baseline))} (${RUNS} runs)`);
  console.log(`Year drawn, first time: ${ms(firstYear)}; the ${PRODUCTS.length} products listed (every product's year: ${answer.points.toLocaleString('en-US')} points, ${(answer.bytes / 1e6).toFixed(1)} MB of JSON): ${ms(listed)}`);
  console.log(`Year drawn, back from Day: median ${ms(median(year))}, slowest ${ms(Math.max(...year))} (${RUNS} runs)`);
  console.log(`Day drawn, back from Year (1,440 minutes of one product): median ${ms(median(day))}, slowest ${ms(Math.max(...day))}`);
  console.log(`ratio year / baseline: ${(median(year) / median(baseline)).toFixed(2)}× (target: year under 1,000 ms: ${median(year) < 1000 ? 'met' : 'NOT met'})`);
} finally {
  await browser.close();
  await full.stop();
  await empty.stop();
}
