// An admin's day against one real server (HTTPS on too): a code ending in
// three days shows a warning badge, the banner on every tab and the Server
// tab's list, and the warning window is changed there (a refused value shows
// the server's sentence); a code from a vendor this server does not trust is
// refused with a way to trust the vendor's key, a bad key gets the server's
// exact words, and once the key is trusted the code adds; the Server tab shows
// the certificate's fingerprint; the Logs tab names the account behind an
// admin action, and finds it by that name.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, screenshot } from './chromium.mjs';
import { dayFromToday, startUiServer } from './server.mjs';

/** `2027-01-07` as the page writes it in en-US ("Jan 7, 2027"), in any time zone. */
const usDay = (iso) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
const LAST_DAY = dayFromToday(3);

let server;
let browser;
let page;
const tab = (name) => page.getByRole('tab', { name, exact: true });

before(async () => {
  server = await startUiServer({ tls: true });
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering', expires: LAST_DAY });
  await server.issueLicense({ product: 'sim', seats: 3, customer: 'Northwind Lab', expires: dayFromToday(200) });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
  await page.goto(server.adminUrl);
  await page.getByRole('heading', { name: 'Licenses' }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('codes that end soon', () => {
  test('a code ending in 3 days: its last day, a warning badge instead of Active, and the banner', async () => {
    const row = page.getByRole('row').filter({ hasText: 'Northwind Engineering' });
    await row.getByText(`Until ${usDay(LAST_DAY)}`, { exact: true }).waitFor();
    await row.getByText('Expires in 3 days', { exact: true }).waitFor();
    assert.equal(await row.getByText('Active', { exact: true }).count(), 0, 'the code ending soon still shows Active');
    // The code ending in 200 days is Active, with its own last day.
    const sim = page.getByRole('row').filter({ hasText: 'Northwind Lab' });
    await sim.getByText('Active', { exact: true }).waitFor();
    await sim.getByText(`Until ${usDay(dayFromToday(200))}`, { exact: true }).waitFor();

    const banner = page.getByRole('status').filter({ hasText: 'A license code ends soon.' });
    await banner.waitFor();
    assert.match(await banner.innerText(), new RegExp(`cad for Northwind Engineering \\(10 seats\\): last day ${usDay(LAST_DAY)} \\(3 days left\\)`));
    assert.ok(!(await banner.innerText()).includes('sim'), 'the banner names a code outside the window');
    await screenshot(page, 'expiry-banner-badge');
    // On every tab.
    await tab('Logs').click();
    await banner.waitFor();
  });

  test('the Server tab lists it, and the window is changed there (a refusal in the server’s words)', async () => {
    await page.getByRole('status').filter({ hasText: 'A license code ends soon.' }).getByRole('button', { name: 'Expiry warnings' }).click();
    const card = page.locator('#expiry');
    const row = card.getByRole('row').filter({ hasText: 'cad' });
    await row.waitFor();
    assert.match(await row.innerText(), new RegExp(`cad\\s+Northwind Engineering\\s+10\\s+${usDay(LAST_DAY)}\\s+Expires in 3 days`));
    assert.ok(await card.evaluate((el) => el.getBoundingClientRect().top < innerHeight), 'the banner’s link did not bring the card into view');
    assert.equal(await page.evaluate(() => document.scrollingElement.scrollTop), 0, 'the page itself scrolled: the header is out of sight');
    await screenshot(page, 'expiry-server-tab');

    const days = card.getByLabel('Warn this many days before a code’s last day');
    assert.equal(await days.inputValue(), '30');
    await days.fill('400');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByRole('alert').filter({ hasText: 'expiryWarningDays: 400 days is too long; give 0 (no warnings) to 365.' }).waitFor();

    // Two days: the code ending in three is no longer warned of, anywhere.
    await days.fill('2');
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('No code that counts now ends within 2 days.', { exact: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'ends soon' }).waitFor({ state: 'detached' });
    assert.equal((await server.call('GET', '/admin/v1/settings')).expiryWarningDays, 2);
    await server.call('PUT', '/admin/v1/settings', { expiryWarningDays: 30 });
    await card.getByRole('row').filter({ hasText: 'cad' }).waitFor();
  });
});

describe('trusting a vendor key', () => {
  test('a code from an untrusted vendor: the error links to Add vendor key; a bad key is refused in the server’s words; then the code adds', async () => {
    const other = server.otherVendor();
    const code = other.licenseCode({ product: 'cam', seats: 4, customer: 'Southwind Shop' });
    await tab('Licenses').click();
    await page.getByRole('button', { name: 'Add license code' }).click();
    const add = page.getByRole('dialog', { name: 'Add a license code' });
    await add.getByLabel('License code').fill(code);
    const refusal = add.locator('[data-error-code="untrusted_vendor"]');
    await refusal.waitFor();
    await refusal.getByRole('button', { name: 'Add vendor key…' }).click();

    const keyDialog = page.getByRole('dialog', { name: 'Add a vendor key' });
    await keyDialog.waitFor();
    const field = keyDialog.getByLabel('Vendor public key');
    assert.ok(await field.evaluate((el) => el === document.activeElement), 'the key field does not have the focus');
    // A key with a letter keys never hold: the server's sentence, exactly.
    await field.fill(other.publicKey.replace(/.$/, 'O'));
    await keyDialog.getByRole('button', { name: 'Trust this key' }).click();
    const bad = keyDialog.locator('[data-error-code="bad_public_key"]');
    await bad.waitFor();
    assert.match(await bad.innerText(), /^This key was not added\. This is not a valid vendor public key: it contains O, which keys never contain \(no 0, 1, O or I\); copy the LHPK-… line again\.$/);
    await screenshot(page, 'vendor-key-refused');

    await field.fill(other.publicKey);
    await keyDialog.getByRole('button', { name: 'Trust this key' }).click();
    await keyDialog.waitFor({ state: 'detached' });
    // Back in the Add dialog, the code is checked again and can be added now.
    await add.getByRole('button', { name: 'Add 4 seats of cam' }).click();
    await add.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'Southwind Shop' }).waitFor();
    const { trustedKeys } = await server.call('GET', '/admin/v1/status');
    assert.ok(trustedKeys.some((k) => k.publicKey === other.publicKey && k.source === 'dataDir'), 'the key is not trusted on the server');
  });

  test('the Server tab lists the key added and adds another through the same dialog', async () => {
    const other = server.otherVendor();
    await tab('Server').click();
    await page.getByRole('button', { name: 'Add vendor key…' }).click();
    const keyDialog = page.getByRole('dialog', { name: 'Add a vendor key' });
    await keyDialog.getByLabel('Vendor public key').fill(other.publicKey);
    await keyDialog.getByRole('button', { name: 'Trust this key' }).click();
    await keyDialog.waitFor({ state: 'detached' });
    const { trustedKeys } = await server.call('GET', '/admin/v1/status');
    const added = trustedKeys.find((k) => k.publicKey === other.publicKey);
    assert.ok(added, 'not trusted');
    await page.getByText(added.fingerprint, { exact: true }).waitFor();
  });
});

describe('HTTPS and the log', () => {
  test('the Server tab shows the certificate’s fingerprint, with Copy', async () => {
    const { tls } = await server.call('GET', '/admin/v1/status');
    assert.equal(tls.source, 'made');
    await tab('Server').click();
    const https = page.locator('.facts dd').filter({ hasText: 'Certificate fingerprint (SHA\u2011256)' });
    await https.getByText(tls.fingerprint, { exact: true }).waitFor();
    assert.match(await https.innerText(), /^On the same port, with a certificate this server made\. Certificate fingerprint \(SHA\u2011256\):/);
    assert.match(await https.innerText(), /Check that your browser shows the same fingerprint/);
    await https.getByRole('button', { name: 'Copy certificate fingerprint' }).waitFor();
  });

  test('Logs name the account behind an admin action, in the list and in full, and find it by that name', async () => {
    await tab('Logs').click();
    const search = page.getByLabel('Search the log');
    await search.fill('by admin');
    const line = page.locator('.logs-grid .vrow').filter({ hasText: 'codes are warned of 30 days before their last day' });
    await line.waitFor();
    assert.match(await line.locator('.log-message').innerText(), / by admin$/);
    await line.locator('.log-message').click();
    const full = page.getByRole('region', { name: 'The line in full' });
    await full.getByText('by admin', { exact: true }).waitFor();
    // A line no account did is not found by an account's name.
    await search.fill('by nobody-here');
    await page.getByText('No line matches these filters', { exact: true }).waitFor();
    await search.fill('');
  });
});

describe('alerts', () => {
  test('the bell counts the alert for the code ending soon; an admin acknowledges it there', async () => {
    // The server looks at its conditions every 10 s: wait for it, then load the page again.
    let alerts;
    for (const until = Date.now() + 15_000; Date.now() < until;) {
      alerts = await server.call('GET', '/admin/v1/alerts');
      if (alerts.alerts.some((a) => a.kind === 'license_expiring' && a.product === 'cad')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const expiring = alerts.alerts.find((a) => a.kind === 'license_expiring' && a.product === 'cad');
    assert.ok(expiring, `no alert for the code ending soon: ${JSON.stringify(alerts)}`);
    await page.reload();
    const waiting = alerts.unacknowledged;
    const bell = page.getByRole('button', { name: `Alerts: ${waiting} waiting for an admin` });
    await bell.click();
    const dialog = page.getByRole('dialog', { name: 'Alerts' });
    const item = dialog.locator('.alert-item').filter({ hasText: 'The cad code for Northwind Engineering' });
    await item.getByText('Critical', { exact: true }).waitFor();
    await screenshot(page, 'alerts-bell');
    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await item.getByText(/seen by admin/).waitFor();
    const after = waiting - 1;
    await page.getByRole('button', { name: after === 0 ? 'Alerts: none waiting' : `Alerts: ${after} waiting for an admin` }).waitFor();
    const again = await server.call('GET', '/admin/v1/alerts');
    assert.equal(again.alerts.find((a) => a.id === expiring.id).acknowledgedBy, 'admin');
    await page.keyboard.press('Escape');
  });
});

describe('alert delivery', () => {
  test('the Server tab sets a webhook, sends a test that arrives, and a relay the server refuses gets its sentence', async () => {
    const { createServer } = await import('node:http');
    const got = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => { got.push(JSON.parse(body)); res.end('ok'); });
    });
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    try {
      await tab('Server').click();
      const card = page.getByRole('region', { name: 'Alert delivery' });
      await card.getByLabel('Webhook URL (empty for none)').fill(`http://127.0.0.1:${hook.address().port}/hook`);
      await card.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Alert settings saved.').waitFor();
      await card.getByRole('button', { name: 'Send test' }).click();
      await card.getByText('Webhook: sent.').waitFor();
      assert.equal(got.length, 1);
      assert.equal(got[0].alert.kind, 'test');
      await screenshot(page, 'alert-delivery');
      await card.getByLabel('Mail relay (host:port; empty for no mail)').fill('mail lan');
      await card.getByLabel('From').fill('leasehold@lic1.lan');
      await card.getByLabel('To (comma-separated)').fill('it@example.lan');
      await card.getByRole('button', { name: 'Save' }).click();
      await card.getByRole('alert').getByText(/mail\.relay: give the relay as host:port/i).waitFor();
    } finally {
      hook.close();
    }
  });
});
