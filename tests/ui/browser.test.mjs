// The UI in real Chromium against a real `leasehold serve` with real license
// codes and real clients holding seats: each tab shows the right data, a bad or
// expired code shows the server's error, Disconnect frees the seat (checked
// through the API), Logs shows the event. One screenshot per tab goes to
// artifacts/screenshots/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, screenshot, SHOTS } from './chromium.mjs';
import { dayFromToday, holdSeat, startUiServer } from './server.mjs';

const STARTS = dayFromToday(45);
const EXPIRES = dayFromToday(300);
/** `2027-01-07` as the page writes it in en-US ("Jan 7, 2027"). */
const usDay = (iso) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));

let server;
let browser;
let page;

const tab = (name) => page.getByRole('tab', { name, exact: true });
const shot = (name) => screenshot(page, name);

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering', features: ['render', 'export-step'], expires: EXPIRES });
  await server.issueLicense({ product: 'cad', seats: 5, customer: 'Northwind Engineering' });
  await server.issueLicense({ product: 'sim', seats: 3, customer: 'Northwind Lab' });
  // The server refuses expired codes (that path is tested in the Add dialog
  // below; the Expired state itself is covered by the vitest tab tests), so the
  // license that is not active here is one that starts in the future.
  await server.issueLicense({ product: 'viewer', seats: 50, customer: 'Northwind', starts: STARTS });
  await holdSeat(server, { product: 'cad', user: 'ann', host: 'ws-ann' });
  await holdSeat(server, { product: 'cad', user: 'bob', host: 'ws-bob', appVersion: '2025.2' });
  await holdSeat(server, { product: 'sim', user: 'bob', host: 'ws-bob', appName: 'Acme Sim', appVersion: '4.1' });
  await holdSeat(server, { product: 'sim', user: 'chen', host: 'lab-07', appName: 'Acme Sim', appVersion: '4.1' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1360, height: 820 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('admin UI in Chromium', () => {
  test('opens with the token from the URL and hides it from the address bar', async () => {
    await page.goto(server.adminUrl);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    assert.ok(!page.url().includes('token='), `token still in ${page.url()}`);
    await page.reload();
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
  });

  test('Licenses shows every code with its seats, use and state', async () => {
    await page.getByText('10 seats', { exact: true }).waitFor();
    await page.getByText('5 seats', { exact: true }).waitFor();
    await page.getByText('2 of 15').first().waitFor();
    await page.getByText('Not yet valid', { exact: true }).waitFor();
    await page.getByText(`Starts counting on ${usDay(STARTS)}.`, { exact: true }).waitFor();
    // Its product has no seat counting yet: said so, not "0 of 0".
    await page.getByText(`Not valid yet: counts from ${usDay(STARTS)}`, { exact: true }).waitFor();
    assert.equal(await page.getByText('0 of 0').count(), 0);
    // The last day it is valid, as `vendor issue --expires` named it (not the midnight after).
    await page.getByText(`Until ${usDay(EXPIRES)}`, { exact: true }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await shot('licenses');
  });

  test('a bad code shows the server’s own error before anything is saved', async () => {
    const before = await server.call('GET', '/admin/v1/licenses');
    await page.getByRole('button', { name: 'Add license code' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a license code' });
    await dialog.getByLabel('License code').fill('not a license at all');
    await dialog.getByText('This code cannot be added.').waitFor();
    const text = await dialog.getByRole('alert').innerText();
    assert.match(text, /this is not a license code/i);
    assert.ok(await dialog.getByRole('button', { name: /^Add/ }).isDisabled());
    await shot('licenses-add-error');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await server.call('GET', '/admin/v1/licenses')).length, before.length);
  });

  test('an expired code shows the server’s license_expired message and is not saved', async () => {
    const before = await server.call('GET', '/admin/v1/licenses');
    const expired = server.licenseCode({ product: 'viewer', seats: 50, customer: 'Northwind', starts: '2020-01-01', expires: '2020-12-31' });
    const refusal = await server.call('POST', '/admin/v1/licenses', { code: expired, dryRun: true }).catch((e) => e);
    assert.equal(refusal.status, 422);
    assert.equal(refusal.body.code, 'license_expired');
    await page.getByRole('button', { name: 'Add license code' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a license code' });
    await dialog.getByLabel('License code').fill(expired);
    await dialog.getByText('This code cannot be added.').waitFor();
    const text = await dialog.getByRole('alert').innerText();
    assert.ok(text.toLowerCase().includes(refusal.body.message.toLowerCase()), `the dialog shows ${JSON.stringify(text)}, not the server's ${JSON.stringify(refusal.body.message)}`);
    assert.equal(await dialog.getByRole('alert').getAttribute('data-error-code'), 'license_expired');
    assert.ok(!text.includes('license_expired'), 'the raw code is not shown to people');
    assert.ok(await dialog.getByRole('button', { name: /^Add/ }).isDisabled());
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await server.call('GET', '/admin/v1/licenses')).length, before.length);
  });

  test('a good code shows what it adds, then adds it', async () => {
    await page.getByRole('button', { name: 'Add license code' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a license code' });
    await dialog.getByLabel('License code').fill(server.licenseCode({ product: 'render', seats: 4, customer: 'Northwind Studio' }));
    const add = dialog.getByRole('button', { name: 'Add 4 seats of render' });
    await add.waitFor();
    await add.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('4 seats', { exact: true }).waitFor();
  });

  test('a code that needs activation is activated in the Activate dialog', async () => {
    const code = server.licenseCode({ product: 'cam', seats: 6, customer: 'Northwind Shop', activation: 'required' });
    await server.addLicense(code);
    // exact: a substring would match Deactivate… too.
    const activateButton = page.getByRole('button', { name: 'Activate the cam license for Northwind Shop', exact: true });
    await activateButton.waitFor();
    await page.getByText('Needs activation').waitFor();
    await activateButton.click();
    const dialog = page.getByRole('dialog', { name: 'Activate the cam license' });
    const requestBox = dialog.getByLabel('Activation request');
    await requestBox.waitFor();
    const request = await requestBox.inputValue();
    assert.match(request, /^[0-9A-Z]{6}(-[0-9A-Z]{2,6})+$/, 'the request is copy-safe groups');
    // A licence code pasted in place of the response: refused, in words.
    await dialog.getByLabel('Activation response').fill(code);
    await dialog.getByRole('button', { name: 'Activate', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Not activated\..*activation response/s);
    assert.equal(await alert.getAttribute('data-error-code'), 'bad_activation');
    // The vendor's answer to the request shown.
    await dialog.getByLabel('Activation response').fill(server.vendorActivate(request));
    await shot('activate');
    await dialog.getByRole('button', { name: 'Activate', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Activated. cam now has 6 seats.').waitFor();
    const cam = (await server.call('GET', '/admin/v1/licenses')).find((l) => l.product === 'cam');
    assert.equal(cam.state, 'active');
    assert.equal(cam.productSeats, 6);
    await activateButton.waitFor({ state: 'detached' });
    // Activated here, it can be moved: deactivate.test.mjs goes on from there.
    await page.getByRole('button', { name: 'Deactivate the cam license for Northwind Shop', exact: true }).waitFor();
  });

  test('Computers lists who holds a seat; Disconnect frees it', async () => {
    await tab('Computers').click();
    await page.getByText('4 seats held by 3 computers').waitFor();
    await page.getByText('ws-ann').waitFor();
    await shot('computers');
    await page.getByRole('button', { name: 'Disconnect ann on ws-ann from cad' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Disconnect this seat' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('3 seats held by 2 computers').waitFor();
    const computers = await server.call('GET', '/admin/v1/computers');
    assert.ok(!computers.rows.some((r) => r.lease.holder.user === 'ann'), 'ann still holds a seat');
    const status = await server.call('GET', '/admin/v1/status');
    assert.equal(status.products.find((p) => p.product === 'cad').inUse, 1);
  });

  test('Server shows where it listens and what is in use', async () => {
    await tab('Server').click();
    const status = await server.call('GET', '/admin/v1/status');
    await page.getByText(status.listen, { exact: true }).waitFor();
    await page.getByText('Running', { exact: true }).waitFor();
    await page.getByRole('switch', { name: /Announce on the local network/ }).waitFor();
    // It listens on 127.0.0.1: no firewall to open, and how to serve the network instead.
    assert.equal(await page.getByText('Firewall', { exact: true }).count(), 0);
    await page.getByText('This computer only.', { exact: false }).waitFor();
    await shot('server');
  });

  test('Logs shows the disconnect as it happened, and filters', async () => {
    await tab('Logs').click();
    await page.getByText(/disconnected ann@ws-ann from cad/).waitFor();
    await shot('logs');
    await page.getByLabel('Kind').selectOption('license_added');
    await page.getByText('license for render (4 seats, Northwind Studio) added').waitFor();
    assert.equal(await page.getByText(/disconnected ann@ws-ann/).count(), 0);
    await page.getByLabel('Kind').selectOption('all');
  });

  test('License Mode shows the settings and tests the connection', async () => {
    await tab('License Mode').click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected.').waitFor();
    await shot('license-mode');
  });

  test('tabs follow the arrow keys', async () => {
    await tab('License Mode').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    await page.getByRole('heading', { name: 'License Mode' }).waitFor();
  });

  test('Computers stays quick with 10,000 seats', async () => {
    await server.issueLicense({ product: 'bulk', seats: 10_003, customer: 'Load Test' });
    // The page steps away while 10,000 clients check out (so Chromium does not
    // re-render on every grant while the seeding runs), then opens the UI anew.
    await page.goto('about:blank');
    const t = Date.now();
    await server.seedLeases(10_000, 'bulk');
    console.log(`# seeded 10,000 real leases in ${Date.now() - t} ms`);
    await page.goto(server.adminUrl);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    const t0 = Date.now();
    await tab('Computers').click();
    await page.getByText(/10,003 seats held by/).waitFor({ timeout: 20_000 });
    const renderMs = Date.now() - t0;
    const rows = await page.locator('.vrow').count();
    assert.ok(rows < 100, `only the visible rows are in the DOM (got ${rows})`);
    const scrollMs = await page.evaluate(async () => {
      const el = document.querySelector('.vlist');
      const t = performance.now();
      for (let i = 0; i < 40; i++) { el.scrollTop += 5000; await new Promise(requestAnimationFrame); }
      return performance.now() - t;
    });
    console.log(`# computers tab with 10,003 seats: shown in ${renderMs} ms; 40 scroll frames in ${Math.round(scrollMs)} ms`);
    // The server sends a page at a time; scrolling to the end of one loads the next.
    await page.waitForFunction(() => document.querySelector('.vlist').scrollHeight > 200 * 52 + 52);
    await page.getByText(/Showing [0-9,]+ of 10,003/).waitFor();
    await shot('computers-10k-paged');
    await page.getByLabel('Search computers').fill('ws-09999');
    await page.getByText('1 of 10,003').waitFor();
    await shot('computers-10k-search');
  });

  test('dark mode follows the system', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await tab('Licenses').click();
    await page.getByText('10 seats', { exact: true }).waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(18, 22, 28)');
    await shot('licenses-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('a wrong token leads to the sign-in screen, with words', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const p = await ctx.newPage();
    await p.goto(`${server.origin}/ui/#token=wrong`);
    await p.getByText('The server did not accept the admin token', { exact: false }).waitFor();
    await p.screenshot({ path: `${SHOTS}/sign-in.png` });
    await p.getByLabel('Admin token').fill(server.token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'Licenses' }).waitFor();
    await ctx.close();
  });
});
