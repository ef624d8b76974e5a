// Cloned machines on the Computers tab, in real Chromium against a real
// server: two real `leasehold client checkout` processes present the same
// client id from two computers (the debug build's LEASEHOLD_TEST_FINGERPRINT
// seam: other network cards, another boot), hold a seat each, and both rows
// carry the "Shared machine id" flag with what it means; a seat of another
// client id does not. The table still fits at 1024×700.
// Screenshot: computers-shared-machine-id.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, placeInCell, screenshot } from './chromium.mjs';
import { checkoutProcess, holdSeat, startUiServer } from './server.mjs';

const HELP = 'Several computers present this machine id (a cloned machine image). Each has its own seat; give each clone its own machine id.';

let server;
let browser;
let page;
const clients = [];

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 5, customer: 'Northwind Engineering' });
  for (const fingerprint of ['machine=img,host=ws,nics=aa:aa,cpu=x,boot=b1', 'machine=img,host=ws,nics=bb:bb,cpu=x,boot=b2']) {
    clients.push(await checkoutProcess(server, { product: 'cad', clientId: 'img', fingerprint }));
  }
  await holdSeat(server, { product: 'cad', user: 'bob', host: 'ws-bob' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1024, height: 700 });
});

after(async () => {
  // The checkout processes, each by its pid.
  for (const c of clients) c.stop();
  await browser?.close();
  await server?.stop();
});

describe('Computers: a shared machine id', () => {
  test('two computers with one client id hold two seats, and the server says they share it', async () => {
    assert.notEqual(clients[0].grant.leaseId, clients[1].grant.leaseId, 'a clone is another seat');
    const { rows } = await server.call('GET', '/admin/v1/computers');
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.filter((r) => r.sharedMachineId).map((r) => r.lease.holder.clientId), ['img', 'img']);
  });

  test('both rows carry the flag, with what it means; the other seat does not', async () => {
    await page.goto(server.adminUrl);
    await page.getByRole('tab', { name: 'Computers', exact: true }).click();
    const table = page.getByRole('table', { name: 'Seats in use' });
    await table.getByRole('row').nth(3).waitFor();
    // The flags (the notice that explains them sits above the table).
    const flags = table.getByText('Shared machine id');
    assert.equal(await flags.count(), 2);
    for (const flag of await flags.all()) {
      assert.ok(await flag.isVisible());
      assert.equal(await flag.getAttribute('title'), HELP);
      // Its accessible description is the notice above the list.
      const described = await flag.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent);
      assert.equal(described, `Shared machine id. ${HELP}`);
    }
    await page.getByText(HELP).first().waitFor();
    // The flags are on the two rows of client id img (the computer's cell shows the id as its tooltip).
    const img = table.getByRole('row').filter({ has: page.locator('[role="cell"][data-client-id="img"]') });
    assert.equal(await img.count(), 2);
    for (const row of await img.all()) assert.equal(await row.getByText('Shared machine id').count(), 1);
    const bob = table.getByRole('row').filter({ hasText: 'ws-bob' });
    assert.equal(await bob.getByText('Shared machine id').count(), 0);
  });

  test('the table still fits at 1024×700, flags and Disconnect buttons whole', async () => {
    const table = page.getByRole('table', { name: 'Seats in use' });
    const overflow = await table.evaluate((el) => [...el.querySelectorAll('.grid-head, .vrow')].map((r) => r.scrollWidth - r.clientWidth));
    assert.ok(overflow.every((d) => d <= 0), `rows wider than the table: ${overflow}`);
    const flags = await table.getByText('Shared machine id').all();
    assert.equal(flags.length, 2);
    for (const flag of flags) {
      // Not cut off by its cell.
      const { cut, box, cell } = await placeInCell(flag);
      assert.ok(!cut, 'the flag text is whole');
      assert.ok(box.right <= cell.right + 0.5 && box.bottom <= cell.bottom + 0.5, `the flag ${JSON.stringify(box)} fits its cell ${JSON.stringify(cell)}`);
    }
    const viewport = page.viewportSize();
    for (const button of await table.getByRole('button', { name: /^Disconnect / }).all()) {
      const b = await button.boundingBox();
      assert.ok(b && b.x + b.width <= viewport.width && b.y + b.height <= viewport.height, `Disconnect at ${JSON.stringify(b)} is in view`);
    }
    await screenshot(page, 'computers-shared-machine-id');
  });
});
