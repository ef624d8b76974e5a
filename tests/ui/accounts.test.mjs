// Admin accounts in the browser, against one real server: the accounts are
// made through the API with the server's admin token, then used through the
// page. A password signs in through the form and the header names the
// account and its role; Sign out ends the session on the server and lands on
// the sign-in page; a wrong password gets the server's words; a viewer sees
// every changing action disabled with the reason in sight; a token made on
// the Accounts tab is shown once; a session ended elsewhere sends the page
// back to sign in, saying so; the admin link still signs in at once; an
// admin changing her own password is asked for the current one, like anyone;
// an admin revokes every token of another account at once, a viewer its own.
// (The password asked again: confirm-password.test.mjs.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openPage, screenshot, signIn } from './chromium.mjs';
import { holdSeat, startUiServer } from './server.mjs';

const PASSWORD = 'correct horse battery';

let server;
let browser;

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 10, customer: 'Northwind Engineering' });
  await holdSeat(server, { product: 'cad', user: 'ann', host: 'ws-ann' });
  await server.call('POST', '/admin/v1/accounts', { name: 'olga', role: 'admin', password: PASSWORD });
  await server.call('POST', '/admin/v1/accounts', { name: 'vic', role: 'viewer', password: PASSWORD });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page on the sign-in form (no token in the address). */
async function signInPage(size = { width: 1366, height: 800 }) {
  const page = await openPage(browser, size);
  await page.goto(`${server.origin}/ui/`);
  await page.getByRole('heading', { name: 'Sign in to the license server' }).waitFor();
  return page;
}

const header = (page) => page.getByRole('group', { name: 'Signed in' });

