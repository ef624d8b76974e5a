// The seat policy in real Chromium against a real server: a policy set through
// the editor is in force (its groups, rules with their lines, the order of
// precedence); a typo'd key is refused with its line, the admin's text kept
// and the policy before still shown; a file edited on disk with a mistake
// shows the banner; the dry run refuses with seats_reserved and names the
// rule and its line. Then the overdraft: two real `leasehold client
// checkout` processes on a 1-seat code with 1 seat of overdraft, the second
// seat marked "Over licence" on the Computers tab, and the code's rules on
// the Licenses tab. The tab fits 1366×800, 1024×700 and 800×600 without
// scrolling sideways, light and dark.
// Screenshots: policy-1366x800.png, policy-dry-run.png, policy-800x600.png,
// policy-empty.png, policy-refused.png, policy-dark.png, computers-overdraft.png, licenses-seat-rules.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launchChromium, openPage, placeInCell, screenshot, scrollingSideways } from './chromium.mjs';
import { checkoutProcess, startUiServer } from './server.mjs';

const POLICY = `[groups]
cad-core = { users = ["alice", "bob"] }

[products.cad]
exclude = ["user:mallory"]
reserve = [{ seats = 3, for = "group:cad-core" }]
max = [{ seats = 1, for = "user:bob" }]
`;
// Line 5's key misspelt.
const TYPO = POLICY.replace('exclude =', 'exlcude =');

let server;
let browser;
let page;
const clients = [];

const tab = (name) => page.getByRole('tab', { name, exact: true });
const editor = () => page.getByLabel('Text of policy.toml');
const shot = (name) => screenshot(page, name);

/** Nothing on the page scrolls sideways: not the page, not a table. */
async function assertNoSidewaysScroll(where) {
  assert.deepEqual(await scrollingSideways(page, [':root', '.main', '.table-scroll']), [], `${where}: scrolls sideways`);
}

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 3, customer: 'Northwind Engineering' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
});

after(async () => {
  // The checkout processes, each by its pid.
  for (const c of clients) c.stop();
  await browser?.close();
  await server?.stop();
});

