// Named users in real Chromium against a real server: a 2-seat cad code
// issued with `vendor issue --named-users` (24 h cool-down) and a plain sim
// code. The Licenses tab shows cad's named users and not sim's; the admin
// names CORP\alice and Jürgen Groß with the keyboard and the mouse, and only
// they may check out; removing Jürgen frees his seat at once; carol, named
// to the seat that moved, removed again leaves it cooling down, which the
// card lists with its time; naming dave then is refused with that time, in
// words. A name given outside the page (the API) shows within about a
// second. Fits 1366×800, 800×600 and 400×800 without scrolling sideways,
// light and dark. Screenshots: named-users-1366x800.png,
// named-users-refused.png, named-users-800x600.png, named-users-400x800.png,
// named-users-dark.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, localDateTime, openPage, screenshot, scrollingSideways, waitForReading } from './chromium.mjs';
import { holdSeat, startUiServer } from './server.mjs';

/** The card follows the named_user_* events: a change shows within this. */
const FRESH_MS = 1500;

let server;
let browser;
let page;

const card = () => page.getByRole('region', { name: 'cad', exact: true });
const field = () => page.getByLabel('Name a user for cad');
const namedList = () => page.getByRole('list', { name: 'Named users of cad' });
const shot = (name) => screenshot(page, name);

/** The names cad's card lists, in order (none when the list is gone). */
async function shownNames() {
  return (await namedList().count()) ? namedList().locator('.named-name').allInnerTexts() : [];
}

/** Waits until cad's card lists `expected`. */
const namesRead = (expected, timeout = FRESH_MS) => waitForReading(page, {
  read: shownNames,
  ok: (names) => JSON.stringify(names) === JSON.stringify(expected),
  wrong: (names) => `cad's card lists ${JSON.stringify(names)}, not ${JSON.stringify(expected)}`,
  timeout,
});

/** Who the server has named for cad. */
const serverNames = async () => (await server.call('GET', '/admin/v1/named-users/cad')).users.map((a) => a.user);

/**
 * Nothing scrolls sideways (with `section` only, just the named users), and
 * every button and field of the card is whole in sight.
 */
async function assertFits(where, { section = false } = {}) {
  const wide = await scrollingSideways(page, [...(section ? [] : [':root', '.main']), '.named-users']);
  assert.deepEqual(wide, [], `${where}: scrolls sideways`);
  const cut = await page.evaluate(() => [...document.querySelectorAll('.named-card button, .named-card input')]
    .filter((b) => b.getBoundingClientRect().right > document.documentElement.clientWidth || b.scrollWidth > b.clientWidth + 1)
    .map((b) => b.getAttribute('aria-label') ?? b.textContent ?? b.id));
  assert.deepEqual(cut, [], `${where}: every button and field of the card whole`);
}

