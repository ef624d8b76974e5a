// Every tab and every dialog an admin reaches in a browser, as they would try
// them, against one real server with long names in it: at 1366×800, 1024×700
// and 800×600 nothing scrolls the page sideways and every row's buttons are
// in the window (screenshots in /tmp/lh-shots/, to look at); axe-core finds
// nothing on any of them, light and dark; the page's title names the tab and
// the server; a long log line is read whole with the keyboard alone; Copy
// over plain http from another computer (no clipboard there) selects the
// text and says which keys to press.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { axeViolations, COLOUR_RULES, launchChromium, openPage, scrollingSideways, signIn } from './chromium.mjs';
import { dayFromToday, holdSeat, startUiServer } from './server.mjs';

const SHOTS = '/tmp/lh-shots';
const SIZES = [[1366, 800], [1024, 700], [800, 600]];
const TABS = [['Licenses', 'licenses'], ['Computers', 'computers'], ['Usage', 'usage'], ['Policy', 'policy'], ['Server', 'server'], ['Accounts', 'accounts'], ['Logs', 'logs'], ['License Mode', 'mode']];
const LONG_PRODUCT = 'structural-analysis-suite-professional';
const LONG_CUSTOMER = 'Northwind Engineering and Advanced Manufacturing Research Group';
const LONG_USER = 'margaret.hamilton-oconnor';
const LONG_HOST = 'ws-engineering-floor3-bay12-workstation-07';

let server;
let browser;
let toActivate;
let activated;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // HTTPS on: the Server tab shows the certificate's fingerprint.
  server = await startUiServer({ tls: true });
  // Ends in five days: the expiry banner on every tab, a warning badge on the Licenses tab.
  await server.issueLicense({ product: 'plotter', seats: 2, customer: LONG_CUSTOMER, expires: dayFromToday(5) });
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering', features: ['render', 'export-step'], expires: dayFromToday(300), overdraft: 2, maxBorrowHours: 24 });
  await server.issueLicense({ product: LONG_PRODUCT, seats: 25, customer: LONG_CUSTOMER, features: ['nonlinear-dynamics', 'fatigue'] });
  await server.issueLicense({ product: 'viewer', seats: 50, customer: 'Northwind', starts: dayFromToday(45) });
  await server.issueLicense({ product: 'ocr', seats: 3, customer: 'Northwind Office', tokens: 1000, tokensPeriod: 'month' });
  await server.issueLicense({ product: 'lathe', seats: 2, customer: 'Northwind Shop', namedUsers: true, reassignAfterHours: 24 });
  toActivate = await server.issueLicense({ product: 'cam', seats: 6, customer: 'Northwind Shop', activation: 'required' });
  activated = await server.issueLicense({ product: 'mill', seats: 4, customer: 'Northwind Shop', activation: 'required' });
  await server.activate(activated.licenseId);
  await holdSeat(server, { product: 'cad', user: 'ann', host: 'ws-ann' });
  await holdSeat(server, { product: LONG_PRODUCT, user: LONG_USER, host: LONG_HOST, appName: 'Acme Structural Analysis Workbench', appVersion: '2025.3.1-build.4471' });
  await holdSeat(server, { product: 'cad', user: 'bob', host: 'ws-bob', appName: 'Acme CAD' });
  await server.call('POST', '/v1/borrow', { seat: { product: 'cad', clientId: 'pc-loan', user: 'chen', host: 'pc-loan', appName: 'Acme CAD', appVersion: '1' }, hours: 8 }, { admin: false });
  await server.call('POST', '/v1/usage', { product: 'ocr', amount: 3, idempotencyKey: `scan-${'x'.repeat(60)}`, clientId: LONG_HOST, user: LONG_USER, note: 'Scanned the quarterly maintenance manual for the third floor presses, all 240 pages' }, { admin: false });
  await server.call('PUT', '/admin/v1/named-users/lathe/ann');
  await server.call('POST', '/admin/v1/accounts', { name: LONG_USER, role: 'operator', password: 'correct horse battery' });
  for (const label of ['nightly licence report for the engineering floor managers', 'backup']) await server.call('POST', `/admin/v1/accounts/${LONG_USER}/tokens`, { label });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page opened on the admin UI, `width`×`height`, in `colorScheme`. */
