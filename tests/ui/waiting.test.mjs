// The Waiting list (the server's fair queue) in real Chromium against a real
// server and real clients: a 1-seat product held by one `leasehold client
// checkout`, two more waiting with --wait; the Computers tab lists them in
// order within about a second of each joining; the admin removes the first
// with the keyboard and the other moves up (the removed client, told at its
// next question, joins again at the end, as the dialog says); the holder
// ends and the first waiter gets the seat: it leaves the list and appears
// among the seats. The tab fits 1366×800, 1024×700 and 800×600 without
// scrolling sideways, light and dark.
// Screenshots in /tmp/ui-shots/ ($UI_SHOTS): waiting-none.png,
// waiting-1366x800.png, waiting-1024x700.png, waiting-800x600.png,
// waiting-dark.png, waiting-remove.png, waiting-removed.png, waiting-granted.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launchChromium, openPage, scrollingSideways, waitForReading } from './chromium.mjs';
import { checkoutProcess, startUiServer, waitingProcess } from './server.mjs';

const SHOTS = process.env.UI_SHOTS ?? '/tmp/ui-shots';
/** The list follows the queue's events: a change shows within this (about a second, with room for a slow machine). */
const FRESH_MS = 1500;

let server;
let browser;
let page;
let holder;
const waiters = {};

const tab = (name) => page.getByRole('tab', { name, exact: true });
const shot = (name) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
const heading = (n) => page.getByRole('heading', { name: `Waiting for a seat (${n})`, exact: true });
const cadLine = () => page.getByRole('list', { name: 'Waiting for cad' });
const seatsTable = () => page.getByRole('table', { name: 'Seats in use' });

/** Each row of cad's line as "place client-id", with its ticket. */
async function cadRows() {
  return cadLine().getByRole('listitem').evaluateAll((items) => items.map((li) => ({
    text: `${li.querySelector('.waiter-pos').textContent} ${li.querySelector('.waiter-id').textContent}`,
    ticket: li.dataset.ticket,
  })));
}

/** Waits until cad's line reads `expected` (["1st ws-2", …]). */
const cadLineReads = (expected, timeout = FRESH_MS) => waitForReading(page, {
  read: async () => ((await cadLine().count()) ? (await cadRows()).map((r) => r.text) : []),
  ok: (rows) => JSON.stringify(rows) === JSON.stringify(expected),
  wrong: (rows) => `cad's line reads ${JSON.stringify(rows)}, not ${JSON.stringify(expected)}`,
  timeout,
});

/** Nothing on the page scrolls sideways: not the page, not the main area, not the waiting list. */
async function assertNoSidewaysScroll(where) {
  assert.deepEqual(await scrollingSideways(page, [':root', '.main', '.waiting-lines']), [], `nothing scrolls sideways at ${where}`);
  // Every row's Remove button whole in sight.
  const cut = await page.evaluate(() => [...document.querySelectorAll('.waiter button')]
    .filter((b) => b.getBoundingClientRect().right > document.documentElement.clientWidth || b.scrollWidth > b.clientWidth)
    .map((b) => b.getAttribute('aria-label')));
  assert.deepEqual(cut, [], `every Remove button whole at ${where}`);
  // The seats under it: each visible column header over its cells, on one line.
  const misplaced = await seatsTable().evaluate((table) => {
    const visible = (row) => [...row.children].filter((c) => getComputedStyle(c).display !== 'none').map((c) => c.getBoundingClientRect());
    const head = visible(table.querySelector('.grid-head'));
    return [...table.querySelectorAll('.vrow')].flatMap((row, r) => {
      const cells = visible(row);
      const box = row.getBoundingClientRect();
      if (cells.length !== head.length) return [`row ${r}: ${cells.length} cells under ${head.length} headers`];
      return cells.flatMap((c, i) => [
        ...(Math.abs(c.left - head[i].left) > 1 ? [`row ${r} cell ${i} at ${c.left}, its header at ${head[i].left}`] : []),
        ...(c.top < box.top - 1 || c.bottom > box.bottom + 1 ? [`row ${r} cell ${i} outside its row`] : []),
      ]);
    });
  });
  assert.deepEqual(misplaced, [], `the seats' columns line up at ${where}`);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 1, customer: 'Northwind Engineering' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
});

after(async () => {
  // The client processes, each by its pid.
  holder?.stop();
  for (const w of Object.values(waiters)) w.stop();
  await browser?.close();
  await server?.stop();
});

