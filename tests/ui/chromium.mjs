// Debian's Chromium for the browser tests, the page each test file drives in
// it, where their screenshots go, and the ways they read that page.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHOTS = `${ROOT}artifacts/screenshots`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless Chromium (`$CHROMIUM_PATH`, else /usr/bin/chromium); screenshots' folder made. */
export async function launchChromium() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * A page in a context of its own, `width`×`height`, light unless
 * `colorScheme` says otherwise, in en-US; `context` adds options of the
 * context (`acceptDownloads`), reached later through `page.context()`.
 * Locators wait 10 s, and an error thrown in the page fails the test.
 */
export async function openPage(browser, { width, height, colorScheme = 'light', ...context }) {
  const ctx = await browser.newContext({ viewport: { width, height }, colorScheme, locale: 'en-US', ...context });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => { throw e; });
  return page;
}

const AXE = readFileSync(`${ROOT}node_modules/axe-core/axe.min.js`, 'utf8');

/**
 * axe-core's violations on the page (`rules`: only those), one readable
 * line each; none when it finds nothing.
 */
export async function axeViolations(page, rules) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  return page.evaluate(async (only) => {
    const r = await window.axe.run(document, { resultTypes: ['violations'], ...(only ? { runOnly: { type: 'rule', values: only } } : {}) });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n')}`);
  }, rules);
}

/**
 * The rules that read colours: all that differs between light and dark (the
 * structure, names and roles are the same in both, and checked in light).
 */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/** Fills the sign-in form with an account's `name` and `password` and sends it. */
export async function signIn(page, name, password) {
  await page.getByLabel('Account name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Saves what `page` shows as artifacts/screenshots/NAME.png. */
export const screenshot = (page, name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });

/**
 * Reads the page with `read()` every 50 ms until `ok(reading)` holds; past
 * `timeout` ms it fails with `wrong(reading)` (what it read instead) and
 * the time it waited.
 */
export async function waitForReading(page, { read, ok, wrong, timeout }) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const reading = await read();
    if (ok(reading)) return;
    if (Date.now() > deadline) assert.fail(`${wrong(reading)}, after ${timeout} ms`);
    await page.waitForTimeout(50);
  }
}

/**
 * The elements matching any of `selectors` (`:root` is the page itself) that
 * scroll sideways, each as "class: scrollWidth > clientWidth"; none when all fit.
 */
export const scrollingSideways = (page, selectors) => page.evaluate((all) => all.flatMap((s) => [...document.querySelectorAll(s)])
  .filter((el) => el.scrollWidth > el.clientWidth + 1)
  .map((el) => `${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`), selectors);

/**
 * Where `locator`'s element is (`box`) and the table cell holding it
 * (`cell`), and whether the element's text is cut off (`cut`) or the cell's
 * content is (`cellCut`).
 */
export const placeInCell = (locator) => locator.evaluate((el) => {
  const c = el.closest('[role="cell"]');
  return {
    box: el.getBoundingClientRect().toJSON(),
    cell: c.getBoundingClientRect().toJSON(),
    cut: el.scrollWidth > el.clientWidth,
    cellCut: c.scrollWidth > c.clientWidth,
  };
});

/** `ms` as the page writes a date and time (the browser's locale and zone). */
export const localDateTime = (page, ms) =>
  page.evaluate((at) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)), ms);

/**
 * A server sentence as the page shows it (`Prose`): a capital first and a full
 * stop, its `quoted` names as code (no backtick left), its timestamps written
 * like every date on the page (the browser's locale and zone).
 */
export const asShown = (page, message) => page.evaluate((m) => {
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const t = m.trim().replace(/`/g, '')
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (s) => dateTime.format(new Date(Date.parse(s))));
  return `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}, message);