async function openUi({ width, height, colorScheme = 'light', ...context }) {
  const page = await openPage(browser, { width, height, colorScheme, ...context });
  await page.goto(server.adminUrl);
  await page.getByRole('heading', { name: 'Licenses' }).waitFor();
  return page;
}

const tabPanel = (page, key) => page.locator(`#panel-${key}`);

/** Shows the tab and waits until its data is in (no spinner left). */
async function showTab(page, name, key) {
  await page.getByRole('tab', { name, exact: true }).click();
  await tabPanel(page, key).waitFor();
  await page.waitForFunction(() => !document.querySelector('.main .spinner'));
}

async function assertNoViolations(page, where, rules) {
  const v = await axeViolations(page, rules);
  assert.equal(v.length, 0, `axe-core on ${where}:\n${v.join('\n')}`);
}

/** Nothing scrolls the page sideways (nor the page itself up and down), and every row's buttons are in the window. */
async function assertFits(page, where) {
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: innerWidth, tall: document.documentElement.scrollHeight, high: innerHeight }));
  assert.ok(widths.page <= widths.window, `${where}: the page is ${widths.page} px wide in a ${widths.window} px window`);
  // Only the tab scrolls up and down, never the page: the header and the banners stay in sight.
  assert.ok(widths.tall <= widths.high, `${where}: the page is ${widths.tall} px tall in a ${widths.high} px window`);
  assert.deepEqual(await scrollingSideways(page, [':root', 'body', '.app', '.main', '.panel']), [], `${where}: scrolls sideways`);
  const outside = await page.evaluate(() => [...document.querySelectorAll('.actions button, .waiter-action button, .named-row button, .dialog button')]
    .filter((b) => b.offsetParent !== null)
    .map((b) => ({ name: b.getAttribute('aria-label') || b.textContent, box: b.getBoundingClientRect() }))
    .filter(({ box }) => box.left < 0 || box.right > innerWidth + 0.5)
    .map(({ name, box }) => `${name} at ${Math.round(box.left)}–${Math.round(box.right)}`));
  assert.deepEqual(outside, [], `${where}: row buttons outside the ${widths.window} px window`);
}

/**
 * The boxes that cut off the focused element's focus ring (its outline,
 * offset included), each as its class: an ancestor that clips what overflows it.
 */
const ringCutBy = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const st = getComputedStyle(el);
  if (st.outlineStyle === 'none') return ['no focus ring at all'];
  const out = parseFloat(st.outlineWidth) + parseFloat(st.outlineOffset);
  const r = el.getBoundingClientRect();
  const ring = { left: r.left - out, right: r.right + out, top: r.top - out, bottom: r.bottom + out };
  const cut = [];
  for (let a = el.parentElement; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const b = a.getBoundingClientRect();
    if (ring.left < b.left - 0.5 || ring.right > b.right + 0.5 || ring.top < b.top - 0.5 || ring.bottom > b.bottom + 0.5) cut.push(a.className || a.tagName);
  }
  return cut;
});

