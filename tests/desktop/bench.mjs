// Benchmark: time from starting the desktop app to its Licenses tab showing
// data, over several cold starts on a data directory that already holds a
// license. Prints figures; asserts nothing. Run with scripts/desktop-bench.sh.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP, Session, reap, startDriver, tempDir, vendorLicense, waitFor, sleep } from './webdriver.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const tmp = tempDir('leasehold-desktop-bench-');
const template = join(tmp.dir, 'template');
mkdirSync(template);
const vendor = vendorLicense(tmp.dir, { product: 'cad', seats: 10, customer: 'Bench' });
const baseEnv = { LEASEHOLD_NO_MDNS: '1', LEASEHOLD_LISTEN: '127.0.0.1:0', LEASEHOLD_TRUST: vendor.publicKey };

// Waits in the page for a Licenses row naming the product; answers the
// page's own clock (ms since navigation start) when it appeared.
const DATA_VISIBLE = `
  const seen = () => [...document.querySelectorAll('#panel-licenses table tbody tr')].some((r) => r.textContent.includes('cad'));
  while (!seen()) await new Promise((r) => requestAnimationFrame(r));
  return performance.now();`;

async function withApp(dataDir, fn) {
  const driver = await startDriver({ ...baseEnv, LEASEHOLD_DATA_DIR: dataDir });
  try {
    const t0 = performance.now();
    const s = await Session.create(driver.base, APP);
    const tSession = performance.now() - t0;
    try {
      return await fn(s, t0, tSession);
    } finally {
      await s.delete().catch(() => {});
    }
  } finally {
    await driver.stop();
  }
}

/** Waits until the last app stopped serving, so runs do not overlap. */
async function gone(baseUrl) {
  await reap(baseUrl);
  await waitFor('the app to stop serving', async () => {
    try {
      await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(500) });
      return false;
    } catch {
      return true;
    }
  }, 15000, 100).catch((e) => console.log(`warning: ${e.message}; the next run may overlap it`));
}

// Prepare: one start that adds the license through the API.
const prepUrl = await withApp(template, async (s) => {
  const conn = await waitFor('the connection', () => s.exec('return window.__LEASEHOLD__;'));
  const r = await fetch(`${conn.baseUrl}/admin/v1/licenses`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${conn.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ code: vendor.code, dryRun: false }),
  });
  if (!r.ok) throw new Error(`adding the license: ${r.status} ${await r.text()}`);
  return conn.baseUrl;
});
await gone(prepUrl);
await sleep(4000); // the app gives its server up to 3 s to stop; let it exit fully

const rows = [];
for (let i = 0; i < RUNS; i++) {
  const dir = join(tmp.dir, `run-${i}`);
  cpSync(template, dir, { recursive: true });
  const row = await withApp(dir, async (s, t0, tSession) => {
    const inPage = await s.exec(DATA_VISIBLE);
    const total = performance.now() - t0;
    const conn = await s.exec('return window.__LEASEHOLD__;');
    return { tSession, total, inPage, baseUrl: conn.baseUrl };
  });
  rows.push(row);
  console.log(`run ${i + 1}: window ready ${row.tSession.toFixed(0)} ms, Licenses data shown ${row.total.toFixed(0)} ms after start (${row.inPage.toFixed(0)} ms after page navigation)`);
  await gone(row.baseUrl);
}
tmp.remove();

const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms, min ${s[0].toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms`;
};
console.log(`\ndesktop bench (${RUNS} cold starts, debug=${APP.includes('/debug/')}):`);
console.log(`  app start -> window ready (WebDriver session): ${stat(rows.map((r) => r.tSession))}`);
console.log(`  app start -> Licenses tab shows data:          ${stat(rows.map((r) => r.total))}`);
console.log(`  page navigation -> Licenses tab shows data:    ${stat(rows.map((r) => r.inPage))}`);
