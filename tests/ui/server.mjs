// Starts a Leasehold server for the browser tests and gives the tests the
// ways to put real data into it through its public API.
//
// Today: the fake server (tests/ui/fake-server.mjs). To switch to the real one,
// set LEASEHOLD_BIN=target/debug/leasehold (see `realServer` below: what is
// left is issuing license codes with `leasehold vendor issue`).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Spawns `cmd args`, waits for the first stdout line with a URL, returns it. */
async function spawnAndReadUrl(cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} printed no URL within 20 s`)), 20_000);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited with ${code} before printing its URL`)); });
    lines.on('line', (line) => {
      const m = /(https?:\/\/\S+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  lines.on('line', () => {}); // keep draining stdout
  return { child, url };
}

function parseAdminUrl(url) {
  const u = new URL(url);
  const token = new URLSearchParams(u.hash.replace(/^#/, '')).get('token');
  if (!token) throw new Error(`the server's URL carries no token: ${url}`);
  return { origin: u.origin, token, adminUrl: url };
}

function apiFor(origin, token) {
  return async function call(method, path, body, { admin = true } = {}) {
    const res = await fetch(origin + path, {
      method,
      headers: { 'Content-Type': 'application/json', ...(admin ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${text}`), { status: res.status, body: json });
    return json;
  };
}

async function fakeServer() {
  const { child, url } = await spawnAndReadUrl(process.execPath, ['tests/ui/fake-server.mjs', '--listen', '127.0.0.1:0']);
  const { origin, token, adminUrl } = parseAdminUrl(url);
  const call = apiFor(origin, token);
  return {
    kind: 'fake', origin, token, adminUrl, call,
    licenseCode: ({ product, seats, customer, expired = false }) => `FAKE-${product}-${seats}-${customer}${expired ? '-expired' : ''}`,
    seedLeases: (count, product) => call('POST', '/__fake/seed-leases', { count, product, backdateMs: 8 * 3600_000 }),
    stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }),
  };
}

async function realServer(bin) {
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-ui-'));
  const keyDir = mkdtempSync(join(tmpdir(), 'leasehold-vendor-'));
  const keyFile = join(keyDir, 'vendor.key');
  // `vendor keygen` prints the public key (LHPK-…) as its first stdout line.
  const publicKey = execFileSync(bin, ['vendor', 'keygen', '--out', keyFile], { encoding: 'utf8' }).split('\n')[0].trim();
  const { child, url } = await spawnAndReadUrl(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--no-mdns', ...(publicKey ? ['--trust', publicKey] : [])]);
  const { origin, token, adminUrl } = parseAdminUrl(url);
  const call = apiFor(origin, token);
  return {
    kind: 'real', origin, token, adminUrl, call,
    licenseCode: ({ product, seats, customer, expired = false }) =>
      execFileSync(bin, ['vendor', 'issue', '--key', keyFile, '--product', product, '--seats', String(seats), '--customer', customer,
        ...(expired ? ['--starts', '2020-01-01', '--expires', '2020-12-31'] : [])], { encoding: 'utf8' }).trim(),
    // Real clients holding seats: one checkout each, over the client protocol.
    seedLeases: async (count, product) => {
      for (let i = 0; i < count; i++) {
        const n = String(i).padStart(5, '0');
        await call('POST', '/v1/checkout', { product, clientId: `machine-${n}`, user: `user${i % 917}`, host: `ws-${n}`, appName: 'Acme CAD', appVersion: '2025.3' }, { admin: false });
      }
    },
    stop: () => new Promise((r) => {
      child.once('exit', () => { rmSync(dataDir, { recursive: true, force: true }); rmSync(keyDir, { recursive: true, force: true }); r(); });
      child.kill('SIGTERM');
    }),
  };
}

export async function startServer() {
  const bin = process.env.LEASEHOLD_BIN;
  return bin ? realServer(bin) : fakeServer();
}

/** A client holding a seat, through the client protocol (no admin token). */
export async function holdSeat(server, { product, user, host, clientId = `id-${host}`, appName = 'Acme CAD', appVersion = '2025.3' }) {
  return server.call('POST', '/v1/checkout', { product, clientId, user, host, appName, appVersion }, { admin: false });
}
