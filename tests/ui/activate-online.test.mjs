// Online activation in real Chromium against real servers and a real
// activation authority (`leasehold authority serve`, this run's vendor key,
// port 0): the Activate dialog sends the admin to the Server tab when no
// authority is set; there the address is set (an https one is refused with
// the server's sentence); Activate online then activates a code issued with
// `--activation required --max-activations 1`. A second server with the same
// code is refused by the authority, and its page says so in the authority's
// words. Screenshots at 1024×700: activate-no-authority.png, server-authority.png,
// server-authority-refused.png, activate-online.png,
// activate-online-limit.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, screenshot, asShown } from './chromium.mjs';
import { startServer, startUiServer } from './server.mjs';

let server;
let second;
let authority;
let browser;
let page;
let code;
let lathe;

before(async () => {
  server = await startUiServer();
  authority = await server.startAuthority();
  code = server.licenseCode({ product: 'lathe', seats: 3, customer: 'Northwind Shop', activation: 'required', maxActivations: 1 });
  lathe = await server.addLicense(code);
  browser = await launchChromium();
  page = await openPage(browser, { width: 1024, height: 700 });
});

after(async () => {
  await browser?.close();
  await second?.stop();
  // Stops the authority it started too (by its process).
  await server?.stop();
});

const activateButton = (p, product, customer) => p.getByRole('button', { name: `Activate the ${product} license for ${customer}`, exact: true });
/** The server's sentence as the page writes it: a capital first letter, a full stop. */

describe('Activate online', () => {
  test('without an authority, the dialog says where to set one and the link goes there', async () => {
    assert.equal((await server.call('GET', '/admin/v1/status')).authorityUrl ?? null, null);
    await page.goto(server.adminUrl);
    await activateButton(page, 'lathe', 'Northwind Shop').click();
    const dialog = page.getByRole('dialog', { name: 'Activate the lathe license' });
    await dialog.getByText("To activate online, set your vendor's activation authority on the Server tab.").waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Activate online' }).count(), 0);
    // The offline exchange is there as before.
    await dialog.getByLabel('Activation request').waitFor();
    await screenshot(page, 'activate-no-authority');
    await dialog.getByRole('button', { name: 'Server tab', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('tab', { name: 'Server', exact: true }).getAttribute('aria-selected'), 'true');
    const field = page.getByLabel('Authority address');
    await field.waitFor();
    assert.ok(await field.evaluate((el) => el === document.activeElement), 'the address field has the focus');
  });

  test('the Server tab refuses an https address with the server’s sentence', async () => {
    const card = page.locator('#authority');
    const bad = 'https://activation.example:7900';
    const refusal = await server.call('PUT', '/admin/v1/authority', { url: bad }).catch((e) => e);
    assert.equal(refusal.status, 400);
    assert.equal(refusal.body.code, 'invalid_field');
    await page.getByLabel('Authority address').fill(bad);
    await card.getByRole('button', { name: 'Save' }).click();
    const alert = card.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.ok(text.includes(`Not saved. ${await asShown(page, refusal.body.message)}`), `the page shows ${JSON.stringify(text)}, not the server's ${JSON.stringify(refusal.body.message)}`);
    assert.ok(!/[{}]|invalid_field/.test(text), 'no raw JSON or code in the text');
    assert.equal(await card.locator('dd').first().innerText(), 'None');
    await screenshot(page, 'server-authority-refused');
  });

  test('the Server tab sets the authority’s address', async () => {
    const card = page.locator('#authority');
    await page.getByLabel('Authority address').fill(authority);
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('button', { name: 'Forget' }).waitFor();
    const kept = (await server.call('GET', '/admin/v1/status')).authorityUrl;
    assert.ok(kept === authority || kept === `${authority}/`, `the server keeps ${kept}`);
    assert.equal(await card.locator('dd').first().innerText(), kept);
    assert.equal(await card.getByRole('alert').count(), 0);
    await page.getByText(`Licenses are now activated online through ${kept}.`).waitFor();
    await screenshot(page, 'server-authority');
  });

  test('Activate online activates the code: the licence counts here', async () => {
    await page.getByRole('tab', { name: 'Licenses', exact: true }).click();
    await activateButton(page, 'lathe', 'Northwind Shop').click();
    const dialog = page.getByRole('dialog', { name: 'Activate the lathe license' });
    const online = dialog.getByRole('button', { name: 'Activate online' });
    await online.waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Activate online');
    await dialog.getByText('Or activate offline, through your vendor').waitFor();
    assert.equal((await server.license(lathe.licenseId)).state, 'needsActivation', 'nothing happens before the click');
    await online.click();
    const done = page.getByRole('dialog', { name: 'The lathe license is activated' });
    await done.getByText('Activated: adds 3 seats of lathe.').waitFor();
    assert.match(await done.getByRole('status').innerText(), /^Activated: adds 3 seats of lathe\. lathe now has 3 seats, 0 in use\.$/);
    const now = await server.license(lathe.licenseId);
    assert.equal(now.state, 'active');
    assert.equal(now.productSeats, 3);
    assert.equal(typeof now.activatedAt, 'number', 'activated on this server');
    await screenshot(page, 'activate-online');
    await done.getByRole('button', { name: 'Done' }).click();
    await done.waitFor({ state: 'detached' });
    // Activated here, it can be moved; it needs no activation any more.
    await page.getByRole('button', { name: 'Deactivate the lathe license for Northwind Shop', exact: true }).waitFor();
    assert.equal(await activateButton(page, 'lathe', 'Northwind Shop').count(), 0);
  });

  test('a second server with the same code: the authority’s refusal in words', async () => {
    second = await startServer({ vendor: server.vendor });
    const there = await second.addLicense(code);
    await second.call('PUT', '/admin/v1/authority', { url: authority });
    const other = await page.context().newPage();
    other.on('pageerror', (e) => { throw e; });
    await other.goto(second.adminUrl);
    await activateButton(other, 'lathe', 'Northwind Shop').click();
    const dialog = other.getByRole('dialog', { name: 'Activate the lathe license' });
    await dialog.getByRole('button', { name: 'Activate online' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    await screenshot(other, 'activate-online-limit');

    // What the server answers (the ledger does not change on a refusal).
    const refusal = await second.call('POST', `/admin/v1/licenses/${there.licenseId}/activate-online`).catch((e) => e);
    assert.equal(refusal.status, 409);
    assert.equal(refusal.body.code, 'activation_limit_reached');
    assert.equal(text, `Not activated. ${await asShown(other, refusal.body.message)}`);
    assert.equal(await alert.getAttribute('data-error-code'), 'activation_limit_reached');
    // It names the server holding the activation (by its key) and what to do.
    const { serverPublicKey } = await server.call('GET', '/v1/hello', undefined, { admin: false });
    assert.ok(text.includes(serverPublicKey.slice(0, 16)), `${text} names the first server's key ${serverPublicKey}`);
    assert.ok(text.includes(there.licenseId), 'and the licence');
    assert.match(text, /deactivate/i, 'and what to do: deactivate it there first');
    assert.equal((await second.license(there.licenseId)).state, 'needsActivation');
    assert.equal((await server.license(lathe.licenseId)).state, 'active', 'the first server keeps its activation');
    // The offline exchange is still offered.
    await dialog.getByLabel('Activation response').waitFor();
    await other.close();
  });
});