/** Each dialog an admin opens in a browser: how to open it on `page`, and its name. */
const DIALOGS = [
  { name: 'Add a license code', tab: ['Licenses', 'licenses'], open: (p) => p.getByRole('button', { name: 'Add license code' }).click() },
  { name: `${LONG_PRODUCT} license`, tab: ['Licenses', 'licenses'], open: (p) => p.getByRole('button', { name: `Details of the ${LONG_PRODUCT} license for ${LONG_CUSTOMER}` }).click() },
  { name: 'Remove the cad license?', tab: ['Licenses', 'licenses'], open: (p) => p.getByRole('button', { name: 'Remove the cad license for Northwind Engineering' }).click() },
  { name: 'Activate the cam license', tab: ['Licenses', 'licenses'], open: (p) => p.getByRole('button', { name: 'Activate the cam license for Northwind Shop', exact: true }).click() },
  { name: 'Deactivate the mill license?', tab: ['Licenses', 'licenses'], open: (p) => p.getByRole('button', { name: 'Deactivate the mill license for Northwind Shop', exact: true }).click() },
  { name: `Disconnect ${LONG_HOST}?`, tab: ['Computers', 'computers'], open: (p) => p.getByRole('button', { name: `Disconnect ${LONG_USER} on ${LONG_HOST} from ${LONG_PRODUCT}` }).click() },
  { name: 'End chen’s loan of cad?', tab: ['Computers', 'computers'], open: (p) => p.getByRole('button', { name: 'End loan of cad to chen on pc-loan' }).click() },
  { name: 'Add a vendor key', tab: ['Server', 'server'], open: (p) => p.getByRole('button', { name: 'Add vendor key…' }).click() },
  { name: 'Add an account', tab: ['Accounts', 'accounts'], open: (p) => p.getByRole('button', { name: 'Add account…' }).click() },
  { name: `Set ${LONG_USER}’s password`, tab: ['Accounts', 'accounts'], open: (p) => p.getByRole('button', { name: `Set password for ${LONG_USER}` }).click() },
  { name: 'Set my password', tab: ['Accounts', 'accounts'], open: (p) => p.getByRole('button', { name: 'Set my password…' }).click() },
  { name: `Tokens of ${LONG_USER}`, tab: ['Accounts', 'accounts'], open: (p) => p.getByRole('button', { name: `Tokens of ${LONG_USER}` }).click() },
  {
    name: `Revoke all 2 tokens of ${LONG_USER}?`,
    // Over the tokens dialog, which is closed after it.
    under: `Tokens of ${LONG_USER}`,
    tab: ['Accounts', 'accounts'],
    open: async (p) => {
      await p.getByRole('button', { name: `Tokens of ${LONG_USER}` }).click();
      await p.getByRole('dialog', { name: `Tokens of ${LONG_USER}` }).getByRole('button', { name: 'Revoke all 2 tokens…' }).click();
    },
  },
  { name: 'Alerts', tab: ['Licenses', 'licenses'], open: (p) => p.getByRole('button', { name: /^Alerts: / }).click() },
  {
    name: 'Token “a label long enough to wrap in the dialog at 800 px”',
    tab: ['Accounts', 'accounts'],
    open: async (p) => {
      await p.getByLabel('New token’s label').fill('a label long enough to wrap in the dialog at 800 px');
      await p.getByRole('button', { name: 'Make token' }).click();
    },
  },
];

async function openDialog(page, d) {
  await showTab(page, ...d.tab);
  await d.open(page);
  const dialog = page.getByRole('dialog', { name: d.name });
  await dialog.waitFor();
  // What the dialog asks the server for first is in (a request, a check).
  await page.waitForFunction(() => !document.querySelector('.dialog .spinner'));
  return dialog;
}

async function closeDialog(page, dialog, d) {
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  if (d?.under) await closeDialog(page, page.getByRole('dialog', { name: d.under }));
}

