// Benchmark: the Computers tab with 10,000 leases in the real desktop window.
// Seeds the embedded server through the real client API (POST /v1/checkout,
// one 10,000-seat license, bounded concurrency), then times in the page:
// switching to the tab until the rows show, searching, and scrolling the
// virtualized list. Prints figures; asserts nothing about speed.
// Run with scripts/desktop-bench.sh (after the start-up benchmark).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP, Session, reap, startDriver, tempDir, vendorLicense, waitFor } from './webdriver.mjs';

const LEASES = Number(process.env.LEASES ?? 10000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const REPEATS = Number(process.env.REPEATS ?? 5);

const tmp = tempDir('leasehold-desktop-bench-computers-');
const dataDir = join(tmp.dir, 'data');
mkdirSync(dataDir);
const vendor = vendorLicense(tmp.dir, { product: 'cad', seats: LEASES, customer: 'Bench' });
const env = {
  LEASEHOLD_DATA_DIR: dataDir, LEASEHOLD_NO_MDNS: '1', LEASEHOLD_NO_DISCOVERY: '1',
  LEASEHOLD_LISTEN: '127.0.0.1:0', LEASEHOLD_TRUST: vendor.publicKey,
};

// In the page: from a click on the Computers tab until its rows are on
// screen (after the next paint), in the page's own clock.
const OPEN_COMPUTERS = `
  document.getElementById('tab-licenses').click();
  while (!document.getElementById('panel-licenses')) await new Promise((r) => requestAnimationFrame(r));
  const t0 = performance.now();
  document.getElementById('tab-computers').click();
  const ready = () => document.querySelectorAll('#panel-computers .vrow').length > 0 && /seats? held/.test(document.querySelector('#panel-computers .subtitle')?.textContent ?? '');
  while (!ready()) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return { ms: performance.now() - t0, rows: document.querySelectorAll('#panel-computers .vrow').length, said: document.querySelector('#panel-computers .subtitle').textContent };`;

// In the page: type a search that matches one row, until the count shows it.
const SEARCH = `
  const input = document.querySelector('#panel-computers input[type=search]');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const t0 = performance.now();
  setValue.call(input, arguments[0]);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const done = () => /^1 of/.test(document.querySelector('#panel-computers .search-count')?.textContent ?? '');
  while (!done()) await new Promise((r) => requestAnimationFrame(r));
  await new Promise((r) => requestAnimationFrame(r));
  const ms = performance.now() - t0;
  setValue.call(input, '');
  input.dispatchEvent(new Event('input', { bubbles: true }));
  while (document.querySelector('#panel-computers .search-count')) await new Promise((r) => requestAnimationFrame(r));
  return ms;`;

// In the page: scroll the list top to bottom in 60 steps, one a frame, and
// report frame intervals.
const SCROLL = `
  const list = document.querySelector('#panel-computers .vlist');
  list.scrollTop = 0;
  await new Promise((r) => requestAnimationFrame(r));
  const steps = 60, gaps = [];
  let last = performance.now();
  for (let i = 1; i <= steps; i++) {
    list.scrollTop = (list.scrollHeight - list.clientHeight) * i / steps;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }
  gaps.sort((a, b) => a - b);
  return { median: gaps[Math.floor(gaps.length / 2)], p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps[gaps.length - 1], rows: list.querySelectorAll('.vrow').length };`;

async function seed(baseUrl) {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < LEASES) {
      const i = next++;
      const r = await fetch(`${baseUrl}/v1/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ product: 'cad', clientId: `bench-machine-${i}`, user: `user${i}`, host: `ws-${i}`, appName: 'Bench CAD', appVersion: '1.0' }),
      });
      if (!r.ok) failed++;
      await r.arrayBuffer();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ms: performance.now() - t0, failed };
}

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
};

const driver = await startDriver(env);
let baseUrl;
try {
  const s = await Session.create(driver.base, APP);
  try {
    const conn = await waitFor('the connection', () => s.exec('return window.__LEASEHOLD__;'));
    baseUrl = conn.baseUrl;
    const auth = { Authorization: `Bearer ${conn.token}`, 'content-type': 'application/json' };
    const add = await fetch(`${baseUrl}/admin/v1/licenses`, { method: 'POST', headers: auth, body: JSON.stringify({ code: vendor.code, dryRun: false }) });
    if (!add.ok) throw new Error(`adding the license: ${add.status} ${await add.text()}`);
    const seeded = await seed(baseUrl);
    console.log(`seeded ${LEASES.toLocaleString('en')} leases through /v1/checkout (concurrency ${CONCURRENCY}) in ${(seeded.ms / 1000).toFixed(1)} s; ${seeded.failed} refused`);

    const apiTimes = [];
    for (let i = 0; i < REPEATS; i++) {
      const t0 = performance.now();
      const list = await (await fetch(`${baseUrl}/admin/v1/computers`, { headers: auth })).json();
      apiTimes.push(performance.now() - t0);
      if (i === 0) console.log(`GET /admin/v1/computers: ${list.length.toLocaleString('en')} computers`);
    }
    const opens = [];
    let rowsInDom = 0;
    for (let i = 0; i < REPEATS; i++) {
      const r = await s.exec(OPEN_COMPUTERS);
      opens.push(r.ms);
      rowsInDom = r.rows;
      if (i === 0) console.log(`the tab says: ${r.said}`);
    }
    const searches = [];
    for (let i = 0; i < REPEATS; i++) searches.push(await s.exec(SEARCH, `user${LEASES - 1 - i}`)); // the longest names: no other user starts with them
    const scroll = await s.exec(SCROLL);

    console.log(`\ndesktop Computers tab with ${LEASES.toLocaleString('en')} leases (debug=${APP.includes('/debug/')}, ${REPEATS} runs each):`);
    console.log(`  GET /admin/v1/computers from the test:      ${stat(apiTimes)}`);
    console.log(`  tab click -> rows painted (fetch + render): ${stat(opens)}; ${rowsInDom} rows in the DOM`);
    console.log(`  search for one user -> "1 of N" painted:    ${stat(searches)}`);
    console.log(`  scrolling top to bottom in 60 frames:       frame interval median ${scroll.median.toFixed(1)} ms, p95 ${scroll.p95.toFixed(1)} ms, max ${scroll.max.toFixed(1)} ms; ${scroll.rows} rows in the DOM`);
  } finally {
    await s.delete().catch(() => {});
  }
} finally {
  await driver.stop();
  if (baseUrl) await reap(baseUrl);
  tmp.remove();
}
