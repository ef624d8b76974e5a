// Borrowed seats in real Chromium against a real server: a cad code issued
// with `--max-borrow-hours 24`; bob holds a seat of it the usual way, then ann
// borrows one for 8 hours through the client API (`POST /v1/borrow`, as
// `client borrow` does). The Licenses tab says "1 borrowed" under cad's
// seats in use as soon as the borrow event comes. On the Computers tab ann's
// row reads "Borrowed until <the loan's end, local time>" over the time
// columns, whole and lined up with them at 1366×800, 1024×700 and 800×600,
// and offers End loan; bob's row reads as before. Ending the loan says the
// seat stops counting now and the computer loses it at its next contact;
// after it the row goes, the server counts no loan, ann's next renewal is
// told it was disconnected, and the Licenses tab says nothing borrowed.
// Screenshots: borrowed-licenses.png, borrowed-licenses-800x600.png,
// borrowed-computers.png, borrowed-computers-1024x700.png,
// borrowed-computers-800x600.png, borrowed-end-loan.png, borrowed-ended.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, localDateTime, openPage, placeInCell, screenshot, scrollingSideways, waitForReading } from './chromium.mjs';
import { holdSeat, startUiServer } from './server.mjs';

/** A loan follows its event (`borrow`, `disconnect`): it shows within this. */
const FRESH_MS = 1500;

let server;
let browser;
let page;
let loan;

const shot = (name) => screenshot(page, name);
const seatsTable = () => page.getByRole('table', { name: 'Seats in use' });
const rowOf = (host) => seatsTable().getByRole('row').filter({ has: page.locator(`[role="cell"][data-client-id="${host}"]`) });
// cad's "In use now" cell (narrower, the columns beside it step aside: found by what it is, not where).
const cadUse = () => page.getByRole('row').filter({ has: page.locator('.product-name', { hasText: /^cad$/ }) }).locator('.cell-use');
const cadReads = (expected, timeout) => waitForReading(page, {
  read: async () => (await cadUse().innerText()).replace(/\s+/g, ' ').trim(),
  ok: (text) => text === expected,
  wrong: (text) => `cad's use reads "${text}", not "${expected}"`,
  timeout,
});

