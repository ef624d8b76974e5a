// The clock-set-back banner in real Chromium against a real `leasehold serve`:
// the server is started with a latest-seen time three days ahead of this
// computer's clock (as if the clock had been set back since it last ran), so
// it is in the clock_set_back state; every tab shows the banner, the code with
// dates waits for the clock. Started again with the time right, the banner
// goes. Screenshots at 1024×700: clock-set-back.png, clock-set-back-dark.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, screenshot } from './chromium.mjs';
import { dayFromToday, startUiServer } from './server.mjs';

const DAY = 86_400_000;
let server;
let browser;
let page;

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering', expires: dayFromToday(300) });
  await server.issueLicense({ product: 'sim', seats: 3, customer: 'Northwind Lab' });
  await server.restart({ lastSeenAt: Date.now() + 3 * DAY });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1024, height: 700 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const banner = () => page.getByRole('alert').filter({ hasText: 'clock is set back' });

describe('the clock set back', () => {
  test('the server is in the clock_set_back state', async () => {
    const status = await server.call('GET', '/admin/v1/status');
    assert.ok(status.clockSetBack, 'status carries clockSetBack');
    const licenses = await server.call('GET', '/admin/v1/licenses');
    assert.equal(licenses.find((l) => l.product === 'cad').state, 'clockSetBack');
    assert.equal(licenses.find((l) => l.product === 'sim').state, 'active');
  });

  test('every tab shows the banner, above the tab', async () => {
    await page.goto(server.adminUrl);
    await banner().waitFor();
    const text = await banner().innerText();
    assert.match(text, /^The license server’s clock is set back\./);
    assert.match(text, /3 days behind the latest time the server saw/);
    assert.match(text, /License codes with a start or end date count no seats until the clock is right\./);
    assert.match(text, /Set the date, time and time zone of the computer the Leasehold server runs on/);
    await page.getByText('Waiting for the clock', { exact: true }).waitFor();
    await screenshot(page, 'clock-set-back');
    for (const name of ['Computers', 'Usage', 'Server', 'Logs', 'License Mode', 'Licenses']) {
      await page.getByRole('tab', { name, exact: true }).click();
      await page.locator(`#panel-${{ 'License Mode': 'mode' }[name] ?? name.toLowerCase()}`).waitFor();
      assert.equal(await banner().count(), 1, `one banner on ${name}`);
      const [bannerBox, mainBox] = await Promise.all([banner().boundingBox(), page.getByRole('tabpanel').boundingBox()]);
      assert.ok(bannerBox.y + bannerBox.height <= mainBox.y, `the banner is above the ${name} tab`);
    }
  });

  test('reads well in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const [fg, bg] = await banner().evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
    assert.ok(contrast(fg, bg) >= 4.5, `contrast ${contrast(fg, bg).toFixed(2)} of ${fg} on ${bg}`);
    await screenshot(page, 'clock-set-back-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    const [lfg, lbg] = await banner().evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
    assert.ok(contrast(lfg, lbg) >= 4.5, `contrast ${contrast(lfg, lbg).toFixed(2)} of ${lfg} on ${lbg}`);
  });

  test('goes once the clock is right', async () => {
    await server.restart({ lastSeenAt: Date.now() });
    assert.equal((await server.call('GET', '/admin/v1/status')).clockSetBack ?? null, null);
    // The page reconnects by itself; the banner goes at its next look at the status.
    await banner().waitFor({ state: 'detached', timeout: 30_000 });
    // The licences load again on their own request, which may answer after
    // the status's: the code's state goes when they do.
    await page.getByText('Waiting for the clock', { exact: true }).waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByText('10 seats', { exact: true }).waitFor();
  });
});

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
