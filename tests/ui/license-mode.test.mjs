// License Mode as the desktop app shows it, in Chromium against a real
// `leasehold serve`, the app's commands played in the page (the real window
// is tests/desktop, which needs cargo): an https:// server whose certificate
// is trusted by fingerprint, added with the keyboard alone; a refused
// certificate said in words. At 1366×800, 1024×700 and 800×600 nothing
// scrolls sideways; axe-core finds nothing, light and dark. Screenshots in
// /tmp/lh-shots/, to look at.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { axeViolations, COLOUR_RULES, launchChromium, openPage, scrollingSideways } from './chromium.mjs';
import { startUiServer } from './server.mjs';

const SHOTS = '/tmp/lh-shots';
const SIZES = [[1366, 800], [1024, 700], [800, 600]];
const HTTPS = 'https://licenses.engineering.example.com:7878';
const PINNED = `${'3F:A9:0C:71:'.repeat(7)}3F:A9:0C:71:5E:22:B8:D4`;
const OTHER = `${'c4e1'.repeat(15)}0b7d`;
const OTHER_SHOWN = OTHER.toUpperCase().match(/../g).join(':');
const SEEN = `${'9D:'.repeat(31)}9D`;

let server;
let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startUiServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * The desktop app's commands, played in the page: `settings` as client.toml
 * holds them; Save keeps what it is given (`window.__saved`), and the https://
 * server shows another certificate than `PINNED`.
 */
function playHost({ origin, token, settings, seen, https }) {
  let saved = settings;
  window.__LEASEHOLD__ = { baseUrl: origin, token, desktop: true, serverControl: true, running: true, listen: '127.0.0.1:7878' };
  const view = () => ({ path: '/home/ann/.config/leasehold/client.toml', exists: true, settings: saved, error: null, license: null });
  window.__TAURI_INTERNALS__ = {
    invoke: async (cmd, args) => {
      if (cmd === 'client_settings_get') return view();
      if (cmd === 'client_settings_set') { saved = args.settings; window.__saved = saved; return view(); }
      if (cmd === 'client_test_connection') {
        window.__tested = [...(window.__tested ?? []), args];
        if (args.address === https) {
          throw { code: 'untrusted_certificate', message: `the Leasehold server at ${https} was not used: its certificate is not the one trusted: it has the fingerprint ${seen}, which is not among those given. Compare the fingerprint \`leasehold admin status\` shows on the server, and put it in \`tls_fingerprints\` in the client settings (or give it to the application)` };
        }
        return { address: args.address, serverName: 'licenses-hq', serverId: 'x', version: '0.1.0', protocolVersion: 3, elapsedMs: 4 };
      }
      throw { code: 'unknown_command', message: `no command ${cmd} here` };
    },
  };
}

async function openLicenseMode({ width, height, colorScheme = 'light' }) {
  const page = await openPage(browser, { width, height, colorScheme, bypassCSP: true });
  await page.addInitScript(playHost, {
    origin: server.origin, token: server.token, seen: SEEN, https: HTTPS,
    settings: { mode: 'network', auto: false, servers: [HTTPS, '10.0.0.5:7878'], tlsFingerprints: [PINNED] },
  });
  await page.goto(`${server.origin}/ui/`);
  await page.getByRole('tab', { name: 'License Mode', exact: true }).click();
  await page.getByRole('group', { name: 'Trusted certificates' }).waitFor();
  return page;
}

describe('License Mode in the desktop app: https:// servers', () => {
  test('adds a fingerprint with the keyboard alone, tests with it, and saves it with the one already there', async () => {
    const page = await openLicenseMode({ width: 800, height: 600 });
    const field = page.getByLabel('Add a fingerprint');
    await field.focus();
    await page.keyboard.type('AB:CD');
    await page.keyboard.press('Enter');
    await page.getByText('A SHA-256 fingerprint has 64 hex digits; this has 4.').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await field.fill('');
    await page.keyboard.type(OTHER);
    await page.keyboard.press('Enter');
    const group = page.getByRole('group', { name: 'Trusted certificates' });
    await group.getByRole('button', { name: `Remove fingerprint ${OTHER_SHOWN.slice(0, 11)}…` }).waitFor();
    assert.deepEqual(await group.locator('li .clip').allTextContents(), [PINNED, OTHER_SHOWN]);

    await page.getByRole('button', { name: 'Test connection' }).click();
    const refused = page.locator('.test-result .notice-error');
    await refused.getByText(`it has the fingerprint ${SEEN}`, { exact: false }).waitFor();
    await page.getByText('Found “licenses-hq”', { exact: false }).waitFor();
    assert.deepEqual(await page.evaluate(() => window.__tested), [
      { address: HTTPS, tlsFingerprints: [PINNED, OTHER_SHOWN] },
      { address: '10.0.0.5:7878', tlsFingerprints: [PINNED, OTHER_SHOWN] },
    ]);
    assert.deepEqual(await scrollingSideways(page, [':root', 'body', '.app', '.main', '.panel', '.notice']), [], 'the refusal scrolls sideways');
    await refused.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/desktop-license-mode-untrusted-800x600.png` });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();
    assert.deepEqual(await page.evaluate(() => window.__saved), { mode: 'network', auto: false, servers: [HTTPS, '10.0.0.5:7878'], tlsFingerprints: [PINNED, OTHER_SHOWN] });
    await page.context().close();
  });

  for (const [width, height] of SIZES) {
    test(`fits ${width}×${height}`, async () => {
      const page = await openLicenseMode({ width, height });
      assert.deepEqual(await scrollingSideways(page, [':root', 'body', '.app', '.main', '.panel', '.server-list']), []);
      const group = page.getByRole('group', { name: 'Trusted certificates' });
      await group.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/desktop-license-mode-tls-${width}x${height}.png` });
      if (width === 1024) {
        // Two columns: the fingerprint is cut, and read whole from the keyboard.
        await page.getByRole('button', { name: 'Remove 10.0.0.5:7878' }).focus();
        let focused = '';
        for (let i = 0; i < 8 && !focused.startsWith('3F:A9'); i += 1) {
          await page.keyboard.press('Tab');
          focused = await page.evaluate(() => document.activeElement.textContent);
        }
        assert.equal(focused, PINNED, 'Tab did not reach the cut fingerprint');
        assert.equal(await page.locator('.tooltip').textContent(), PINNED);
        await page.screenshot({ path: `${SHOTS}/desktop-license-mode-tls-${width}x${height}-whole.png` });
      }
      await page.context().close();
    });
  }

  for (const colorScheme of ['light', 'dark']) {
    test(`axe-core finds nothing (${colorScheme})`, async () => {
      const page = await openLicenseMode({ width: 1366, height: 800, colorScheme });
      // The hint said wrong, and a refused certificate in sight.
      await page.getByLabel('Add a fingerprint').fill('not one');
      await page.getByRole('button', { name: 'Test connection' }).click();
      await page.locator('.test-result .notice-error').waitFor();
      const v = await axeViolations(page, colorScheme === 'dark' ? COLOUR_RULES : undefined);
      assert.equal(v.length, 0, `axe-core:\n${v.join('\n')}`);
      await page.context().close();
    });
  }
});
