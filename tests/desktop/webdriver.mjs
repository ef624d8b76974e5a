// A small W3C WebDriver client over fetch, and the pieces the desktop tests
// share: starting tauri-driver, making a vendor key and a license code with
// the `leasehold` CLI, and a temporary data directory for the app.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target');
export const APP = process.env.LEASEHOLD_DESKTOP_BIN ?? join(TARGET, 'debug/leasehold-desktop');
export const CLI = process.env.LEASEHOLD_BIN ?? join(TARGET, 'debug/leasehold');
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Polls `fn` until it returns something truthy; the last error is in the message. */
export async function waitFor(what, fn, timeoutMs = 15000, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(everyMs);
  }
}

/** A vendor key pair and a code for `product`, made with the real CLI. */
export function vendorLicense(dir, { product = 'cad', seats = 5, customer = 'Desktop test' } = {}) {
  const key = join(dir, 'vendor.key');
  const publicKey = execFileSync(CLI, ['vendor', 'keygen', '--out', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const code = execFileSync(CLI, ['vendor', 'issue', '--key', key, '--product', product, '--seats', String(seats), '--customer', customer, '--activation', 'none'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  return { publicKey, code };
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts tauri-driver (which starts WebKitWebDriver, which starts the app
 * with `env`) on free ports. Call `stop()` at the end.
 */
export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  const bin = process.env.TAURI_DRIVER ?? 'tauri-driver';
  const child = spawn(bin, ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', r));
  const base = `http://127.0.0.1:${port}`;
  await waitFor('tauri-driver to listen', async () => {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited (${child.exitCode}): ${log}`);
    const r = await fetch(`${base}/status`);
    return r.ok;
  }, 10000);
  return {
    base,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(3000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, application) {
    const value = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application } } },
    });
    return new Session(base, value.sessionId);
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  title() { return this.cmd('GET', '/title'); }
  /** Runs `body` (a function body) in the page; a returned promise is awaited. */
  exec(body, ...args) { return this.cmd('POST', '/execute/async', { script: `const done = arguments[arguments.length - 1]; Promise.resolve((async (...a) => { ${body} })(...Array.from(arguments).slice(0, -1))).then((v) => done({ ok: v }), (e) => done({ err: String(e && e.message || e) }));`, args }).then((r) => {
    if (r && 'err' in r) throw new Error(`in the page: ${r.err}`);
    return r?.ok;
  }); }
  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return v[ELEMENT];
  }
  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => e[ELEMENT]);
  }
  click(el) { return this.cmd('POST', `/element/${el}/click`, {}); }
  type(el, text) { return this.cmd('POST', `/element/${el}/value`, { text }); }
  text(el) { return this.cmd('GET', `/element/${el}/text`); }
  async screenshot(path) {
    const b64 = await this.cmd('GET', '/screenshot');
    writeFileSync(path, Buffer.from(b64, 'base64'));
  }
  delete() { return call(this.base, 'DELETE', `/session/${this.id}`); }
}

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    signal: AbortSignal.timeout(60000),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  }
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${path}: ${json.value?.error ?? res.status}: ${json.value?.message ?? text.slice(0, 200)}`);
  }
  return json.value;
}

/**
 * Makes sure the app we started (serving at `baseUrl`) is gone. WebDriver
 * normally ends it with the session; if the session's end went wrong the app
 * would be left running, so it is found by the port it listens on, checked
 * to be our binary, and sent SIGTERM (which quits it cleanly).
 */
export async function reap(baseUrl) {
  const serving = async () => {
    try {
      await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(500) });
      return true;
    } catch {
      return false;
    }
  };
  const end = Date.now() + 5000;
  while (Date.now() < end) {
    if (!(await serving())) return false;
    await sleep(100);
  }
  const port = new URL(baseUrl).port;
  const pid = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }).match(/pid=(\d+)/)?.[1];
  if (!pid) return false;
  let exe = '';
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return false;
  }
  if (!exe.endsWith('leasehold-desktop')) return false;
  console.log(`warning: the app (pid ${pid}) outlived its WebDriver session; sending it SIGTERM`);
  process.kill(Number(pid), 'SIGTERM');
  return true;
}
