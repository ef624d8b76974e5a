// End-to-end test of the real desktop window under Xvfb: tauri-driver starts
// the debug app on a temporary data directory, on a port the test holds, so
// the app starts with a port conflict. The test checks that the embedded
// server answers, the Server tab names the conflict and moves the server with
// its dialog, the Licenses tab renders, a code can be added through the UI,
// Stop and Start work from the Server tab's buttons, License Mode tests the
// embedded server and saves the client settings file, and that ending the
// session ends the app with a clean server shutdown.
//
// A second session plays the Leasehold service: `leasehold serve` runs on its
// own data directory and the app is started with LEASEHOLD_SERVICE_DATA_DIR
// pointing there. The app must attach (no server, no database of its own),
// say so in the Server tab, and add a license that the service then holds.
//
// Network safety: LEASEHOLD_NO_DISCOVERY=1 and LEASEHOLD_NO_MDNS=1, and only
// the embedded server's loopback address is ever tested; nothing browses.
//
// Run with scripts/desktop-e2e.sh (it builds what is needed and provides Xvfb).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, CLI, ROOT, Session, reap, startDriver, tempDir, vendorLicense, waitFor, sleep } from './webdriver.mjs';

const SHOTS = join(ROOT, 'artifacts/screenshots');
const results = [];
let failedHard = false;

async function check(name, fn) {
  if (failedHard) {
    results.push({ name, ok: false, why: 'skipped after an earlier failure' });
    console.log(`not ok - ${name} (skipped)`);
    return undefined;
  }
  const t0 = performance.now();
  try {
    const v = await fn();
    results.push({ name, ok: true });
    console.log(`ok - ${name} (${Math.round(performance.now() - t0)} ms)`);
    return v;
  } catch (e) {
    results.push({ name, ok: false, why: e.message });
    console.log(`not ok - ${name}\n    ${e.message.replaceAll('\n', '\n    ')}`);
    return undefined;
  }
}

