// The server stopped under an open page, in real Chromium: within a second
// the banner says it cannot be reached; every tab, opened again or for the
// first time since, still shows the last data it had and says it is paused
// — offline (the Logs tab's follow indicator is never green then). Started
// again on the same address, the page follows it again by itself, without
// a reload: the banner goes, Logs says "Following live" and shows a seat
// taken after the restart. Screenshots: /tmp/lh-shots/outage-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launchChromium, openPage, waitForReading } from './chromium.mjs';
import { holdSeat, startUiServer } from './server.mjs';

const SHOTS = '/tmp/lh-shots';
/** The banner comes within this of the server going (the live feed breaks at once). */
const BANNER_MS = 1000;
/** The page follows the server again within this of it being back (it tries every 3 s at most). */
const BACK_MS = 8000;

let server;
let browser;
let page;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering' });
  await holdSeat(server, { product: 'cad', user: 'ann', host: 'ws-ann' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1024, height: 700 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const tab = (name) => page.getByRole('tab', { name, exact: true });
const banner = () => page.getByRole('alert').filter({ hasText: 'Cannot reach the Leasehold server' });
const panel = () => page.getByRole('tabpanel');
const paused = () => panel().getByText('Paused — offline', { exact: false }).first();

describe('the server stopped under the page', () => {
  test('each tab has loaded its data', async () => {
    await page.goto(server.adminUrl);
    await page.getByText('10 seats', { exact: true }).waitFor();
    await tab('Computers').click();
    await page.getByText('ws-ann', { exact: true }).waitFor();
    await tab('Server').click();
    await page.getByText('Running', { exact: true }).waitFor();
    await tab('Usage').click();
    await page.getByText('No licence here gives consumption tokens', { exact: true }).waitFor();
    await tab('Accounts').click();
    await page.getByText('Local admin', { exact: true }).first().waitFor();
    await tab('Logs').click();
    await page.getByText(/granted cad to ann@ws-ann/).waitFor();
    await page.getByText('Following live').waitFor();
  });

  test('within a second the banner says so, and Logs is paused, never green', async () => {
    await server.halt();
    const t = Date.now();
    await banner().waitFor({ timeout: BANNER_MS + 1000 });
    console.log(`# banner ${Date.now() - t} ms after the server stopped`);
    assert.ok(Date.now() - t <= BANNER_MS + 200, `the banner came after ${Date.now() - t} ms`);
    await paused().waitFor({ timeout: 3000 });
    assert.equal(await panel().locator('.dot-ok').count(), 0, 'no green dot while offline');
    assert.equal(await page.getByText('Following live').count(), 0);
    await page.getByText(/granted cad to ann@ws-ann/).waitFor();
    await page.screenshot({ path: `${SHOTS}/outage-logs.png` });
  });

  test('every tab keeps its last data and says it is paused — offline', async () => {
    const shows = { Licenses: '10 seats', Computers: 'ws-ann', Usage: 'Use over time', Server: 'Not reachable', Accounts: 'Local admin', Logs: /granted cad to ann@ws-ann/ };
    for (const [name, text] of Object.entries(shows)) {
      await tab(name).click();
      await panel().getByText(text, typeof text === 'string' ? { exact: true } : undefined).first().waitFor();
      await paused().waitFor();
      assert.equal(await panel().getByText('Paused — offline', { exact: false }).count(), 1, `${name} says it once`);
      assert.equal(await panel().getByText('The server is not reachable').count(), 0, `${name} shows its data, not only an error`);
      await page.screenshot({ path: `${SHOTS}/outage-${name.toLowerCase()}.png` });
    }
    // Opened for the first time during the outage: says so, and tries again by itself.
    await tab('Policy').click();
    await panel().getByText('This page tries again by itself.', { exact: false }).waitFor();
    await tab('Logs').click();
  });

  test('started again, the page follows it by itself: Logs live again with what came since', async () => {
    await server.startAgain();
    const t = Date.now();
    await banner().waitFor({ state: 'detached', timeout: BACK_MS });
    await page.getByText('Following live').waitFor({ timeout: BACK_MS });
    console.log(`# Logs following live ${Date.now() - t} ms after the server was back`);
    await holdSeat(server, { product: 'cad', user: 'bob', host: 'ws-bob' });
    await page.getByText(/granted cad to bob@ws-bob/).waitFor({ timeout: 3000 });
    assert.equal(await page.getByText('Paused — offline', { exact: false }).count(), 0);
    await tab('Policy').click();
    await waitForReading(page, {
      read: () => panel().innerText(),
      ok: (text) => !text.includes('not reachable'),
      wrong: (text) => `Policy still reads ${JSON.stringify(text.slice(0, 120))}`,
      timeout: BACK_MS,
    });
  });
});
