// The password asked again, in the browser against a real server: a session
// whose password was given over 15 minutes ago is refused
// (password_confirmation_required) when it makes a token; the page asks for
// the password, a wrong one gets the server's words, the right one goes to
// the real POST /admin/v1/session/confirm and the token call is sent again.
// Cancel (or Esc) leaves the refusal's words where Make token shows errors.
// The refusal is played by the page (page.route, the first token call only):
// the test cannot wait 15 minutes. axe-core finds nothing, light and dark;
// screenshots at 1024×700.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asShown, axeViolations, COLOUR_RULES, launchChromium, openPage, screenshot, signIn } from './chromium.mjs';
import { startUiServer } from './server.mjs';

const PASSWORD = 'correct horse battery';

let server;
let browser;

before(async () => {
  server = await startUiServer();
  await server.call('POST', '/admin/v1/accounts', { name: 'sam', role: 'admin', password: PASSWORD });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the password asked again', () => {
  // The server's words for a session whose password was given over 15 minutes ago.
  const REFUSAL = {
    code: 'password_confirmation_required',
    message: "your password is asked again: a session makes accounts, changes roles, sets another account's password and makes tokens only within 15 minutes of giving its password. Give it again (the admin page asks for it; over the API, POST /admin/v1/session/confirm), or use a token for scripts",
  };
  /**
   * sam signed in on the Accounts tab, 1024×700, in `colorScheme`. The page's
   * first POST of a token is answered with the refusal, as the server would
   * 15 minutes after sam gave the password (the test cannot wait that long);
   * every later call reaches the server. `tokenCalls` counts the POSTs the
   * page sent, `confirms` the statuses of the real confirmations.
   */
  async function samRefusedOnce(colorScheme = 'light') {
    const page = await openPage(browser, { width: 1024, height: 700, colorScheme, bypassCSP: true });
    await page.goto(`${server.origin}/ui/`);
    await signIn(page, 'sam', PASSWORD);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    await page.getByRole('tab', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('New token’s label').waitFor();
    const seen = { tokenCalls: 0, confirms: [] };
    await page.route('**/admin/v1/accounts/sam/tokens', (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      seen.tokenCalls += 1;
      if (seen.tokenCalls > 1) return route.fallback();
      return route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify(REFUSAL) });
    });
    page.on('response', (r) => { if (r.url().endsWith('/admin/v1/session/confirm')) seen.confirms.push(r.status()); });
    return { page, seen };
  }

  /** Makes a token labelled `label` and waits for the question. */
  async function makeToken(page, label) {
    await page.getByLabel('New token’s label').fill(label);
    await page.getByRole('button', { name: 'Make token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm your password' });
    await dialog.waitFor();
    return dialog;
  }

  const tokenLabels = async () => (await server.call('GET', '/admin/v1/accounts/sam/tokens')).map((t) => t.label);

  test('a token refused is made once the password is given again: a wrong one gets the server’s words, the right one sends the call again', async () => {
    const { page, seen } = await samRefusedOnce();
    const dialog = await makeToken(page, 'deploy script');
    await dialog.getByText('You gave your password more than 15 minutes ago.', { exact: false }).waitFor();
    const field = dialog.getByLabel('Your password');
    assert.ok(await field.evaluate((el) => el === document.activeElement), 'the password field has the focus');
    assert.equal(await dialog.locator('input[autocomplete="username"]').inputValue(), 'sam');
    const v = await axeViolations(page);
    assert.equal(v.length, 0, `axe-core on the question (light):\n${v.join('\n')}`);
    await screenshot(page, 'confirm-password-1024x700');

    await field.fill('not the password');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.locator('[data-error-code="sign_in_failed"]').filter({ hasText: 'The account name or password is wrong.' }).waitFor();
    assert.deepEqual(seen.confirms, [401]);
    assert.equal(seen.tokenCalls, 1, 'the token call waits for the password');
    const wrong = await axeViolations(page);
    assert.equal(wrong.length, 0, `axe-core on the question refused (light):\n${wrong.join('\n')}`);
    await screenshot(page, 'confirm-password-wrong-1024x700');

    await field.fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const shown = page.getByRole('dialog', { name: 'Token “deploy script”' });
    await shown.waitFor();
    await dialog.waitFor({ state: 'detached' });
    const token = (await shown.locator('.token-once .mono').innerText()).trim();
    assert.match(token, /^lha_[0-9a-f]{64}$/);
    assert.deepEqual(seen.confirms, [401, 200]);
    assert.equal(seen.tokenCalls, 2, 'sent again once');
    assert.deepEqual(await tokenLabels(), ['deploy script']);
    // The server took the password: the session is confirmed for the next 15 minutes.
    const session = await page.evaluate(() => sessionStorage.getItem('leasehold.adminToken'));
    const me = await (await fetch(`${server.origin}/admin/v1/session`, { headers: { Authorization: `Bearer ${session}` } })).json();
    assert.ok(me.confirmedUntil > Date.now() + 14 * 60_000, `confirmedUntil ${me.confirmedUntil}`);
    await page.context().close();
  });

  test('Cancel: the refusal’s words are shown under Make token, and nothing is sent again', async () => {
    const { page, seen } = await samRefusedOnce();
    const dialog = await makeToken(page, 'never made');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    const said = page.locator('.notice-error[role="alert"][data-error-code="password_confirmation_required"]');
    await said.waitFor();
    assert.equal((await said.innerText()).trim(), await asShown(page, REFUSAL.message));
    await screenshot(page, 'confirm-password-cancelled-1024x700');
    assert.deepEqual([seen.tokenCalls, seen.confirms], [1, []]);
    assert.ok(!(await tokenLabels()).includes('never made'));
    await page.context().close();
  });

  test('the question reads well in dark, and Esc cancels it', async () => {
    const { page, seen } = await samRefusedOnce('dark');
    const dialog = await makeToken(page, 'dark one');
    const v = await axeViolations(page, COLOUR_RULES);
    assert.equal(v.length, 0, `axe-core on the question (dark):\n${v.join('\n')}`);
    await screenshot(page, 'confirm-password-dark-1024x700');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.locator('[data-error-code="password_confirmation_required"]').waitFor();
    assert.equal(seen.tokenCalls, 1);
    await page.context().close();
  });
});