describe('the waiting list on the Computers tab', () => {
  test('nobody waits: one quiet line above the seats', async () => {
    holder = await checkoutProcess(server, { product: 'cad', clientId: 'ws-1', user: 'ann', hold: 60 });
    await page.goto(server.adminUrl);
    await tab('Computers').click();
    await seatsTable().getByRole('row').nth(1).waitFor();
    await page.getByText('No one is waiting for a seat.', { exact: true }).waitFor();
    assert.equal(await page.getByRole('heading', { name: /^Waiting for a seat/ }).count(), 0);
    await shot('waiting-none');
  });

  test('two clients waiting with --wait are listed in order, each within about a second of joining', async () => {
    waiters.ws2 = await waitingProcess(server, { product: 'cad', clientId: 'ws-2', user: 'bob', hold: 30 });
    await heading(1).waitFor({ timeout: FRESH_MS });
    waiters.ws3 = await waitingProcess(server, { product: 'cad', clientId: 'ws-3', user: 'bob', hold: 30 });
    await heading(2).waitFor({ timeout: FRESH_MS });
    assert.deepEqual(waiters.ws3.places, [2]);
    await cadLineReads(['1st ws-2', '2nd ws-3']);

    // As the server lists them: who, the application, since when.
    const { waiters: queue } = await server.call('GET', '/admin/v1/queue');
    assert.deepEqual(queue.map((w) => [w.clientId, w.position]), [['ws-2', 1], ['ws-3', 2]]);
    assert.deepEqual((await cadRows()).map((r) => r.ticket), queue.map((w) => w.ticket));
    const first = cadLine().getByRole('listitem').first();
    const text = await first.innerText();
    assert.ok(text.includes(`bob@${queue[0].host}`), text);
    assert.ok(text.includes(queue[0].appName), text);
    assert.match(text, /joined\s+(now|\d+ s ago)/);
    assert.ok(!/undefined|\{"/.test(await page.locator('.waiting').innerText()));
    assert.match(await first.locator('time').getAttribute('title'), /^Waiting since \w{3} \d{1,2}, \d{4}/);
    // The help names the figures in /metrics.
    const help = await page.locator('.waiting-help').innerText();
    assert.match(help, /\/metrics.*leasehold_queue_waiting.*leasehold_queue_wait_seconds.*how many seats to buy/s);
    await shot('waiting-1366x800');
  });

  test('fits 1366×800, 1024×700 and 800×600 without scrolling sideways, and reads in the dark', async () => {
    await assertNoSidewaysScroll('1366×800');
    await page.setViewportSize({ width: 1024, height: 700 });
    await assertNoSidewaysScroll('1024×700');
    await shot('waiting-1024x700');
    await page.setViewportSize({ width: 800, height: 600 });
    await assertNoSidewaysScroll('800×600');
    // The seats stay in sight under the waiting list.
    const seatRow = seatsTable().getByRole('row').nth(1);
    const box = await seatRow.boundingBox();
    assert.ok(box && box.y + box.height <= 600, `the first seat ${JSON.stringify(box)} is in sight at 800×600`);
    await shot('waiting-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('waiting-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('removing the first with the keyboard: the other moves up; the removed client joins again at the end', async () => {
    const before = await cadRows();
    const remove = page.getByRole('button', { name: /^Remove bob@.* \(ws-2\) from the line for cad$/ });
    await remove.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /^Remove bob@.* from the line\?$/ });
    await dialog.waitFor();
    const said = await dialog.innerText();
    assert.match(said, /is 1st in line for\s+cad/);
    assert.match(said, /told the next time it asks about its place/);
    assert.match(said, /joins again at the end of the line/);
    // Focus starts on Cancel and stays in the dialog.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Remove from the line');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Close');
    await page.keyboard.press('Shift+Tab');
    await shot('waiting-remove');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });

    // ws-3 first; ws-2 heard it was removed and, still wanting a seat, joined again at the end with a new ticket.
    await waiters.ws3.place(1, FRESH_MS);
    await waiters.ws2.place(2);
    await cadLineReads(['1st ws-3', '2nd ws-2']);
    const now = await cadRows();
    assert.equal(now[0].ticket, before[1].ticket);
    assert.notEqual(now[1].ticket, before[0].ticket);
    const events = (await server.call('GET', '/admin/v1/events?kind=queue_left')).events;
    assert.ok(events.some((e) => /removed by the admin/.test(e.message)), JSON.stringify(events.map((e) => e.message)));
    // The keyboard is on the next waiter's Remove.
    assert.match(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? ''), /^Remove bob@.* \(ws-3\) from the line for cad$/);
    await page.getByText(/was taken out of the line for cad\.$/).waitFor();
    await shot('waiting-removed');
  });

  test('the holder ends: the first waiter gets the seat, leaves the list and appears among the seats', async () => {
    holder.stop();
    const grant = await waiters.ws3.granted;
    assert.equal(grant.clientId, 'ws-3');
    const t0 = Date.now();
    await cadLineReads(['1st ws-2'], FRESH_MS);
    await seatsTable().locator('[role="cell"][data-client-id="ws-3"]').waitFor({ timeout: FRESH_MS });
    assert.equal(await seatsTable().locator('[role="cell"][data-client-id="ws-1"]').count(), 0);
    await heading(1).waitFor();
    assert.ok(Date.now() - t0 <= FRESH_MS + 500);
    await shot('waiting-granted');
  });
});
