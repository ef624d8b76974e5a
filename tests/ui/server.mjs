// Starts a real `leasehold serve` (port 0, temp data dir, no mDNS) for the
// browser tests and gives them the ways to put real data into it: license codes
// signed with a throwaway vendor key, and clients holding seats over the client
// protocol. The binary is $LEASEHOLD_BIN, else target/debug/leasehold
// (`npm run test:browser` builds it when it is missing).
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;

/**
 * Spawns `leasehold serve`, waits for the admin URL it prints on its second
 * stdout line (`admin UI: http://…/ui/#token=…`), and returns it.
 */
async function spawnServer(bin, args) {
  const child = spawn(bin, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = [];
  child.stderr.on('data', (d) => { stderr.push(d); });
  const lines = createInterface({ input: child.stdout });
  try {
    const url = await new Promise((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`leasehold serve printed no admin URL within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`leasehold serve exited with ${code} before printing its URL:\n${Buffer.concat(stderr).toString()}`));
      });
      lines.on('line', (line) => {
        const m = /^admin UI: (https?:\/\/\S+)/.exec(line);
        if (m) { clearTimeout(timer); resolveUrl(m[1]); }
      });
    });
    return { child, url };
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
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

/** `YYYY-MM-DD` (UTC) `days` from today. */
export function dayFromToday(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const BIN = resolve(ROOT, process.env.LEASEHOLD_BIN ?? `target/debug/leasehold${process.platform === 'win32' ? '.exe' : ''}`);

/**
 * `vendor`: another server's `vendor` (its key file and public key), for a
 * second server of the same vendor (the same code added to two servers);
 * by default each server gets a vendor key of its own. `prepare(dataDir)`:
 * the server is started once to create its database, stopped, `prepare` is
 * run on its data directory (history written into the database), and the
 * server started again. `tls`: HTTPS on the same port too, with a
 * certificate the server makes (`serve --tls`; the admin URL stays http).
 */
export async function startServer({ vendor, prepare, tls = false } = {}) {
  const bin = BIN;
  if (!existsSync(bin)) throw new Error(`no server binary at ${bin}: run \`cargo build -p leasehold-cli\` or set LEASEHOLD_BIN`);
  const dataDir = mkdtempSync(join(tmpdir(), 'leasehold-ui-'));
  const keyDir = mkdtempSync(join(tmpdir(), 'leasehold-vendor-'));
  const keyFile = vendor?.keyFile ?? join(keyDir, 'vendor.key');
  const cleanup = () => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  };
  let started;
  let publicKey;
  const serveArgs = (listen) => ['serve', '--print-admin-url', '--listen', listen, '--data-dir', dataDir, '--no-mdns', '--durability', 'normal', '--trust', publicKey, ...(tls ? ['--tls'] : [])];
  try {
    // `vendor keygen` prints the public key (LHPK-…) as its first stdout line.
    publicKey = vendor?.publicKey ?? execFileSync(bin, ['vendor', 'keygen', '--out', keyFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
    // `--durability normal`: these tests are about the UI, not power loss, and
    // 10,000 checkouts without an fsync each keep the seeding quick.
    started = await spawnServer(bin, serveArgs('127.0.0.1:0'));
    if (prepare) {
      await stopChild(started.child);
      await prepare(dataDir);
      started = await spawnServer(bin, serveArgs('127.0.0.1:0'));
    }
  } catch (e) {
    if (started) await stopChild(started.child);
    cleanup();
    throw e;
  }
  let { child } = started;
  const { origin, token, adminUrl } = parseAdminUrl(started.url);
  const call = apiFor(origin, token);
  const vendorActivate = (request) =>
    execFileSync(bin, ['vendor', 'activate', '--no-ledger', '--key', keyFile, '-'], { input: request, encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }).trim();
  /**
   * A code signed by this run's vendor key; `starts`/`expires` are `YYYY-MM-DD`;
   * the seat rules `overdraft` (seats it may grant beyond `seats`, each marked
   * over licence), `noQueue`, `namedUsers` (only users the admin names may
   * check out; `reassignAfterHours` their seats' cool-down), `maxBorrowHours`
   * and `lingerSecs` as `vendor issue` takes them; consumption tokens:
   * `tokens` units given each `tokensPeriod` (`month`, `year` or `none`,
   * given once) and `tokensOverdraft` units that may be spent beyond them.
   */
  const issueWith = (key, { product, seats, customer, starts, expires, features = [], activation = 'none', maxActivations, overdraft, noQueue, namedUsers, reassignAfterHours, maxBorrowHours, lingerSecs, tokens, tokensPeriod, tokensOverdraft }) =>
    execFileSync(bin, [
      'vendor', 'issue', '--key', key, '--product', product, '--seats', String(seats), '--customer', customer,
      ...(starts ? ['--starts', starts] : []), ...(expires ? ['--expires', expires] : []),
      ...features.flatMap((f) => ['--feature', f]),
      // Codes count at once unless a test asks for activation.
      '--activation', activation,
      ...(maxActivations === undefined ? [] : ['--max-activations', String(maxActivations)]),
      ...(overdraft === undefined ? [] : ['--overdraft', String(overdraft)]),
      ...(noQueue ? ['--no-queue'] : []),
      ...(namedUsers ? ['--named-users'] : []),
      ...(reassignAfterHours === undefined ? [] : ['--reassign-after-hours', String(reassignAfterHours)]),
      ...(maxBorrowHours === undefined ? [] : ['--max-borrow-hours', String(maxBorrowHours)]),
      ...(lingerSecs === undefined ? [] : ['--linger-secs', String(lingerSecs)]),
      ...(tokens === undefined ? [] : ['--tokens', String(tokens)]),
      ...(tokensPeriod === undefined ? [] : ['--tokens-period', tokensPeriod]),
      ...(tokensOverdraft === undefined ? [] : ['--tokens-overdraft', String(tokensOverdraft)]),
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const licenseCode = (terms) => issueWith(keyFile, terms);
  let otherVendors = 0;
  const addLicense = (code) => call('POST', '/admin/v1/licenses', { code, dryRun: false });
  const authorities = [];
  const exited = () => stopChild(child);
  const startAgain = async () => {
    const again = await spawnServer(bin, serveArgs(new URL(origin).host));
    child = again.child;
    if (parseAdminUrl(again.url).adminUrl !== adminUrl) throw new Error(`the server came back at ${again.url}, not ${adminUrl}`);
  };
  return {
    origin, token, adminUrl, call,
    /** The vendor key this server trusts and its codes are signed with (`startServer({ vendor })` shares it). */
    vendor: { keyFile, publicKey },
    /** The vendor's activation response to a server's request (`vendor activate`). */
    vendorActivate,
    /** What the vendor's `vendor deactivate` says of a deactivation proof (throws when it refuses it). */
    vendorDeactivate: (proof) =>
      execFileSync(bin, ['vendor', 'deactivate', '-'], { input: proof, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim(),
    /** The offline round trip through the API: this server's request, the vendor's response, imported. */
    activate: async (licenseId) => {
      const { request } = await call('GET', `/admin/v1/licenses/${licenseId}/activation-request`);
      return call('POST', '/admin/v1/activations', { response: vendorActivate(request) });
    },
    /**
     * Stops the server and starts it again on the same address and data
     * directory (the page keeps its token). `lastSeenAt` (ms) first rewrites
     * the latest wall time the server saw (the `last_seen_at` setting): one
     * more than a day ahead of this computer's clock is a clock set back.
     */
    restart: async ({ lastSeenAt } = {}) => {
      await exited();
      if (lastSeenAt !== undefined) setLastSeen(join(dataDir, 'leasehold.db'), lastSeenAt);
      await startAgain();
    },
    /** Stops the server (an outage): `startAgain` brings it back on the same address and data directory. */
    halt: () => exited(),
    startAgain: () => startAgain(),
    /**
     * Starts the vendor's activation authority (`leasehold authority serve`,
     * this run's vendor key, a ledger of its own, port 0) and answers its
     * `http://` address; `stop` (of the server) stops it too.
     */
    startAuthority: async () => {
      const ledger = join(keyDir, `authority-${authorities.length}`);
      const authority = spawn(bin, ['authority', 'serve', '--key', keyFile, '--data-dir', ledger, '--listen', '127.0.0.1:0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      authorities.push(authority);
      const [first] = await once(createInterface({ input: authority.stdout }), 'line');
      return `http://${first.trim()}`;
    },
    licenseCode,
    addLicense,
    /**
     * A vendor key this server does not trust: its public key (`LHPK-…`)
     * and `licenseCode(terms)`, codes it signs (refused as `untrusted_vendor`
     * until the key is trusted).
     */
    otherVendor: () => {
      const key = join(keyDir, `other-${otherVendors++}.key`);
      const otherKey = execFileSync(bin, ['vendor', 'keygen', '--out', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
      return { publicKey: otherKey, licenseCode: (terms) => issueWith(key, terms) };
    },
    /** The licence `licenseCode(terms)` issues, added: answers it as the server added it. */
    issueLicense: (terms) => addLicense(licenseCode(terms)),
    /** The licence with id `licenseId` as the server lists it now (undefined when it has none). */
    license: async (licenseId) => (await call('GET', '/admin/v1/licenses')).find((l) => l.licenseId === licenseId),
    /**
     * `count` real clients holding a seat of `product` each (distinct client ids
     * `machine-00000`…), a few checkouts in flight at a time.
     */
    seedLeases: async (count, product, { inFlight = 32 } = {}) => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          const n = String(i).padStart(5, '0');
          await call('POST', '/v1/checkout', { product, clientId: `machine-${n}`, user: `user${i % 917}`, host: `ws-${n}`, appName: 'Acme CAD', appVersion: '2025.3' }, { admin: false });
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
    },
    stop: async () => {
      for (const a of authorities) a.kill('SIGTERM');
      await exited();
      cleanup();
    },
  };
}

/** SIGTERM to `child`, answered once it has exited. */
function stopChild(child) {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) { done(); return; }
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

/** Sets the server's `last_seen_at` setting in its (stopped) database, with the sqlite3 command. */
function setLastSeen(db, ms) {
  try {
    execFileSync('sqlite3', [db, `INSERT OR REPLACE INTO settings (key, value) VALUES ('last_seen_at', '${Math.round(ms)}')`], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot set the server's last seen time with sqlite3 (apt-get install sqlite3): ${e.stderr?.toString() || e.message}`);
  }
}

/** Fails in words unless the server serves the built UI at /ui/ (`npm run build`). */
async function assertServesBuiltUi(server) {
  const index = await (await fetch(`${server.origin}/ui/`)).text();
  if (!index.includes('<div id="root">')) throw new Error(`the server does not serve the built UI at /ui/:\n${index.slice(0, 300)}`);
}

/**
 * `startServer({ prepare })` for a browser test: fails in words, once, rather than in
 * every test, when the UI is not built (ui/dist) or the server does not serve
 * it (stopping the server it started).
 */
export async function startUiServer({ prepare, tls } = {}) {
  if (!existsSync(`${ROOT}ui/dist/index.html`)) throw new Error('build the UI first: npm run build');
  const server = await startServer({ prepare, tls });
  try {
    await assertServesBuiltUi(server);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

/** A client holding a seat, through the client protocol (no admin token). */
export async function holdSeat(server, { product, user, host, clientId = `id-${host}`, appName = 'Acme CAD', appVersion = '2025.3' }) {
  return server.call('POST', '/v1/checkout', { product, clientId, user, host, appName, appVersion }, { admin: false });
}

/**
 * Spawns `leasehold client checkout PRODUCT` against `server` (client
 * settings of its own, so this computer's client.toml plays no part) with
 * `extra` arguments; `stop` ends it by its pid (SIGTERM: a held seat is
 * released) and removes its settings.
 */
function spawnCheckout(server, { product, clientId, user, fingerprint, hold, extra = [] }) {
  const configDir = mkdtempSync(join(tmpdir(), 'leasehold-client-'));
  const config = join(configDir, 'client.toml');
  const env = { ...process.env, LEASEHOLD_CLIENT_CONFIG: config, RUST_LOG: 'warn', ...(fingerprint ? { LEASEHOLD_TEST_FINGERPRINT: fingerprint } : {}) };
  delete env.LEASEHOLD_SERVER;
  const child = spawn(BIN, [
    'client', 'checkout', product, '--server', new URL(server.origin).host, '--client-id', clientId, '--user', user,
    '--hold', String(hold), '--vendor-key', server.vendor.publicKey, '--config', config, '--json', ...extra,
  ], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const stderr = [];
  child.stderr.on('data', (d) => { stderr.push(d); });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
    rmSync(configDir, { recursive: true, force: true });
  };
  // The grant, the one line the command prints on stdout (--json).
  const granted = new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`leasehold client checkout exited with ${code}:\n${Buffer.concat(stderr).toString()}`)));
    createInterface({ input: child.stdout }).once('line', (l) => done(JSON.parse(l)));
  });
  granted.catch(() => {});
  return { child, stop, granted, stderr: () => Buffer.concat(stderr).toString() };
}

/** `promise`, or a failure saying `what` did not happen within `ms`. */
function within(ms, what, promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`${what} within ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A real `leasehold client checkout` process holding a seat of `product` for
 * up to `hold` seconds (verifying the server's chain with the vendor's key),
 * as client id `clientId`. `fingerprint` is the computer's parts as the debug
 * build's test seam takes them (`LEASEHOLD_TEST_FINGERPRINT`:
 * `machine=…,host=…,nics=…,cpu=…,boot=…`), to play another computer.
 * Answers the grant it printed and `stop`, which ends the process by its pid.
 */
export async function checkoutProcess(server, { product, clientId, user = 'ann', fingerprint, hold = 60 }) {
  const c = spawnCheckout(server, { product, clientId, user, fingerprint, hold });
  try {
    const grant = await within(START_TIMEOUT_MS, 'leasehold client checkout printed no grant', c.granted);
    return { pid: c.child.pid, grant, stop: c.stop };
  } catch (e) {
    c.stop();
    throw e;
  }
}

/**
 * A real `leasehold client checkout --wait` process in the queue for
 * `product` (no seat free), answered once it has printed its first place.
 * `place(n)` waits until it prints `waiting: position n of …`; `granted`
 * is the grant when its seat comes; `stop` ends it by its pid.
 */
export async function waitingProcess(server, { product, clientId, user = 'bob', hold = 30 }) {
  const c = spawnCheckout(server, { product, clientId, user, hold, extra: ['--wait'] });
  const places = [];
  const watchers = [];
  createInterface({ input: c.child.stderr }).on('line', (line) => {
    const m = /^waiting: position (\d+) of (\d+)/.exec(line);
    if (!m) return;
    places.push(Number(m[1]));
    for (const w of watchers.splice(0)) w();
  });
  const place = (n, ms = 5000) => within(ms, `${clientId} was told no place ${n} (told ${places.join(', ') || 'none'})`, new Promise((done) => {
    const check = () => (places.at(-1) === n ? done() : watchers.push(check));
    check();
  }));
  try {
    await within(START_TIMEOUT_MS, `${clientId} printed no place in the queue`, new Promise((done, fail) => {
      watchers.push(done);
      c.granted.then(() => fail(new Error(`${clientId} got a seat at once: it did not wait`)), fail);
    }));
    return { pid: c.child.pid, places, place, granted: c.granted, stop: c.stop };
  } catch (e) {
    c.stop();
    throw new Error(`${e.message}\n${c.stderr()}`);
  }
}