function must(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function healthy(baseUrl) {
  try {
    const r = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

const tmp = tempDir('leasehold-desktop-e2e-');
const dataDir = join(tmp.dir, 'data');
mkdirSync(dataDir);
mkdirSync(SHOTS, { recursive: true });
const vendor = vendorLicense(tmp.dir, { product: 'cad', seats: 5, customer: 'Acme Drafting' });
const clientConfig = join(tmp.dir, 'client-config', 'client.toml');
// Another program on the port the app is told to use.
const squatter = createServer();
await new Promise((r) => squatter.listen(0, '127.0.0.1', r));
const takenPort = squatter.address().port;
const env = {
  LEASEHOLD_DATA_DIR: dataDir,
  LEASEHOLD_NO_MDNS: '1',
  LEASEHOLD_NO_DISCOVERY: '1',
  LEASEHOLD_CLIENT_CONFIG: clientConfig,
  LEASEHOLD_LISTEN: `127.0.0.1:${takenPort}`,
  LEASEHOLD_TRUST: vendor.publicKey,
};

/** The first button inside `scope` whose text starts with `label`. */
async function button(session, scope, label) {
  for (const b of await session.findAll(`${scope} button`)) {
    if ((await session.text(b)).trim().startsWith(label)) return b;
  }
  return undefined;
}

/** Adds `vendor.code` through the Licenses tab's dialog and waits for its row. */
async function addLicenseInUi(session, shot) {
  await session.click(await session.find('#tab-licenses'));
  const add = await waitFor('the Add license code button', () => button(session, '#panel-licenses', 'Add license code'));
  await session.click(add);
  const input = await waitFor('the code field', () => session.find('#license-code'));
  await session.type(input, vendor.code);
  const confirm = await waitFor('the Add button to say what it adds', async () => {
    for (const b of await session.findAll('.dialog button, [role="dialog"] button')) {
      if ((await session.text(b)).startsWith('Add 5 seats of cad')) return b;
    }
    return undefined;
  });
  if (shot) await session.screenshot(shot);
  await session.click(confirm);
  await waitFor('the table to show the license', async () => {
    const rows = await session.findAll('#panel-licenses table tbody tr');
    for (const r of rows) if ((await session.text(r)).includes('cad')) return true;
    return false;
  });
}

async function panelText(session, tab) {
  try {
    return await session.text(await session.find(`#panel-${tab}`));
  } catch {
    return '';
  }
}

let driver;
let session;
let conn;
let firstApp;
try {
  driver = await startDriver(env);

  session = await check('the app starts and opens its window', async () => {
    must(existsSync(APP), `no app binary at ${APP}`);
    const s = await Session.create(driver.base, APP);
    await waitFor('the window title', async () => (await s.title()) === 'Leasehold', 15000);
    return s;
  });
  if (!session) failedHard = true;

  conn = await check('the window is handed its server address and admin token', async () => {
    const c = await session.exec('return window.__LEASEHOLD__;');
    must(c && c.desktop === true && c.serverControl === true && c.canStartStop === true, `unexpected connection ${JSON.stringify(c)}`);
    must(/^http:\/\/127\.0\.0\.1:\d+$/.test(c.baseUrl), `baseUrl ${c.baseUrl}`);
    must(typeof c.token === 'string' && c.token.length >= 16, 'no admin token');
    must(c.portConflict && c.portConflict.wanted === takenPort && String(c.portConflict.got) === c.baseUrl.split(':').pop(), `expected a conflict on ${takenPort}, got ${JSON.stringify(c.portConflict)}`);
    const fromCommand = await session.exec("return window.__TAURI_INTERNALS__.invoke('connection');");
    must(fromCommand.baseUrl === c.baseUrl && fromCommand.token === c.token && fromCommand.running === true, `the connection command says ${JSON.stringify(fromCommand)}`);
    return c;
  });
  if (!conn) failedHard = true;

  await check('the embedded server answers /healthz at the address in its data directory', async () => {
    const written = readFileSync(join(dataDir, 'listen-address'), 'utf8').trim();
    must(`http://${written}` === conn.baseUrl, `listen-address ${written} vs ${conn.baseUrl}`);
    const r = await fetch(`${conn.baseUrl}/healthz`);
    must(r.ok, `GET /healthz: ${r.status}`);
  });

  await check('the Licenses tab renders, with its empty state', async () => {
    const tab = await session.find('#tab-licenses');
    must((await session.text(tab)).includes('Licenses'), 'no Licenses tab');
    await waitFor('the Licenses panel to show its add button', async () => {
      const buttons = await session.findAll('#panel-licenses button');
      for (const b of buttons) if ((await session.text(b)).includes('Add license code')) return true;
      return false;
    });
    await session.screenshot(join(SHOTS, 'desktop-licenses-empty.png'));
  });

  await check('a license code can be added in the UI', async () => {
    await addLicenseInUi(session, join(SHOTS, 'desktop-add-license.png'));
    const api = await fetch(`${conn.baseUrl}/admin/v1/licenses`, { headers: { Authorization: `Bearer ${conn.token}` } });
    must(api.ok, `GET licenses: ${api.status}`);
    const list = await api.json();
    must(list.length === 1 && list[0].product === 'cad' && list[0].seats === 5, `the server has ${JSON.stringify(list)}`);
    await sleep(300); // let the dialog's closing transition end before the picture
    await session.screenshot(join(SHOTS, 'desktop-licenses.png'));
  });

  await check('the Server tab names the port conflict', async () => {
    await session.click(await session.find('#tab-server'));
    const text = await waitFor('the conflict notice', async () => {
      const t = await panelText(session, 'server');
      return t.includes('was in use by another program') && t;
    });
    const got = conn.portConflict.got;
    must(text.includes(`Port ${takenPort} was in use by another program; Leasehold is listening on ${got}. Clients configured for ${takenPort} won’t find it.`), `the notice says: ${text.slice(0, 400)}`);
    await sleep(200);
    await session.screenshot(join(SHOTS, 'desktop-server-port-conflict.png'));
  });

  await check('the port dialog explains a refused port, then moves the server to the freed one', async () => {
    await session.click(await button(session, '#panel-server', 'Use another port'));
    const input = await waitFor('the port field', () => session.find('#server-port'));
    must((await session.exec('return document.getElementById("server-port").value;')) === String(takenPort), 'the field does not suggest the wanted port');
    await session.click(await button(session, '[role="dialog"]', 'Use this port'));
    const said = await waitFor('the refusal in the dialog', async () => {
      const t = await session.text(await session.find('[role="dialog"]'));
      return t.includes('is in use by another program') && t;
    });
    must(said.includes(`Port ${takenPort} is in use by another program; choose another port.`), `the dialog says: ${said}`);
    await sleep(200); // let the webview paint the message before the picture
    await session.screenshot(join(SHOTS, 'desktop-port-dialog-refused.png'));
    must(await healthy(conn.baseUrl), 'a refused move stopped the server');
    await new Promise((r) => squatter.close(r));
    must(input, 'no input');
    await session.click(await button(session, '[role="dialog"]', 'Use this port'));
    const moved = `http://127.0.0.1:${takenPort}`;
    await waitFor('the server on the freed port', () => healthy(moved));
    await waitFor('the notice to go', async () => {
      const t = await panelText(session, 'server');
      return t.includes('Running') && !t.includes('was in use by another program');
    });
    const c = await session.exec('return window.__LEASEHOLD__;');
    must(c.baseUrl === moved && !c.portConflict && c.token === conn.token, `after the move: ${JSON.stringify(c)}`);
    conn = c;
    await sleep(300);
    await session.screenshot(join(SHOTS, 'desktop-server.png'));
  });

  await check('Stop and Start from the Server tab stop and start the embedded server', async () => {
    await session.click(await waitFor('the Stop button', () => button(session, '#panel-server', 'Stop server')));
    await session.click(await waitFor('the confirmation', () => button(session, '[role="dialog"]', 'Stop server')));
    await waitFor('the stopped state', async () => (await panelText(session, 'server')).includes('The license server is stopped'));
    must(!(await healthy(conn.baseUrl)), 'the server still answers after Stop');
    const c = await session.exec("return window.__TAURI_INTERNALS__.invoke('connection');");
    must(c.running === false, `the app says ${JSON.stringify(c)}`);
    await sleep(300);
    await session.screenshot(join(SHOTS, 'desktop-server-stopped.png'));
    await session.click(await button(session, '#panel-server', 'Start server'));
    await waitFor('the server to answer again', () => healthy(conn.baseUrl));
    await waitFor('the running state', async () => {
      const t = await panelText(session, 'server');
      return t.includes('Running') && t.includes('Stop server');
    });
    const after = await session.exec('return window.__LEASEHOLD__;');
    must(after.running === true && after.baseUrl === conn.baseUrl, `after Start: ${JSON.stringify(after)}`);
  });

  await check('License Mode tests the embedded server and saves the settings file', async () => {
    const address = conn.baseUrl.replace('http://', '');
    const hello = await (await fetch(`${conn.baseUrl}/v1/hello`)).json();
    await session.click(await session.find('#tab-mode'));
    await session.click(await waitFor('the mode choice', () => session.find('#mode-standalone')));
    await waitFor('the standalone form', () => session.find('#license-file'));
    // A floating code is not a standalone license: the check says so (the
    // vendor key is known to the app through LEASEHOLD_TRUST).
    const floating = join(tmp.dir, 'floating.lic');
    writeFileSync(floating, `${vendor.code}\n`);
    await session.type(await session.find('#license-file'), floating);
    await session.click(await session.find('#save-settings'));
    const said = await waitFor('the license check', async () => {
      const t = await panelText(session, 'mode');
      return t.includes('This license cannot be used') && t;
    });
    must(said.includes('floating license'), `the check says: ${said.slice(0, 600)}`);
    must(/mode = "standalone"/.test(readFileSync(clientConfig, 'utf8')), 'standalone was not saved');
    await sleep(200);
    await session.screenshot(join(SHOTS, 'desktop-license-mode-standalone.png'));
    await session.click(await session.find('#mode-network'));
    await session.click(await waitFor('the discovery switch', () => session.find('#auto-discover')));
    await session.type(await session.find('#server-address'), address);
    await session.click(await session.find('#add-server'));
    await session.click(await waitFor('the Test button', async () => {
      const b = await session.find('#test-connection');
      return (await session.exec('return !document.getElementById("test-connection").disabled;')) && b;
    }));
    const result = await waitFor('the test result', async () => {
      const t = await session.text(await session.find('#panel-mode .test-result'));
      return t.includes('Connected') && t;
    });
    must(result.includes(`Found “${hello.serverName}”`) && result.includes(address), `the test says: ${result}`);
    await session.click(await session.find('#save-settings'));
    const text = await waitFor('the settings file to say network', () => {
      const t = readFileSync(clientConfig, 'utf8');
      return t.includes('network') && t;
    });
    must(/mode = "network"/.test(text) && text.includes(`"${address}"`) && /auto = false/.test(text), `client.toml says:\n${text}`);
    await waitFor('the Saved badge', async () => (await panelText(session, 'mode')).includes('Saved'));
    await sleep(200);
    await session.screenshot(join(SHOTS, 'desktop-license-mode.png'));
  });

  await check('a refused port change names the error and keeps serving', async () => {
    const port = Number(conn.baseUrl.split(':').pop());
    const err = await session.exec("try { await window.__TAURI_INTERNALS__.invoke('server_restart_on_port', { port: arguments[0] }); return null; } catch (e) { return e; }", port);
    // Our own port is taken by ourselves: the move is refused with a code.
    must(err && err.code === 'port_in_use' && /in use/.test(err.message), `got ${JSON.stringify(err)}`);
    must(await healthy(conn.baseUrl), 'the server stopped answering');
  });

  await check('ending the session ends the app and its server', async () => {
    // WebKitWebDriver kills the app (SIGKILL): no clean stop is possible here;
    // the SIGTERM check below covers the clean way out.
    await session.delete();
    session = undefined;
    await waitFor('the server to stop answering', async () => !(await healthy(conn.baseUrl)), 10000, 100);
  });

  await check('a second start hands over to the running app and exits', async () => {
    must(process.env.DBUS_SESSION_BUS_ADDRESS, 'no D-Bus session bus: run under dbus-run-session (scripts/desktop-e2e.sh does)');
    const appEnv = { ...process.env, ...env, RUST_LOG: 'warn' };
    const first = spawn(APP, [], { env: appEnv, stdio: 'ignore' });
    try {
      const url = await waitFor('the first instance to serve', async () => {
        const a = readFileSync(join(dataDir, 'listen-address'), 'utf8').trim();
        return (await healthy(`http://${a}`)) && `http://${a}`;
      }, 15000, 100);
      const second = spawn(APP, [], { env: appEnv, stdio: 'ignore' });
      const code = await Promise.race([new Promise((r) => second.once('exit', r)), sleep(10000).then(() => 'still running')]);
      if (code === 'still running') second.kill('SIGKILL');
      must(code === 0, `the second instance ended with ${code}`);
      must(first.exitCode === null && (await healthy(url)), 'the first instance stopped serving');
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const list = await (await fetch(`${url}/admin/v1/licenses`, { headers: { Authorization: `Bearer ${token}` } })).json();
      must(list.length === 1 && list[0].product === 'cad', `after the kill the server has ${JSON.stringify(list)}`);
    } finally {
      firstApp = first;
    }
  });

  await check('SIGTERM quits the app with a clean server stop', async () => {
    must(firstApp && firstApp.exitCode === null, 'no running app to stop');
    const exited = new Promise((r) => firstApp.once('exit', (code, signal) => r(signal ?? code)));
    // The app watches for signals before its server starts (src-tauri
    // signals.rs), so a SIGTERM as soon as the server answers quits cleanly.
    firstApp.kill('SIGTERM');
    const how = await Promise.race([exited, sleep(8000).then(() => 'still running')]);
    must(how === 0, `the app ended with ${how}`);
    must(!existsSync(join(dataDir, 'listen-address')), 'listen-address is left behind: the server did not stop cleanly');
  });
} catch (e) {
  results.push({ name: 'test harness', ok: false, why: e.message });
  console.log(`not ok - test harness\n    ${e.message}`);
} finally {
  if (session) await session.delete().catch(() => {});
  if (firstApp && firstApp.exitCode === null) firstApp.kill('SIGKILL');
  if (driver) await driver.stop();
  if (conn) await reap(conn.baseUrl); // cleanup only: the session check above already judged it
  if (results.some((r) => !r.ok) && driver) console.log(`--- tauri-driver output ---\n${driver.log().slice(-4000)}`);
  if (squatter.listening) squatter.close();
}

// --- The app as the console of a running service ---------------------------
failedHard = false;
const svcDir = join(tmp.dir, 'svc');
const appDir = join(tmp.dir, 'app-data');
mkdirSync(svcDir);
mkdirSync(appDir);
let service;
let svcUrl;
let attachedDriver;
let attachedSession;
try {
  svcUrl = await check('a headless server runs as "the service"', async () => {
    service = spawn(CLI, ['serve', '--listen', '127.0.0.1:0', '--no-mdns', '--data-dir', svcDir, '--trust', vendor.publicKey, '--name', 'e2e-service'], {
      env: { ...process.env, RUST_LOG: 'warn' },
      stdio: 'ignore',
    });
    return waitFor('the service to answer', async () => {
      if (service.exitCode !== null) throw new Error(`leasehold serve exited with ${service.exitCode}`);
      const a = readFileSync(join(svcDir, 'listen-address'), 'utf8').trim();
      return (await healthy(`http://${a}`)) && `http://${a}`;
    }, 15000, 100);
  });
  if (!svcUrl) failedHard = true;
  const svcToken = svcUrl ? readFileSync(join(svcDir, 'admin-token'), 'utf8').trim() : '';

  attachedSession = await check('the app started beside the service attaches to it', async () => {
    attachedDriver = await startDriver({
      LEASEHOLD_DATA_DIR: appDir,
      LEASEHOLD_NO_MDNS: '1',
      LEASEHOLD_NO_DISCOVERY: '1',
      LEASEHOLD_CLIENT_CONFIG: clientConfig,
      LEASEHOLD_LISTEN: '127.0.0.1:0',
      LEASEHOLD_SERVICE_DATA_DIR: svcDir,
    });
    const s = await Session.create(attachedDriver.base, APP);
    await waitFor('the window title', async () => (await s.title()) === 'Leasehold', 15000);
    const c = await s.exec('return window.__LEASEHOLD__;');
    const hello = await (await fetch(`${svcUrl}/v1/hello`)).json();
    must(c && c.attached && c.attached.dataDir === svcDir && c.attached.manager === 'none' && c.attached.version === hello.version,
      `window.__LEASEHOLD__.attached is ${JSON.stringify(c && c.attached)}`);
    must(c.baseUrl === svcUrl && c.token === svcToken && c.running === true && !c.error && c.canInstallService === false,
      `the connection is ${JSON.stringify({ ...c, token: c.token === svcToken ? 'the service’s' : c.token })}`);
    return s;
  });
  if (!attachedSession) failedHard = true;

  await check('the Server tab says the window is the service’s console', async () => {
    const s = attachedSession;
    await s.click(await waitFor('the Server tab', () => s.find('#tab-server')));
    const text = await waitFor('the attached notice and the status', async () => {
      const t = await panelText(s, 'server');
      return t.includes('This window is the console') && t.includes('Running') && t;
    });
    must(text.includes(`This window is the console of the Leasehold service on this computer (no service manager, data in ${svcDir}).`), `the Server tab says: ${text.slice(0, 600)}`);
    must(text.includes('e2e-service') && !text.includes('Install as a service'), `the Server tab says: ${text.slice(0, 600)}`);
  });

  await check('a license added in the window is held by the service', async () => {
    await addLicenseInUi(attachedSession);
    const r = await fetch(`${svcUrl}/admin/v1/licenses`, { headers: { Authorization: `Bearer ${svcToken}` } });
    must(r.ok, `GET licenses from the service: ${r.status}`);
    const list = await r.json();
    must(list.length === 1 && list[0].product === 'cad' && list[0].customer === 'Acme Drafting', `the service has ${JSON.stringify(list)}`);
    const s = attachedSession;
    await s.click(await s.find('#tab-server'));
    await waitFor('the Server tab to count the seats of cad', async () => {
      const t = await panelText(s, 'server');
      return t.includes('This window is the console') && t.includes('0 of 5');
    });
    await sleep(300);
    await s.screenshot(join(SHOTS, 'desktop-attached.png'));
  });

  await check('the app has no server and no database of its own', async () => {
    must(!existsSync(join(appDir, 'leasehold.db')), `${appDir} has a database`);
    must(!existsSync(join(appDir, 'listen-address')), `${appDir} has a listen-address`);
  });

  await check('Stop on a service with no manager is refused in words, and the service keeps running', async () => {
    const s = attachedSession;
    const c = await s.exec("return window.__TAURI_INTERNALS__.invoke('server_stop');");
    must(c.running === true && c.error && c.error.code === 'service_unsupported', `server_stop answered ${JSON.stringify({ ...c, token: undefined })}`);
    must(await healthy(svcUrl), 'the service stopped answering');
    const text = await waitFor('the refusal in the Server tab', async () => {
      const t = await panelText(s, 'server');
      return t.includes('This app cannot control the service here') && t;
    });
    must(text.includes('Running'), `the Server tab says: ${text.slice(0, 600)}`);
  });

  await check('ending the session leaves the service running', async () => {
    await attachedSession.delete();
    attachedSession = undefined;
    await sleep(500);
    must(await healthy(svcUrl), 'the service stopped with the app');
  });
} catch (e) {
  results.push({ name: 'attached test harness', ok: false, why: e.message });
  console.log(`not ok - attached test harness\n    ${e.message}`);
} finally {
  if (attachedSession) await attachedSession.delete().catch(() => {});
  if (attachedDriver) {
    if (results.some((r) => !r.ok)) console.log(`--- tauri-driver output (attached) ---\n${attachedDriver.log().slice(-4000)}`);
    await attachedDriver.stop();
  }
  if (service && service.exitCode === null) {
    const exited = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    if ((await Promise.race([exited, sleep(5000).then(() => 'still running')])) === 'still running') service.kill('SIGKILL');
  }
  tmp.remove();
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`\ndesktop e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