describe('every screen', () => {
  test('fits at 1366×800, 1024×700 and 800×600: no sideways scroll, row buttons in the window', async () => {
    const page = await openUi({ width: 1366, height: 800 });
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height });
      for (const [name, key] of TABS) {
        await showTab(page, name, key);
        await page.screenshot({ path: `${SHOTS}/${key}-${width}x${height}.png` });
        await assertFits(page, `${name} at ${width}×${height}`);
      }
    }
    await page.context().close();
  });

  test('every dialog fits at 800×600', async () => {
    const page = await openUi({ width: 800, height: 600 });
    for (const d of DIALOGS) {
      const dialog = await openDialog(page, d);
      await page.screenshot({ path: `${SHOTS}/dialog-${d.tab[1]}-${DIALOGS.indexOf(d)}-800x600.png` });
      await assertFits(page, `the dialog ${d.name} at 800×600`);
      const box = await dialog.boundingBox();
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 800 && box.y + box.height <= 600, `${d.name}: ${JSON.stringify(box)} is not inside 800×600`);
      await closeDialog(page, dialog, d);
    }
    await page.context().close();
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`axe-core finds nothing on any tab or dialog (${colorScheme}${colorScheme === 'dark' ? ': the colour rules' : ''})`, async () => {
      const page = await openUi({ width: 1366, height: 800, colorScheme, bypassCSP: true });
      const rules = colorScheme === 'dark' ? COLOUR_RULES : undefined;
      for (const [name, key] of TABS) {
        await showTab(page, name, key);
        await assertNoViolations(page, `${name} (${colorScheme})`, rules);
      }
      for (const d of DIALOGS) {
        const dialog = await openDialog(page, d);
        await assertNoViolations(page, `the dialog ${d.name} (${colorScheme})`, rules);
        await closeDialog(page, dialog, d);
      }
      // The deactivation proof, shown once the code is deactivated; then activated again for the other scheme.
      const dialog = await openDialog(page, DIALOGS.find((d) => d.name === 'Deactivate the mill license?'));
      await dialog.getByRole('button', { name: 'Deactivate license' }).click();
      const proof = page.getByRole('dialog', { name: 'The mill license is deactivated here' });
      await proof.waitFor();
      await assertNoViolations(page, `the deactivation proof (${colorScheme})`, rules);
      await proof.getByRole('button', { name: 'Done' }).click();
      await proof.waitFor({ state: 'detached' });
      await server.activate(activated.licenseId);
      await page.context().close();
    });
  }
});

describe('the sign-in page', () => {
  test('fits at every size and axe-core finds nothing, light and dark, with a refusal shown', async () => {
    const page = await openPage(browser, { width: 1366, height: 800, bypassCSP: true });
    await page.goto(`${server.origin}/ui/`);
    await page.getByRole('heading', { name: 'Sign in to the license server' }).waitFor();
    await signIn(page, LONG_USER, 'not it');
    await page.getByRole('alert').waitFor();
    for (const [width, height] of SIZES) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `${SHOTS}/sign-in-${width}x${height}.png` });
      await assertFits(page, `the sign-in page at ${width}×${height}`);
    }
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      const rules = colorScheme === 'dark' ? COLOUR_RULES : undefined;
      await assertNoViolations(page, `the sign-in page (${colorScheme})`, rules);
      await page.getByRole('button', { name: 'Use a token instead' }).click();
      await assertNoViolations(page, `the sign-in page with a token (${colorScheme})`, rules);
      await page.getByRole('button', { name: 'Use an account name and password' }).click();
    }
    await page.context().close();
  });
});

describe('an operator’s pages', () => {
  test('the reasons beside closed actions pass axe-core, light and dark, and fit at 800×600', async () => {
    const page = await openPage(browser, { width: 800, height: 600, bypassCSP: true });
    await page.goto(`${server.origin}/ui/`);
    await signIn(page, LONG_USER, 'correct horse battery');
    for (const [name, key] of [['Licenses', 'licenses'], ['Server', 'server'], ['Accounts', 'accounts']]) {
      await showTab(page, name, key);
      await page.getByText('Needs the admin role', { exact: false }).first().waitFor();
      await page.screenshot({ path: `${SHOTS}/operator-${key}-800x600.png` });
      await assertFits(page, `${name} as an operator at 800×600`);
      for (const colorScheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme });
        await assertNoViolations(page, `${name} as an operator (${colorScheme})`, colorScheme === 'dark' ? COLOUR_RULES : undefined);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }
    // One's own password with the current one (asked of every role), and why.
    await page.getByRole('button', { name: 'Change my password…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change my password' });
    await dialog.getByLabel('Current password').waitFor();
    await page.screenshot({ path: `${SHOTS}/operator-change-password-800x600.png` });
    await assertFits(page, 'Change my password as an operator at 800×600');
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await assertNoViolations(page, `Change my password as an operator (${colorScheme})`, colorScheme === 'dark' ? COLOUR_RULES : undefined);
    }
    await closeDialog(page, dialog);
    await page.context().close();
  });
});