/** Nothing scrolls sideways; the badge is whole in its cell, and the cell covers the Connected to Expires columns. */
async function assertLoanFits(where, { lastRenewShown }) {
  assert.deepEqual(await scrollingSideways(page, [':root', '.main', '.computers-grid .vrow']), [], `${where}: scrolls sideways`);
  const { box, cell, cut, cellCut } = await placeInCell(rowOf('pc-1').locator('.loan-cell .badge'));
  assert.ok(box.width > 0 && !cut && !cellCut && box.right <= cell.right + 0.5 && box.bottom <= cell.bottom + 0.5, `${where}: the badge ${JSON.stringify(box)} is whole in its cell ${JSON.stringify(cell)}`);
  const head = async (name) => (await seatsTable().getByRole('columnheader', { name }).boundingBox());
  const connected = await head('Connected');
  const expires = await head('Expires');
  assert.ok(Math.abs(cell.left - connected.x) <= 1 && Math.abs(cell.right - (expires.x + expires.width)) <= 1, `${where}: the loan cell ${cell.left}–${cell.right} covers Connected to Expires ${connected.x}–${expires.x + expires.width}`);
  assert.equal(await seatsTable().getByRole('columnheader', { name: 'Last renew' }).isVisible(), lastRenewShown, `${where}: Last renew ${lastRenewShown ? 'shown' : 'hidden'}`);
  // bob's row keeps its own time columns, lined up with the same headers.
  const bobExpires = await rowOf('pc-2').getByText(/^in \d/).boundingBox();
  assert.ok(bobExpires.x >= expires.x - 1 && bobExpires.x + bobExpires.width <= expires.x + expires.width + 1, `${where}: bob's expiry sits under Expires`);
}

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 3, customer: 'Northwind Engineering', maxBorrowHours: 24 });
  await holdSeat(server, { product: 'cad', user: 'bob', host: 'pc-2', clientId: 'pc-2', appName: 'T', appVersion: '1' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('borrowed seats', () => {
  test('Licenses: "1 borrowed" under cad’s seats as soon as ann borrows one', async () => {
    await page.goto(server.adminUrl);
    await cadReads('1 of 3', FRESH_MS * 3);
    // Borrow only once the page hears the server live: the figure must come
    // with the borrow event, not at the next 5 s refresh.
    await page.getByText('Live', { exact: true }).waitFor();
    loan = await server.call('POST', '/v1/borrow', { seat: { product: 'cad', clientId: 'pc-1', user: 'ann', host: 'pc-1', appName: 'T', appVersion: '1' }, hours: 8 }, { admin: false });
    assert.equal(loan.until - loan.borrowedAt, 8 * 3_600_000);
    await cadReads('2 of 3 1 borrowed', FRESH_MS);
    assert.match(await cadUse().getByText('1 borrowed').getAttribute('title'), /^Of the seats in use, 1 is borrowed/);
    await shot('borrowed-licenses');
    await page.setViewportSize({ width: 800, height: 600 });
    const box = await cadUse().getByText('1 borrowed').boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 800, `"1 borrowed" ${JSON.stringify(box)} is in sight at 800×600`);
    await shot('borrowed-licenses-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  test('the server lends it: borrowed on ann’s row and in cad’s status', async () => {
    const { rows } = await server.call('GET', '/admin/v1/computers');
    assert.deepEqual(rows.map((r) => [r.lease.holder.host, r.borrowed ?? false, r.lease.expiresAt]).sort(), [['pc-1', true, loan.until], ['pc-2', false, rows.find((r) => r.lease.holder.host === 'pc-2').lease.expiresAt]]);
    const { products } = await server.call('GET', '/admin/v1/status');
    assert.equal(products.find((p) => p.product === 'cad').borrowed, 1);
  });

  test('Computers: ann’s row reads "Borrowed until" the loan’s end and offers End loan; bob’s reads as before', async () => {
    await page.getByRole('tab', { name: 'Computers', exact: true }).click();
    await rowOf('pc-2').waitFor();
    const ann = rowOf('pc-1');
    // The loan's end as the page writes times.
    const until = await localDateTime(page, loan.until);
    assert.equal(await ann.locator('.badge').innerText(), `Borrowed until ${until}`);
    assert.equal(await ann.getByRole('button', { name: 'End loan of cad to ann on pc-1' }).innerText(), 'End loan…');
    assert.ok(!/ ago|in \d/.test(await ann.innerText()), 'no renewal or expiry wording on the loan');
    const bob = rowOf('pc-2');
    assert.equal(await bob.getByText(/Borrowed/).count(), 0);
    assert.equal(await bob.getByRole('button', { name: 'Disconnect bob on pc-2 from cad' }).innerText(), 'Disconnect…');
    assert.ok(!/undefined|NaN|\{"/.test(await seatsTable().innerText()));
    await assertLoanFits('1366×800', { lastRenewShown: true });
    await shot('borrowed-computers');
  });

  test('the loan stays whole and lined up at 1024×700 and 800×600', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await assertLoanFits('1024×700', { lastRenewShown: true });
    await shot('borrowed-computers-1024x700');
    await page.setViewportSize({ width: 800, height: 600 });
    await assertLoanFits('800×600', { lastRenewShown: false });
    await shot('borrowed-computers-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  test('End loan says what happens, ends it, and the row goes', async () => {
    await rowOf('pc-1').getByRole('button', { name: 'End loan of cad to ann on pc-1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /The seat stops counting now: it is free for someone else at once\./);
    assert.match(text, /ann’s computer \(pc-1\) loses it at its next contact with the server\./);
    await shot('borrowed-end-loan');
    await dialog.getByRole('button', { name: 'End loan', exact: true }).click();
    await page.getByText('Loan ended: the seat is free.').waitFor();
    await rowOf('pc-1').waitFor({ state: 'detached', timeout: FRESH_MS });
    assert.equal(await rowOf('pc-2').count(), 1);
    await shot('borrowed-ended');
  });

  test('the server counts no loan, and ann hears it at her next contact', async () => {
    const { rows } = await server.call('GET', '/admin/v1/computers');
    assert.deepEqual(rows.map((r) => r.lease.holder.host), ['pc-2']);
    const { products } = await server.call('GET', '/admin/v1/status');
    assert.equal(products.find((p) => p.product === 'cad').borrowed ?? 0, 0);
    await assert.rejects(server.call('POST', `/v1/leases/${loan.leaseId}/renew`, undefined, { admin: false }), (e) => e.body?.code === 'lease_disconnected');
  });

  test('Licenses: nothing borrowed any more', async () => {
    await page.getByRole('tab', { name: 'Licenses', exact: true }).click();
    await cadReads('1 of 3', FRESH_MS * 3);
  });
});
