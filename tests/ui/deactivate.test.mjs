// Deactivating a licence in real Chromium against a real `leasehold serve`:
// a code activated through the vendor's real response gets Deactivate…, a
// code issued without activation does not; the dialog says what happens,
// shows the server-signed proof (checked by the vendor's own
// `leasehold vendor deactivate`), copies it and saves it as a file, and the
// code needs activation again. A refusal shows the server's sentence. With
// the vendor's activation authority set, the page says it freed the
// activation. Screenshots at 1024×700: deactivate-confirm.png,
// deactivate-proof.png, deactivate-authority.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launchChromium, openPage, screenshot } from './chromium.mjs';
import { holdSeat, startUiServer } from './server.mjs';

let server;
let browser;
let page;
let cam;
let mill;

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering' });
  cam = await server.issueLicense({ product: 'cam', seats: 6, customer: 'Northwind Shop', activation: 'required' });
  mill = await server.issueLicense({ product: 'mill', seats: 2, customer: 'Northwind Shop', activation: 'required' });
  await server.activate(cam.licenseId);
  await server.activate(mill.licenseId);
  await holdSeat(server, { product: 'cam', user: 'ann', host: 'ws-ann' });
  await holdSeat(server, { product: 'cam', user: 'bob', host: 'ws-bob' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1024, height: 700, acceptDownloads: true });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const deactivateButton = (product, customer) => page.getByRole('button', { name: `Deactivate the ${product} license for ${customer}`, exact: true });

describe('Deactivate on the Licenses tab', () => {
  test('is offered for codes activated here, not for a code that needs no activation', async () => {
    assert.equal((await server.license(cam.licenseId)).state, 'active');
    await page.goto(server.adminUrl);
    await deactivateButton('cam', 'Northwind Shop').waitFor();
    await deactivateButton('mill', 'Northwind Shop').waitFor();
    await page.getByText('10 seats', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Deactivate the cad license/ }).count(), 0);
  });

  test('a refusal shows the server’s sentence, not its JSON', async () => {
    await deactivateButton('mill', 'Northwind Shop').click();
    const dialog = page.getByRole('dialog', { name: 'Deactivate the mill license?' });
    // Deactivated elsewhere (the CLI) while the dialog was open.
    await server.call('POST', `/admin/v1/licenses/${mill.licenseId}/deactivate`);
    const refusal = await server.call('POST', `/admin/v1/licenses/${mill.licenseId}/deactivate`).catch((e) => e);
    assert.equal(refusal.status, 409);
    await dialog.getByRole('button', { name: 'Deactivate license' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.ok(text.startsWith('Not deactivated.'), text);
    assert.ok(text.toLowerCase().includes(refusal.body.message.toLowerCase()), `the dialog shows ${JSON.stringify(text)}, not the server's ${JSON.stringify(refusal.body.message)}`);
    assert.equal(await alert.getAttribute('data-error-code'), refusal.body.code);
    assert.ok(!/[{}]|not_activated_here/.test(text), 'no raw JSON or code in the text');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The page has taken in the deactivation done elsewhere (the row's
    // buttons change width, and with them the table's columns) before the
    // next test clicks in that table.
    await page.getByRole('button', { name: 'Activate the mill license for Northwind Shop', exact: true }).waitFor();
  });

  test('says what happens, deactivates, and shows the proof to copy or save', async () => {
    await deactivateButton('cam', 'Northwind Shop').click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate the cam license?' });
    // Once seen failing on CI without a trace: keep what the page showed.
    await confirm.waitFor().catch(async (e) => { await screenshot(page, 'deactivate-no-dialog'); throw e; });
    const said = await confirm.innerText();
    assert.match(said, /stops counting on this server at once: its 6 seats of cam go away/);
    assert.match(said, /cam goes from 6 to 0 seats\. 2 are in use now\. 2 leases keep running until they end/);
    assert.match(said, /leasehold vendor deactivate/);
    assert.match(said, /activated on another computer/);
    await screenshot(page, 'deactivate-confirm');
    assert.equal((await server.license(cam.licenseId)).state, 'active', 'nothing happens before the confirmation');

    await confirm.getByRole('button', { name: 'Deactivate license' }).click();
    const dialog = page.getByRole('dialog', { name: 'The cam license is deactivated here' });
    const proofBox = dialog.getByLabel('Deactivation proof');
    await proofBox.waitFor();
    const proof = await proofBox.inputValue();
    assert.match(proof, /^[0-9A-Z]{6}(-[0-9A-Z]{2,6})+$/, 'the proof is copy-safe groups');
    // The vendor's own tool accepts it, for this licence.
    const verdict = server.vendorDeactivate(proof);
    assert.match(verdict, /^Valid: /);
    assert.ok(verdict.includes(cam.licenseId), verdict);
    await dialog.getByText('cam now has 0 seats, 2 in use. 2 leases run to their end and are not renewed.').waitFor();
    await dialog.getByText('What to do next').waitFor();

    await dialog.getByRole('button', { name: 'Copy proof' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), proof);

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Save as file…' }).click()]);
    assert.equal(download.suggestedFilename(), `deactivation-proof-cam-${cam.licenseId.slice(0, 8)}.txt`);
    assert.equal(readFileSync(await download.path(), 'utf8'), `${proof}\n`);
    await screenshot(page, 'deactivate-proof');

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('the code needs activation again, on the page and on the server', async () => {
    await page.getByRole('button', { name: 'Activate the cam license for Northwind Shop', exact: true }).waitFor();
    await deactivateButton('cam', 'Northwind Shop').waitFor({ state: 'detached' });
    const now = await server.license(cam.licenseId);
    assert.equal(now.state, 'needsActivation');
    assert.equal(now.productSeats, 0);
    assert.equal(await page.getByText('Needs activation', { exact: true }).count(), 2, 'cam and mill');
  });

  test('with an activation authority set, the proof goes to it and the page says it freed the activation', async () => {
    const url = await server.startAuthority();
    await server.call('PUT', '/admin/v1/authority', { url });
    const lathe = await server.issueLicense({ product: 'lathe', seats: 3, customer: 'Northwind Shop', activation: 'required' });
    await server.call('POST', `/admin/v1/licenses/${lathe.licenseId}/activate-online`);
    assert.equal((await server.license(lathe.licenseId)).state, 'active');
    await deactivateButton('lathe', 'Northwind Shop').click();
    await page.getByRole('dialog', { name: 'Deactivate the lathe license?' }).getByRole('button', { name: 'Deactivate license' }).click();
    const dialog = page.getByRole('dialog', { name: 'The lathe license is deactivated here' });
    // The server names the authority as it keeps the address (with a final slash).
    await dialog.getByText(new RegExp(`The activation authority at ${url}/? freed the activation: the license may be activated on another computer now\\.`)).waitFor();
    assert.equal(await dialog.getByText('Send the proof to your vendor').count(), 0);
    assert.match(await dialog.getByLabel('Deactivation proof').inputValue(), /^[0-9A-Z]{6}(-[0-9A-Z]{2,6})+$/);
    await screenshot(page, 'deactivate-authority');
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.equal((await server.license(lathe.licenseId)).state, 'needsActivation');
  });
});