describe('the seat policy', () => {
  test('without a policy the tab says so, offers the example and shows the order of precedence', async () => {
    await page.goto(server.adminUrl);
    await tab('Usage').click();
    // The tab list's arrow keys reach it, after Usage.
    await page.keyboard.press('ArrowRight');
    await page.getByRole('heading', { name: 'Seat policy' }).waitFor();
    assert.equal(await tab('Policy').getAttribute('aria-selected'), 'true');
    await page.getByText('No policy: the licences alone decide who gets a seat.').waitFor();
    const order = page.getByRole('table', { name: 'Order of precedence' });
    const rows = await order.getByRole('row').allInnerTexts();
    assert.equal(rows.length, 6);
    const steps = (await server.call('GET', '/admin/v1/policy')).policy.precedence;
    steps.forEach((s, i) => {
      assert.match(rows[i + 1], new RegExp(`^${s.step}\\s+${s.rule}\\b`));
      if (s.code) assert.ok(rows[i + 1].includes(s.code), `step ${s.step} shows ${s.code}: ${rows[i + 1]}`);
    });
    await shot('policy-empty');
    await page.getByRole('button', { name: 'Put the example in the editor' }).click();
    assert.match(await editor().inputValue(), /^\[groups\]\ncad-core = \{ users = \["alice", "bob"\] \}/);
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
  });

  test('a policy set through the editor is in force: its groups, rules with their lines, and steps', async () => {
    await editor().fill(POLICY);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Seat policy saved. It is in force now.').waitFor();
    const groups = page.getByRole('table', { name: 'Groups' });
    assert.deepEqual(await groups.getByRole('row').allInnerTexts(), ['Group\tUsers\tComputers\tLine', 'cad-core\talice, bob\t—\t2']);
    const cad = page.getByRole('table', { name: /^cad/ });
    assert.deepEqual(await cad.getByRole('row').allInnerTexts(), [
      'Step\tRule\tWho\tEffect\tLine',
      '1\texclude\tuser mallory\tnever\t5',
      '3\tmax\tuser bob\tat most 1 seat at once\t7',
      '4\treserve\tgroup cad-core\t3 seats kept for them\t6',
    ]);
    const inForce = await server.call('GET', '/admin/v1/policy');
    assert.equal(inForce.text, POLICY);
    assert.equal(inForce.error, undefined);
    // A rule's line puts the cursor there.
    await page.getByRole('button', { name: 'Show line 6 (reserve group:cad-core) in the editor' }).click();
    assert.equal(await editor().evaluate((el) => el.selectionStart), POLICY.indexOf('reserve ='));
    await assertNoSidewaysScroll('1366×800');
  });

  test('a typo’d key is refused with its line; the text and the policy before stay', async () => {
    await editor().fill(TYPO);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const alert = page.locator('.editor-error');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /^Not saved\. Line 5: unknown key exlcude, expected one of include, exclude/);
    assert.match(text, /Your text is kept; the policy in force has not changed\./);
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(await alert.getAttribute('data-error-code'), 'invalid_policy');
    // The text kept, the line marked and the cursor on it.
    assert.equal(await editor().inputValue(), TYPO);
    assert.equal(await editor().getAttribute('aria-invalid'), 'true');
    assert.ok(await editor().evaluate((el) => el === document.activeElement));
    assert.equal(await editor().evaluate((el) => el.selectionStart), TYPO.indexOf('exlcude'));
    assert.equal(await page.locator('.code-gutter-error').innerText(), '5');
    await page.locator('.code-mark-error').waitFor();
    // The policy before is still in force, and shown.
    await page.getByRole('table', { name: /^cad/ }).getByText('user mallory').waitFor();
    assert.equal((await server.call('GET', '/admin/v1/policy')).text, POLICY);
    // Not with the toast of the save before.
    await page.locator('.toast').waitFor({ state: 'detached' });
    await page.evaluate(() => document.querySelector('.main').scrollTo(0, 0));
    await shot('policy-refused');
    // Discarding the text goes back to the file.
    await page.getByRole('button', { name: 'Discard changes…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Discard your changes?' });
    await dialog.getByRole('button', { name: 'Discard changes' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await editor().inputValue(), POLICY);
  });

  test('the dry run refuses with seats_reserved, naming the rule and its line', async () => {
    const card = page.getByRole('region', { name: 'Would this checkout be granted?' });
    assert.equal(await card.getByLabel('Product').inputValue(), 'cad');
    await card.getByRole('textbox', { name: 'User' }).fill('dave');
    await card.getByRole('textbox', { name: 'Computer' }).fill('ws-9');
    await card.getByRole('button', { name: 'Check' }).click();
    const verdict = card.locator('.verdict');
    await verdict.getByText('Would be refused', { exact: true }).waitFor();
    const expected = await server.call('POST', '/admin/v1/policy/check', { product: 'cad', user: 'dave', host: 'ws-9' });
    assert.equal(expected.code, 'seats_reserved');
    assert.equal(await verdict.getAttribute('data-code'), 'seats_reserved');
    const text = await verdict.innerText();
    assert.match(text, /Decided by\s+step 4 of the order of precedence \(reserve\)/);
    assert.match(text, /Refused with\s+seats_reserved/);
    assert.match(text, /Rule\s+reserve 3 for group:cad-core, line 6/);
    assert.match(text, /Seats\s+0 of 3 seats in use/);
    assert.ok(!text.includes('undefined') && !text.includes('{'), text);
    // The step that decided is marked in the order of precedence.
    const decided = page.getByRole('table', { name: 'Order of precedence' }).locator('tr[aria-current="step"]');
    assert.match(await decided.innerText(), /^4\s+reserve/);
    // The answer was brought into view.
    const box = await verdict.boundingBox();
    assert.ok(box && box.y + box.height <= page.viewportSize().height, `the verdict ${JSON.stringify(box)} is in view`);
    await shot('policy-dry-run');
    await page.evaluate(() => document.querySelector('.main').scrollTo(0, 0));
    await shot('policy-1366x800');

    // A member of the group draws on its reservation.
    await card.getByRole('textbox', { name: 'User' }).fill('alice');
    await card.getByRole('button', { name: 'Check' }).click();
    await verdict.getByText('Would be granted', { exact: true }).waitFor();
    assert.match(await verdict.innerText(), /Draws on\s+reserve 3 for group:cad-core, line 6/);
  });

  test('a mistake made in the file itself shows the banner; the policy before stays until it is fixed', async () => {
    const { policy } = await server.call('GET', '/admin/v1/policy');
    writeFileSync(policy.file, POLICY.replace('max = [{ seats = 1, for = "user:bob" }]', 'max = 1'));
    const banner = page.locator('.policy-banner');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /^policy\.toml is not in force: .*policy\.toml:7: .*; the policy before stays in force until it is fixed\./);
    await page.getByRole('heading', { name: 'In force (the policy before)' }).waitFor();
    await page.getByRole('table', { name: /^cad/ }).getByText('user bob').waitFor();
    // The editor shows the file as it is, its bad line marked.
    assert.match(await editor().inputValue(), /max = 1/);
    assert.equal(await page.locator('.code-gutter-error').innerText(), '7');
    writeFileSync(policy.file, POLICY);
    await banner.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByRole('heading', { name: 'In force', exact: true }).waitFor();
  });

  test('fits 1024×700 and 800×600 without scrolling sideways, and reads in the dark', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await assertNoSidewaysScroll('1024×700');
    await page.setViewportSize({ width: 800, height: 600 });
    await assertNoSidewaysScroll('800×600');
    await page.evaluate(() => document.querySelector('.main').scrollTo(0, 0));
    await shot('policy-800x600');
    // One column: a way down to the editor.
    await page.getByRole('button', { name: 'Edit policy.toml' }).click();
    assert.ok(await editor().evaluate((el) => el === document.activeElement));
    // Tab leaves the editor (it does not trap the keyboard): Save and Discard wait for a change, so the dry run's product is next.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), await page.getByRole('region', { name: 'Would this checkout be granted?' }).getByLabel('Product').getAttribute('id'));
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(() => document.querySelector('.main').scrollTo(0, 0));
    await shot('policy-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('overdraft', () => {
  test('a seat granted beyond the licence is marked “Over licence” on the Computers tab', async () => {
    await server.issueLicense({ product: 'sim', seats: 1, customer: 'Northwind Lab', overdraft: 1, lingerSecs: 30, maxBorrowHours: 72 });
    clients.push(await checkoutProcess(server, { product: 'sim', clientId: 'ws-ann', user: 'ann', hold: 60 }));
    clients.push(await checkoutProcess(server, { product: 'sim', clientId: 'ws-bob', user: 'bob', hold: 60 }));
    assert.deepEqual(clients.map((c) => c.grant.overdraft ?? false), [false, true]);
    await tab('Computers').click();
    const table = page.getByRole('table', { name: 'Seats in use' });
    await table.getByRole('row').nth(2).waitFor();
    const badges = table.getByText('Over licence', { exact: true });
    assert.equal(await badges.count(), 1);
    const badge = badges.first();
    assert.ok(await badge.isVisible());
    const help = 'Granted beyond the licensed seats, from the licence’s overdraft. The vendor charges for each such seat.';
    assert.equal(await badge.getAttribute('title'), help);
    const described = await badge.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent);
    assert.equal(described, `Over licence. ${help}`);
    // On bob's row (the second checkout), whole inside its cell.
    const row = table.getByRole('row').filter({ has: page.getByText('Over licence', { exact: true }) });
    assert.match(await row.innerText(), /\bbob\b/);
    const { cut, box, cell } = await placeInCell(badge);
    assert.ok(!cut && box.right <= cell.right + 0.5, `the badge ${JSON.stringify(box)} fits its cell ${JSON.stringify(cell)}`);
    await shot('computers-overdraft');
    await page.setViewportSize({ width: 1024, height: 700 });
    const { cut: cut2, box: box2, cell: cell2 } = await placeInCell(badge);
    assert.ok(!cut2 && box2.right <= cell2.right + 0.5, `at 1024 the badge ${JSON.stringify(box2)} fits its cell ${JSON.stringify(cell2)}`);
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  test('the Licenses tab shows the code’s overdraft and the seat over licence; a plain code shows nothing extra', async () => {
    await tab('Licenses').click();
    const sim = page.getByRole('row').filter({ hasText: 'Northwind Lab' });
    await sim.getByRole('list', { name: 'Seat rules' }).waitFor();
    assert.deepEqual(await sim.getByRole('list', { name: 'Seat rules' }).getByRole('listitem').allInnerTexts(), ['+1 overdraft', 'borrow up to 72 h', 'linger 30 s']);
    await sim.getByText('1 seat over licence, from the overdraft (billed by the vendor)').waitFor();
    const cad = page.getByRole('row').filter({ hasText: 'Northwind Engineering' });
    assert.equal(await cad.getByRole('list', { name: 'Seat rules' }).count(), 0);
    await shot('licenses-seat-rules');
  });
});
