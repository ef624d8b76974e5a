// Floating feature seats in real Chromium against a real server: a cad code
// issued with `--feature render:1 --feature export` and a plain sim code. ann
// holds a cad lease and checks out render under it (the client API, as an
// application does); bob holds one without. The Licenses tab shows render
// 1 of 1 under cad's seats (export, uncounted, and sim show none); render
// given back shows 0 of 1 at the next poll, taken again it follows the
// feature_grant event. The Computers tab shows the render chip on ann's row
// only, also when searched, whole in its cell at 1366×800, 1024×700 and
// 800×600. Screenshots: features-licenses.png, features-licenses-800x600.png,
// features-computers.png, features-computers-1024x700.png,
// features-computers-800x600.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, placeInCell, screenshot, scrollingSideways, waitForReading } from './chromium.mjs';
import { holdSeat, startUiServer } from './server.mjs';

/** A feature seat taken follows its event: it shows within this. */
const FRESH_MS = 1500;
/** One given back has no event: it shows at the next status poll (5 s). */
const POLL_MS = 7000;

let server;
let browser;
let page;
let annLease;

const shot = (name) => screenshot(page, name);
const client = (method, path, body) => server.call(method, path, body, { admin: false });
const checkout = (user, host) => holdSeat(server, { product: 'cad', clientId: host, user, host, appName: 'T', appVersion: '1' });
const cadFeatures = () => page.getByRole('list', { name: 'Feature seats of cad in use' });
const seatsTable = () => page.getByRole('table', { name: 'Seats in use' });
const rowOf = (host) => seatsTable().getByRole('row').filter({ has: page.locator(`[role="cell"][data-client-id="${host}"]`) });

/** Waits until every feature meter of cad reads `expected` (one per code row). */
const cadReads = (expected, timeout) => waitForReading(page, {
  read: async () => (await cadFeatures().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()),
  ok: (texts) => texts.length > 0 && texts.every((t) => t === expected),
  wrong: (texts) => `cad's feature use reads ${JSON.stringify(texts)}, not "${expected}"`,
  timeout,
});

/** Nothing scrolls sideways, and each feature chip is whole inside its cell. */
async function assertChipsFit(where) {
  assert.deepEqual(await scrollingSideways(page, [':root', '.main', '.computers-grid .vrow']), [], `${where}: scrolls sideways`);
  const chips = await seatsTable().locator('.chip-feature').all();
  assert.equal(chips.length, 1, `${where}: one feature chip`);
  for (const chip of chips) {
    const { box, cell } = await placeInCell(chip);
    assert.ok(box.width > 0 && box.right <= cell.right + 0.5 && box.bottom <= cell.bottom + 0.5, `${where}: the chip ${JSON.stringify(box)} fits its cell ${JSON.stringify(cell)}`);
  }
}

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 3, customer: 'Northwind Engineering', features: ['render:1', 'export'] });
  await server.issueLicense({ product: 'sim', seats: 2, customer: 'Northwind Engineering' });
  annLease = (await checkout('ann', 'pc-1')).leaseId;
  await client('POST', `/v1/leases/${annLease}/features/render`);
  await checkout('bob', 'pc-2');
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('floating feature seats', () => {
  test('the server counts render: 1 of 1 in use, held by ann’s lease', async () => {
    const { products } = await server.call('GET', '/admin/v1/status');
    assert.deepEqual(products.find((p) => p.product === 'cad').features, [{ feature: 'render', seats: 1, inUse: 1 }]);
    const { rows } = await server.call('GET', '/admin/v1/computers');
    assert.deepEqual(rows.map((r) => [r.lease.holder.host, r.features ?? []]).sort(), [['pc-1', ['render']], ['pc-2', []]]);
  });

  test('Licenses: render 1 of 1 under cad’s seats; export and sim show none', async () => {
    await page.goto(server.adminUrl);
    await cadReads('render 1 of 1', FRESH_MS * 3);
    const meter = cadFeatures().locator('.meter');
    assert.equal(await meter.getAttribute('title'), 'render: 1 of 1 seats in use');
    assert.equal(await page.getByRole('list', { name: 'Feature seats of sim in use' }).count(), 0);
    assert.equal(await cadFeatures().getByText('export').count(), 0);
    // cad's own seats still read as before, above it.
    const cell = cadFeatures().locator('xpath=ancestor::td');
    assert.match(await cell.innerText(), /^2 of 3\s+render 1 of 1$/);
    assert.ok(!/undefined|NaN|\{"/.test(await page.locator('.table').innerText()));
    await shot('features-licenses');
  });

  test('given back, 0 of 1 at the next poll; taken again, 1 of 1 at once (feature_grant)', async () => {
    await client('DELETE', `/v1/leases/${annLease}/features/render`);
    await cadReads('render 0 of 1', POLL_MS);
    await client('POST', `/v1/leases/${annLease}/features/render`);
    await cadReads('render 1 of 1', FRESH_MS);
  });

  test('Licenses fits 800×600', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await cadFeatures().scrollIntoViewIfNeeded();
    const box = await cadFeatures().boundingBox();
    assert.ok(box && box.x >= 0 && box.width > 0, `the feature meter ${JSON.stringify(box)} is in sight`);
    await shot('features-licenses-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  test('Computers: the render chip on ann’s row, none on bob’s', async () => {
    await page.getByRole('tab', { name: 'Computers', exact: true }).click();
    await rowOf('pc-2').waitFor();
    const held = rowOf('pc-1').getByRole('list', { name: 'Feature seats held' });
    assert.deepEqual(await held.getByRole('listitem').allInnerTexts(), ['render']);
    assert.equal(await held.getAttribute('title'), 'Feature seats held: render');
    assert.equal(await rowOf('pc-2').getByRole('list', { name: 'Feature seats held' }).count(), 0);
    await assertChipsFit('1366×800');
    await shot('features-computers');
  });

  test('the search still finds the row, chip and all', async () => {
    const search = page.getByLabel('Search computers');
    await search.fill('ann');
    await page.getByText('1 of 2', { exact: true }).waitFor();
    assert.equal(await rowOf('pc-2').count(), 0);
    assert.deepEqual(await rowOf('pc-1').getByRole('list', { name: 'Feature seats held' }).getByRole('listitem').allInnerTexts(), ['render']);
    await search.fill('');
    await rowOf('pc-2').waitFor();
  });

  test('the chip stays whole at 1024×700 and 800×600', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await assertChipsFit('1024×700');
    await shot('features-computers-1024x700');
    await page.setViewportSize({ width: 800, height: 600 });
    await assertChipsFit('800×600');
    await shot('features-computers-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
  });
});