describe('keyboard and title', () => {
  let page;
  before(async () => { page = await openUi({ width: 800, height: 600 }); });
  after(() => page?.context().close());

  test('the title names the tab and the server', async () => {
    const { serverName } = await server.call('GET', '/admin/v1/status');
    await page.waitForFunction((t) => document.title === t, `Licenses — Leasehold on ${serverName}`);
    await showTab(page, 'Computers', 'computers');
    await page.waitForFunction((t) => document.title === t, `Computers — Leasehold on ${serverName}`);
  });

  test('a cut name reads whole on keyboard focus; a long log line reads whole with the keys', async () => {
    await showTab(page, 'Computers', 'computers');
    // The long host name is cut in its column: Tab reaches it and its tooltip shows it whole.
    const host = page.locator('.computers-grid .clip-cut', { hasText: LONG_HOST.slice(0, 10) }).first();
    await host.focus();
    const tip = page.locator('.tooltip');
    await tip.waitFor();
    assert.match(await tip.innerText(), new RegExp(`^${LONG_HOST} \\(client id `));
    await page.keyboard.press('Escape');
    await tip.waitFor({ state: 'detached' });
    // A row's button keeps its whole focus ring: nothing around it cuts the ring off.
    await page.getByRole('button', { name: `Disconnect ${LONG_USER} on ${LONG_HOST} from ${LONG_PRODUCT}` }).focus();
    assert.deepEqual(await ringCutBy(page), [], 'the Disconnect button’s focus ring is cut');

    await showTab(page, 'Logs', 'logs');
    const list = page.getByRole('rowgroup', { name: 'Log lines' });
    // From the search, as a keyboard reaches it.
    await page.getByLabel('Search the log').focus();
    await page.keyboard.press('Tab');
    assert.ok(await list.evaluate((el) => el === document.activeElement), 'the log list takes the focus');
    assert.deepEqual(await ringCutBy(page), [], 'the log list’s focus ring is cut');
    await page.keyboard.press('End');
    const full = page.getByRole('region', { name: 'The line in full' });
    await full.locator('.log-detail-text').waitFor();
    const last = await page.evaluate(() => [...document.querySelectorAll('.logs-grid .vrow')].at(-1).querySelector('.log-message .log-text').textContent);
    assert.equal(await full.locator('.log-detail-text').innerText(), last);
    // The line naming the long customer, found with the keys.
    await page.keyboard.press('Home');
    for (let i = 0; i < 60 && !(await full.innerText()).includes(LONG_CUSTOMER); i++) await page.keyboard.press('ArrowDown');
    assert.ok((await full.innerText()).includes(LONG_CUSTOMER), 'the license added line is read whole');
    await page.screenshot({ path: `${SHOTS}/logs-line-in-full-800x600.png` });
  });

  test('Copy with a clipboard says Copied to screen readers too', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    await showTab(page, 'Server', 'server');
    await page.getByRole('button', { name: 'Copy listen address' }).click();
    await page.getByRole('status').filter({ hasText: /^Copied$/ }).waitFor({ state: 'attached' });
  });

  test('Copy without a clipboard (plain http from another computer) selects the text and says Ctrl+C', async () => {
    const bare = await openPage(browser, { width: 1024, height: 700 });
    await bare.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await bare.goto(server.adminUrl);
    await showTab(bare, 'Server', 'server');
    const { listen } = await server.call('GET', '/admin/v1/status');
    await bare.getByRole('button', { name: 'Copy listen address' }).click();
    const field = bare.getByRole('textbox', { name: 'listen address' });
    await field.waitFor();
    assert.equal(await field.inputValue(), listen);
    assert.deepEqual(await field.evaluate((el) => [el === document.activeElement, el.selectionStart, el.selectionEnd]), [true, 0, listen.length]);
    await bare.getByText('Selected: press Ctrl+C to copy.').waitFor();
    await bare.screenshot({ path: `${SHOTS}/copy-without-clipboard.png` });
    await bare.context().close();
  });
});