describe('signing in and out', () => {
  test('with a password: the header names the account and its role; Sign out ends the session and lands on the sign-in page', async () => {
    const page = await signInPage();
    await screenshot(page, 'sign-in');
    await signIn(page, 'olga', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    await header(page).getByText('olga', { exact: true }).waitFor();
    await header(page).getByText('Admin', { exact: true }).waitFor();
    await screenshot(page, 'signed-in-header');
    const token = await page.evaluate(() => sessionStorage.getItem('leasehold.adminToken'));
    assert.match(token, /^lhs_/, 'the session token is not kept for the tab');
    assert.equal((await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);

    await header(page).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the license server' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'You signed out.' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('leasehold.adminToken')), null);
    // Ended on the server, not only forgotten here.
    assert.equal((await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
    await page.context().close();
  });

  test('a wrong password gets the server’s words, and the form stays', async () => {
    const page = await signInPage();
    await signIn(page, 'olga', 'not the password');
    await page.getByRole('alert').filter({ hasText: 'The account name or password is wrong.' }).waitFor();
    assert.equal(await page.getByLabel('Account name').inputValue(), 'olga');
    await screenshot(page, 'sign-in-wrong-password');
    await page.context().close();
  });

  test('the admin link signs in at once, as the local admin', async () => {
    const page = await openPage(browser, { width: 1024, height: 700 });
    await page.goto(server.adminUrl);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    await header(page).getByText('admin', { exact: true }).waitFor();
    await header(page).getByText('Admin', { exact: true }).waitFor();
    await page.context().close();
  });

  test('a session ended elsewhere sends the page back to sign in, saying so', async () => {
    const page = await signInPage({ width: 800, height: 600 });
    await signIn(page, 'olga', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem('leasehold.adminToken'));
    // Ended on the server, as another tab's Sign out would.
    const out = await fetch(`${server.origin}/admin/v1/session`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    assert.equal(out.status, 204);
    // The page's next call meets the 401: another tab's list, unless its live feed or a poll was first.
    await page.getByRole('tab', { name: 'Computers', exact: true }).click({ timeout: 1000 }).catch(() => {});
    await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor();
    await page.getByLabel('Account name').waitFor();
    await page.context().close();
  });
});

describe('a viewer', () => {
  let page;
  before(async () => {
    page = await signInPage({ width: 800, height: 600 });
    await signIn(page, 'vic', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
  });
  after(() => page?.context().close());
  const tab = (name) => page.getByRole('tab', { name, exact: true });

  test('sees every changing action disabled, with the role it needs in sight', async () => {
    await header(page).getByText('Viewer', { exact: true }).waitFor();
    await page.getByText('Needs the admin role to add, remove, activate or deactivate license codes (you are a viewer).', { exact: true }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Add license code' }).isDisabled());
    assert.ok(await page.getByRole('button', { name: 'Remove the cad license for Northwind Engineering' }).isDisabled());
    // Details only read: open to all.
    assert.ok(await page.getByRole('button', { name: 'Details of the cad license for Northwind Engineering' }).isEnabled());
    await screenshot(page, 'viewer-licenses-800x600');

    await tab('Computers').click();
    await page.getByText('Needs the operator role to disconnect computers, end loans or take clients out of the line (you are a viewer).', { exact: true }).waitFor();
    const disconnect = page.getByRole('button', { name: 'Disconnect ann on ws-ann from cad' });
    await disconnect.waitFor();
    assert.ok(await disconnect.isDisabled());
    assert.equal(await disconnect.getAttribute('title'), 'Needs the operator role');

    await tab('Server').click();
    await page.getByText('Needs the admin role to change the server’s settings, vendor keys and the activation authority (you are a viewer).', { exact: true }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Add vendor key…' }).isDisabled());
    assert.ok(await page.getByRole('switch', { name: 'Announce on the local network (mDNS)' }).isDisabled());
    assert.ok(await page.getByLabel('Warn this many days before a code’s last day').isDisabled());

    await tab('Policy').click();
    await page.getByText('Needs the admin role to save the seat policy (the dry run is open to all) (you are a viewer).', { exact: true }).waitFor();

    await tab('Accounts').click();
    await page.getByText('Needs the admin role to add accounts, change their roles, set their passwords, revoke their tokens or remove them (you are a viewer).', { exact: true }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Add account…' }).isDisabled());
    assert.ok(await page.getByRole('button', { name: 'Remove the account olga' }).isDisabled());
    // Its own password and tokens stay its own to change.
    assert.ok(await page.getByRole('button', { name: 'Change my password…' }).isEnabled());
    await screenshot(page, 'viewer-accounts-800x600');
  });

  test('revokes all its own tokens at once: Revoke all my tokens, asked first', async () => {
    const made = [];
    for (const label of ['report', 'backup', 'ci']) made.push((await server.call('POST', '/admin/v1/accounts/vic/tokens', { label })).token);
    await tab('Accounts').click();
    const list = page.getByRole('list', { name: 'Your tokens' });
    await list.getByText('ci', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Revoke all my tokens…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke all 3 of your tokens?' });
    await confirm.getByText('Your password and sessions stay.', { exact: false }).waitFor();
    await screenshot(page, 'revoke-all-my-tokens-800x600');
    await confirm.getByRole('button', { name: 'Revoke all tokens' }).click();
    await page.getByText('3 tokens of yours revoked.', { exact: true }).waitFor();
    await list.waitFor({ state: 'detached' });
    for (const token of made) assert.equal((await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
  });

  test('made an operator, may disconnect at once (the role applies without signing in again)', async () => {
    await server.call('PUT', '/admin/v1/accounts/vic', { role: 'operator' });
    await header(page).getByText('Operator', { exact: true }).waitFor();
    await tab('Computers').click();
    const disconnect = page.getByRole('button', { name: 'Disconnect ann on ws-ann from cad' });
    await page.waitForFunction(() => ![...document.querySelectorAll('button')].some((b) => b.textContent === 'Disconnect…' && b.disabled));
    assert.ok(await disconnect.isEnabled());
    assert.equal(await page.getByText('Needs the operator role', { exact: false }).count(), 0);
    await server.call('PUT', '/admin/v1/accounts/vic', { role: 'viewer' });
  });
});

describe('the Accounts tab', () => {
  let page;
  before(async () => {
    page = await signInPage();
    await signIn(page, 'olga', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    await page.getByRole('tab', { name: 'Accounts', exact: true }).click();
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  });
  after(() => page?.context().close());

  test('lists every account with its role and how it signs in; the local admin is marked', async () => {
    const rows = page.locator('.accounts-table tbody tr');
    await rows.filter({ hasText: 'vic' }).waitFor();
    const admin = rows.filter({ hasText: 'Local admin' });
    assert.match(await admin.innerText(), /^admin\s+Local admin\s+Admin\s+1 token/);
    assert.ok(await admin.getByRole('button', { name: 'Remove the account admin' }).isDisabled());
    assert.equal(await page.getByLabel('Role of vic').inputValue(), 'viewer');
    assert.match(await rows.filter({ hasText: 'olga' }).innerText(), /olga \(you\)/);
  });

  test('adds an account, changes its role, and a refused name gets the server’s words', async () => {
    await page.getByRole('button', { name: 'Add account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an account' });
    await dialog.getByLabel('Name').fill('Bad Name');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.locator('[data-error-code="invalid_field"]').filter({ hasText: 'Name: an account name is 1 to 64 letters' }).waitFor();
    await dialog.getByLabel('Name').fill('pat');
    await dialog.getByLabel('Operator').check();
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByLabel('Role of pat').waitFor();
    assert.equal(await page.getByLabel('Role of pat').inputValue(), 'operator');
    await page.getByLabel('Role of pat').selectOption('admin');
    await page.getByRole('button', { name: 'Save the role of pat' }).click();
    await page.getByText('pat is now an admin.', { exact: true }).waitFor();
    assert.equal((await server.call('GET', '/admin/v1/accounts')).find((a) => a.name === 'pat').role, 'admin');
  });

  test('a token made is shown once, with Copy; the list then holds its label only', async () => {
    await page.getByLabel('New token’s label').fill('nightly backup');
    await page.getByRole('button', { name: 'Make token' }).click();
    const shown = page.getByRole('dialog', { name: 'Token “nightly backup”' });
    await shown.waitFor();
    await shown.getByText('Copy it now: it is shown only this once.').waitFor();
    const token = (await shown.locator('.token-once .mono').innerText()).trim();
    assert.match(token, /^lha_[0-9a-f]{64}$/);
    await shown.getByRole('button', { name: 'Copy token' }).waitFor();
    await screenshot(page, 'token-shown-once');
    // It signs in as olga.
    const me = await (await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.deepEqual([me.account, me.by], ['olga', 'token']);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    const list = page.getByRole('list', { name: 'Your tokens' });
    await list.getByText('nightly backup', { exact: true }).waitFor();
    assert.ok(!(await page.locator('.main').innerText()).includes(token), 'the token is still on the page');

    await list.getByRole('button', { name: 'Revoke the token nightly backup' }).click();
    await page.getByRole('dialog', { name: 'Revoke the token “nightly backup”?' }).getByRole('button', { name: 'Revoke token' }).click();
    await list.waitFor({ state: 'detached' });
    assert.equal((await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${token}` } })).status, 401);
  });

  test('an admin revokes every token of another account at once; a token made before no longer signs in', async () => {
    const made = [];
    for (const label of ['nightly report', 'backup script']) made.push((await server.call('POST', '/admin/v1/accounts/vic/tokens', { label })).token);
    const signsIn = async (token) => (await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${token}` } })).status;
    assert.deepEqual(await Promise.all(made.map(signsIn)), [200, 200]);

    await page.getByRole('button', { name: 'Tokens of vic' }).click();
    const dialog = page.getByRole('dialog', { name: 'Tokens of vic' });
    const list = dialog.getByRole('list', { name: 'Tokens of vic' });
    await list.getByText('backup script', { exact: true }).waitFor();
    const rows = await list.getByRole('listitem').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.split('\n')[0]), ['nightly report', 'backup script']);
    assert.ok(rows.every((r) => /\nmade \S/.test(r)), `each says when it was made: ${rows}`);
    await page.setViewportSize({ width: 800, height: 600 });
    await screenshot(page, 'account-tokens-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
    await screenshot(page, 'account-tokens-1366x800');

    await dialog.getByRole('button', { name: 'Revoke all 2 tokens…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke all 2 tokens of vic?' });
    await confirm.getByText('vic’s password and sessions stay.', { exact: false }).waitFor();
    await screenshot(page, 'revoke-all-tokens-1366x800');
    await page.setViewportSize({ width: 800, height: 600 });
    await screenshot(page, 'revoke-all-tokens-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
    await confirm.getByRole('button', { name: 'Revoke all tokens' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByText('2 tokens of vic revoked.', { exact: true }).waitFor();
    await dialog.getByText('vic has no tokens.', { exact: true }).waitFor();
    assert.deepEqual(await Promise.all(made.map(signsIn)), [401, 401]);
    // Keyboard: the focus stayed in the dialog (on Done), and Esc closes it.
    assert.ok(await dialog.getByRole('button', { name: 'Done' }).evaluate((el) => el === document.activeElement));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // The list says so too.
    await page.locator('.accounts-table tbody tr').filter({ hasText: 'vic' }).getByText('password', { exact: true }).waitFor();
  });

  test('an admin sets another account’s password; the old one no longer signs in', async () => {
    await page.getByRole('button', { name: 'Set password for pat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set pat’s password' });
    await dialog.getByLabel('New password', { exact: true }).fill('pat password 1');
    await dialog.getByLabel('New password again').fill('pat password 2');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'The new password and its repetition differ.' }).waitFor();
    await dialog.getByLabel('New password again').fill('pat password 1');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await dialog.waitFor({ state: 'detached' });
    const res = await fetch(`${server.origin}/admin/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'pat', password: 'pat password 1' }) });
    assert.equal(res.status, 201);
  });
});

describe('a viewer’s own password', () => {
  test('Change my password asks for the current one; a wrong one is refused in words and signs nobody out', async () => {
    const page = await signInPage({ width: 800, height: 600 });
    await signIn(page, 'vic', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    await page.getByRole('tab', { name: 'Accounts', exact: true }).click();
    await page.getByRole('button', { name: 'Change my password…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change my password' });
    await dialog.getByLabel('Current password').fill('wrong wrong wrong');
    await dialog.getByLabel('New password', { exact: true }).fill('a new password');
    await dialog.getByLabel('New password again').fill('a new password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.locator('[data-error-code="sign_in_failed"]').filter({ hasText: 'The account name or password is wrong.' }).waitFor();
    await screenshot(page, 'change-password-refused-800x600');
    await dialog.getByLabel('Current password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Still signed in (a wrong password given on purpose ends nothing), and the new password signs in.
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    assert.equal(await page.getByLabel('Account name').count(), 0);
    const res = await fetch(`${server.origin}/admin/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'vic', password: 'a new password' }) });
    assert.equal(res.status, 201);
    await page.context().close();
  });
});

describe('an admin’s own password', () => {
  test('Change my password asks an admin for the current one too: a wrong one gets the server’s words; the right one changes it', async () => {
    const page = await signInPage({ width: 800, height: 600 });
    await signIn(page, 'olga', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    const token = await page.evaluate(() => sessionStorage.getItem('leasehold.adminToken'));
    // The server's rule the dialog follows: an admin's session alone does not change her own password.
    const bare = await fetch(`${server.origin}/admin/v1/accounts/olga/password`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ password: 'taken over' }) });
    assert.equal(bare.status, 401);
    assert.equal((await bare.json()).code, 'sign_in_failed');

    await page.getByRole('tab', { name: 'Accounts', exact: true }).click();
    await page.getByRole('button', { name: 'Change my password…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change my password' });
    await dialog.getByLabel('Current password').fill('wrong wrong wrong');
    await dialog.getByLabel('New password', { exact: true }).fill('olga new password');
    await dialog.getByLabel('New password again').fill('olga new password');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.locator('[data-error-code="sign_in_failed"]').filter({ hasText: 'The account name or password is wrong.' }).waitFor();
    await screenshot(page, 'admin-change-password-refused-800x600');
    await page.setViewportSize({ width: 1366, height: 800 });
    await screenshot(page, 'admin-change-password-refused-1366x800');
    // Still signed in: a wrong current password ends nothing.
    assert.equal(await page.getByLabel('Account name').count(), 0);

    await dialog.getByLabel('Current password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Your password is changed. Your other sessions have ended.', { exact: true }).waitFor();
    const signInWith = (password) => fetch(`${server.origin}/admin/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'olga', password }) });
    assert.equal((await signInWith('olga new password')).status, 201);
    assert.equal((await signInWith(PASSWORD)).status, 401);
    await page.context().close();
  });
});