before(async () => {
  server = await startUiServer();
  await server.issueLicense({ product: 'cad', seats: 2, customer: 'Northwind Engineering', namedUsers: true, reassignAfterHours: 24 });
  await server.issueLicense({ product: 'sim', seats: 5, customer: 'Northwind Engineering' });
  browser = await launchChromium();
  page = await openPage(browser, { width: 1366, height: 800 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('named users on the Licenses tab', () => {
  test('cad, issued with --named-users, has a card; sim, a plain code, has none', async () => {
    await page.goto(server.adminUrl);
    await page.getByRole('heading', { name: 'Named users', exact: true }).waitFor();
    const text = await card().innerText();
    assert.match(text, /0 of 2 seats named · 2 free to name/);
    assert.match(text, /In force/);
    assert.match(text, /No one is named yet: nobody may use cad until you name users\./);
    assert.equal(await page.getByRole('region', { name: 'sim', exact: true }).count(), 0);
    // The code's row says so too.
    assert.equal(await page.getByRole('table').getByText('named users', { exact: true }).count(), 1);
  });

  test('names CORP\\alice with the keyboard and Jürgen Groß with the mouse: listed, and only they check out', async () => {
    await field().fill('CORP\\alice');
    await field().press('Enter');
    await namesRead(['CORP\\alice']);
    await page.getByText('CORP\\alice is now named for cad.', { exact: true }).waitFor();
    assert.equal(await field().inputValue(), '');
    await field().fill('Jürgen Groß');
    await card().getByRole('button', { name: 'Name user' }).click();
    await namesRead(['CORP\\alice', 'Jürgen Groß']);
    assert.deepEqual(await serverNames(), ['CORP\\alice', 'Jürgen Groß']);
    const row = namedList().getByRole('listitem').first();
    assert.match(await row.innerText(), /named since \w{3} \d{1,2}, \d{4}/);
    assert.match(await card().innerText(), /2 of 2 seats named · 0 free to name/);

    // The server holds to the names (any capitals).
    await holdSeat(server, { product: 'cad', user: 'corp\\ALICE', host: 'ws-1' });
    assert.deepEqual((await server.call('GET', '/admin/v1/computers')).rows.map((r) => r.lease.holder.user), ['corp\\ALICE']);
    await assert.rejects(holdSeat(server, { product: 'cad', user: 'mallory', host: 'ws-2' }), (e) => e.body?.code === 'not_a_named_user');
    assert.ok(!/undefined|NaN|\{"/.test(await card().innerText()));
    await shot('named-users-1366x800');
  });

  test('a seat moved and taken back cools down; naming another then is refused with its time, in words', async () => {
    // Jürgen had a seat never named before: it is free at once.
    await card().getByRole('button', { name: 'Remove Jürgen Groß from the named users of cad' }).click();
    await namesRead(['CORP\\alice']);
    await page.getByText('Jürgen Groß is no longer named for cad. The seat is free for another user now.', { exact: true }).waitFor();
    // The keyboard stays on the card: on alice's Remove, the one left.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Remove CORP\\alice from the named users of cad');

    // carol gets the seat that moved; taken back, it waits out the cool-down.
    await field().fill('carol');
    await field().press('Enter');
    await namesRead(['carol', 'CORP\\alice']);
    await namedList().getByRole('listitem').filter({ hasText: 'carol' }).getByText('seat moved to them').waitFor();
    await card().getByRole('button', { name: 'Remove carol from the named users of cad' }).click();
    await namesRead(['CORP\\alice']);
    const [coolingUntil] = (await server.call('GET', '/admin/v1/named-users/cad')).coolingUntil;
    assert.ok(coolingUntil > Date.now() + 23 * 3_600_000, `cooling until ${coolingUntil}`);
    const when = await localDateTime(page, coolingUntil);
    const cooling = page.getByRole('list', { name: 'Seats of cad cooling down' });
    assert.equal(await cooling.innerText(), `1 seat: free for another user from ${when}`);
    assert.match(await card().innerText(), /cool-down of 24 hours/);
    assert.match(await card().innerText(), /1 of 2 seats named · 0 free to name, 1 cooling down/);

    await field().fill('dave');
    await field().press('Enter');
    const alert = card().getByRole('alert');
    await alert.waitFor();
    const said = await alert.innerText();
    assert.ok(said.includes(`in its cool-down until ${when}`), said);
    assert.match(said, /^Every seat of cad that may be named now is taken/);
    assert.ok(!/named_seats_full|\d{4}-\d{2}-\d{2}T/.test(said), said);
    assert.equal(await field().inputValue(), 'dave');
    assert.deepEqual(await serverNames(), ['CORP\\alice']);
    await shot('named-users-refused');
  });

  test('a name given outside the page shows within about a second', async () => {
    await server.call('DELETE', `/admin/v1/named-users/cad/${encodeURIComponent('CORP\\alice')}`);
    await namesRead([]);
    // Alice's seat was never moved: free again, so a name given through the API takes it.
    await server.call('PUT', `/admin/v1/named-users/cad/${encodeURIComponent('Zoë Ng')}`);
    await namesRead(['Zoë Ng']);
  });

  test('fits 1366×800, 800×600 and 400×800 without scrolling sideways, and reads in the dark', async () => {
    await assertFits('1366×800');
    await page.setViewportSize({ width: 800, height: 600 });
    await assertFits('800×600');
    await card().scrollIntoViewIfNeeded();
    await shot('named-users-800x600');
    // A phone's width: the card is the window's width, its rows and form wrap.
    // (The codes' table above scrolls inside its frame there, and its header's
    // hidden "Actions" label widens the page: the tab as a whole is not made
    // for this width.)
    await page.setViewportSize({ width: 400, height: 800 });
    await assertFits('400×800', { section: true });
    await card().scrollIntoViewIfNeeded();
    await shot('named-users-400x800');
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await card().scrollIntoViewIfNeeded();
    await shot('named-users-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
