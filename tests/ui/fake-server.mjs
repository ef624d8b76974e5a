// A stand-in for `leasehold serve` until the real server lands: the same
// routes and JSON shapes (ui/src/api/openapi.json), state in memory, the built
// UI at /ui/. Like the real one it prints its admin URL as the first stdout line.
//
//   node tests/ui/fake-server.mjs [--listen 127.0.0.1:0] [--token T]
//
// License codes it accepts: `FAKE-<product>-<seats>-<customer>[-expired|-future]`.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomUUID, randomBytes } from 'node:crypto';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const [host, port] = arg('--listen', '127.0.0.1:0').split(':');
const TOKEN = arg('--token', randomBytes(16).toString('hex'));
const DIST = fileURLToPath(new URL('../../ui/dist/', import.meta.url));
const DAY = 86400000;

const startedAt = Date.now();
const state = { licenses: [], leases: new Map(), events: [], logs: [], seq: 0, logSeq: 0, mdns: true, highWater: {}, denials: [] };
const streams = new Set();

function log(level, target, message) {
  state.logs.push({ seq: ++state.logSeq, at: Date.now(), level, target, message });
  if (state.logs.length > 2000) state.logs.shift();
}
const LEVEL = { deny: 'warn', renew_after_expiry: 'warn', disconnect: 'warn', license_rejected: 'warn', reclaim: 'warn' };
function event(kind, message, about = {}) {
  const e = { seq: ++state.seq, at: Date.now(), kind, level: LEVEL[kind] ?? 'info', product: null, clientId: null, user: null, host: null, leaseId: null, licenseId: null, correlationId: null, message, ...about };
  state.events.push(e);
  for (const res of streams) res.write(`data: ${JSON.stringify(e)}\n\n`);
  return e;
}
const leaseAbout = (l) => ({ product: l.product, clientId: l.holder.clientId, user: l.holder.user, host: l.holder.host, leaseId: l.id });

function licenseState(l, now = Date.now()) {
  if (l.validUntil !== null && now > l.validUntil) return ['expired', `Expired on ${new Date(l.validUntil).toISOString().slice(0, 10)}; ask the vendor for a renewal code.`];
  if (l.validFrom !== null && now < l.validFrom) return ['notYetValid', `Starts on ${new Date(l.validFrom).toISOString().slice(0, 10)}; it counts from then.`];
  return ['active', null];
}
const productSeats = (p) => state.licenses.filter((l) => l.product === p && licenseState(l)[0] === 'active').reduce((n, l) => n + l.seats, 0);
const productInUse = (p) => [...state.leases.values()].filter((l) => l.product === p).length;
function view(l) {
  const [st, reason] = licenseState(l);
  return { ...l, state: st, stateReason: reason, productInUse: productInUse(l.product), productSeats: productSeats(l.product) };
}

class Refusal { constructor(status, code, message, extra = {}) { Object.assign(this, { status, body: { code, message, ...extra } }); } }

function parseCode(code) {
  const text = code.trim();
  const m = /^FAKE-([a-z0-9]+)-(\d+)-([A-Za-z0-9 ]+?)(?:-(expired|future))?$/.exec(text);
  if (!m) {
    if (/^FAKE-/.test(text)) throw new Refusal(400, 'license_checksum', 'group 3 (`7QX2`) has a typo (a wrong, missing or extra character); check it against the original');
    throw new Refusal(400, 'not_a_license_code', 'this is not a license code: it is too short and has no groups of letters and digits');
  }
  const now = Date.now();
  return {
    licenseId: randomUUID(), product: m[1], seats: Number(m[2]), customer: m[3], features: m[1] === 'cad' ? ['render', 'export-step'] : [],
    validFrom: m[4] === 'future' ? now + 30 * DAY : now - 90 * DAY, validUntil: m[4] === 'expired' ? now - 5 * DAY : now + 275 * DAY,
    leaseSecs: 300, vendorKey: 'lhk1:9f3a:c2e7:51b0', addedAt: now, code: text,
  };
}

function expireLeases() {
  const now = Date.now();
  for (const [id, l] of state.leases) if (l.expiresAt <= now) { state.leases.delete(id); event('expire', `lease of ${l.product} for ${l.holder.user}@${l.holder.host} expired`, leaseAbout(l)); }
}

function computers() {
  const by = new Map();
  for (const l of state.leases.values()) {
    const c = by.get(l.holder.clientId) ?? { clientId: l.holder.clientId, host: l.holder.host, address: l.holder.address, leases: [] };
    c.leases.push(l);
    by.set(l.holder.clientId, c);
  }
  return [...by.values()];
}

function status() {
  const products = [...new Set(state.licenses.map((l) => l.product))].sort().map((p) => ({
    product: p, seats: productSeats(p), inUse: productInUse(p), highWater: state.highWater[p] ?? 0,
    denialsLastHour: state.denials.filter((d) => d.product === p && d.at > Date.now() - 3600000).length,
  }));
  return {
    version: '0.1.0', serverId: SERVER_ID, serverName: 'licenses-hq', startedAt, uptimeSecs: Math.floor((Date.now() - startedAt) / 1000),
    listen: LISTEN, dataDir: '/var/lib/leasehold', adminRemote: false, connectedClients: computers().length, leases: state.leases.size,
    products, trustedKeys: [{ publicKey: 'a3f1'.repeat(16), fingerprint: 'lhk1:9f3a:c2e7:51b0', source: 'commandLine' }],
    mdns: state.mdns ? { state: 'announcing', detail: null, addresses: ['192.0.2.10'] } : { state: 'off', detail: null, addresses: [] },
  };
}

function checkout(req, address) {
  const { product, clientId, user, host = '', appName = '', appVersion = '' } = req;
  if (!product || !clientId || !user) throw new Refusal(400, 'bad_request', 'product, clientId and user are required');
  const seats = productSeats(product);
  if (!state.licenses.some((l) => l.product === product)) throw new Refusal(404, 'no_license_for_product', `this server has no license for ${product}; ask the administrator to add a license code for it`);
  const inUse = productInUse(product);
  const now = Date.now();
  const existing = [...state.leases.values()].find((l) => l.product === product && l.holder.clientId === clientId && l.holder.user === user);
  if (existing) return { lease: existing, reused: true };
  if (inUse >= seats) {
    state.denials.push({ product, at: now });
    event('deny', `refused ${product} to ${user}@${host}: all ${seats} seats in use`, { product, clientId, user, host });
    throw new Refusal(409, 'no_seat_free', `no seat of ${product} is free: all ${seats} are in use; try again in 60 s`, { seats, inUse, retryAfterSecs: 60 });
  }
  const leaseSecs = 300;
  const lease = { id: randomUUID(), product, holder: { clientId, user, host, appName, appVersion, address }, grantedAt: now, renewedAt: now, expiresAt: now + leaseSecs * 1000, leaseSecs };
  state.leases.set(lease.id, lease);
  state.highWater[product] = Math.max(state.highWater[product] ?? 0, inUse + 1);
  event('grant', `granted ${product} to ${user}@${host} (${inUse + 1} of ${seats} in use)`, leaseAbout(lease));
  return { lease, reused: false };
}
const grant = ({ lease, reused }) => ({ leaseId: lease.id, product: lease.product, clientId: lease.holder.clientId, expiresAt: lease.expiresAt, renewAfterSecs: Math.floor(lease.leaseSecs / 3), leaseSecs: lease.leaseSecs, serverTime: Date.now(), reused, signature: '00' });

// --- test hooks (not part of the real API) ----------------------------------
function seedLeases({ count, product, backdateMs = 0 }) {
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(5, '0');
    const now = Date.now() - Math.floor(Math.random() * backdateMs);
    const lease = { id: randomUUID(), product, holder: { clientId: `machine-${n}`, user: `user${i % 917}`, host: `ws-${n}`, appName: 'Acme CAD', appVersion: '2025.3', address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }, grantedAt: now, renewedAt: Date.now() - 20000, expiresAt: Date.now() + 280000, leaseSecs: 300 };
    state.leases.set(lease.id, lease);
  }
}

const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

async function handle(req, res) {
  const url = new URL(req.url, 'http://x');
  const path = url.pathname;
  const send = (status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
  const body = async () => { let t = ''; for await (const c of req) t += c; return t ? JSON.parse(t) : {}; };

  if (path === '/') { res.writeHead(302, { Location: '/ui/' }); return res.end(); }
  if (path === '/ui' || path.startsWith('/ui/')) {
    const rel = normalize(path.replace(/^\/ui\/?/, '') || 'index.html');
    if (rel.startsWith('..')) return send(404, { code: 'not_found', message: 'not found' });
    try {
      const data = await readFile(join(DIST, rel));
      res.writeHead(200, { 'Content-Type': MIME[extname(rel)] ?? 'application/octet-stream' });
      return res.end(data);
    } catch {
      return send(404, { code: 'not_found', message: 'build the UI first: npm run build' });
    }
  }
  if (path === '/healthz') { res.writeHead(200, { 'Content-Type': 'text/plain' }); return res.end('ok'); }
  const address = `${req.socket.remoteAddress?.replace(/^::ffff:/, '')}:${req.socket.remotePort}`;
  if (path === '/v1/hello') return send(200, { protocolVersion: 1, serverId: SERVER_ID, serverName: 'licenses-hq', version: '0.1.0', serverPublicKey: 'ab'.repeat(32), serverTime: Date.now() });
  if (path === '/v1/checkout' && req.method === 'POST') return send(200, grant(checkout(await body(), address)));
  let m;
  if ((m = /^\/v1\/leases\/([^/]+)\/(renew|release)$/.exec(path)) && req.method === 'POST') {
    const l = state.leases.get(m[1]);
    if (m[2] === 'release') {
      if (l) { state.leases.delete(l.id); event('release', `${l.holder.user}@${l.holder.host} released ${l.product}`, leaseAbout(l)); }
      return send(200, { leaseId: m[1], wasHeld: !!l });
    }
    if (!l) return send(404, { code: 'lease_not_found', message: `lease ${m[1]} is not known to this server; check out a new seat` });
    l.renewedAt = Date.now(); l.expiresAt = l.renewedAt + l.leaseSecs * 1000;
    return send(200, grant({ lease: l, reused: true }));
  }

  if (!path.startsWith('/admin/') && !path.startsWith('/__fake/')) return send(404, { code: 'not_found', message: 'no such route' });
  if (req.headers.authorization !== `Bearer ${TOKEN}`) { res.writeHead(401); return res.end(); }

  if (path === '/__fake/seed-leases' && req.method === 'POST') { seedLeases(await body()); return send(200, { leases: state.leases.size }); }
  if (path === '/__fake/log' && req.method === 'POST') { const b = await body(); log(b.level, b.target, b.message); return send(200, {}); }
  if (path === '/admin/v1/status') return send(200, status());
  if (path === '/admin/v1/licenses' && req.method === 'GET') return send(200, state.licenses.map(view));
  if (path === '/admin/v1/licenses' && req.method === 'POST') {
    const { code = '', dryRun = false } = await body();
    const lic = parseCode(code);
    if (state.licenses.some((l) => l.code === lic.code)) throw new Refusal(409, 'license_already_added', `this license code was already added (for ${lic.product}, ${lic.customer})`);
    if (!dryRun) { state.licenses.push(lic); event('license_added', `added ${lic.seats} seats of ${lic.product} for ${lic.customer}`, { product: lic.product, licenseId: lic.licenseId }); log('info', 'leasehold_server::licenses', `license ${lic.licenseId} added`); }
    return send(200, view(lic));
  }
  if ((m = /^\/admin\/v1\/licenses\/([^/]+)$/.exec(path)) && req.method === 'DELETE') {
    const i = state.licenses.findIndex((l) => l.licenseId === m[1]);
    if (i < 0) throw new Refusal(404, 'license_not_found', 'no license with that id on this server');
    const [l] = state.licenses.splice(i, 1);
    event('license_removed', `removed ${l.seats} seats of ${l.product} (${l.customer})`, { product: l.product, licenseId: l.licenseId });
    return send(200, { licenseId: l.licenseId, product: l.product, seatsNow: productSeats(l.product), inUse: productInUse(l.product) });
  }
  if (path === '/admin/v1/computers') return send(200, computers());
  if (path === '/admin/v1/disconnect' && req.method === 'POST') {
    const { leaseId, clientId } = await body();
    if (!leaseId && !clientId) throw new Refusal(400, 'bad_request', 'say which lease or which computer to disconnect');
    const ended = [];
    for (const l of [...state.leases.values()]) if (l.id === leaseId || l.holder.clientId === clientId) {
      state.leases.delete(l.id); ended.push(l.id);
      event('disconnect', `disconnected ${l.holder.user}@${l.holder.host} from ${l.product}`, leaseAbout(l));
    }
    return send(200, { ended });
  }
  if (path === '/admin/v1/events/stream') {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  if (path === '/admin/v1/events') {
    const q = url.searchParams;
    const after = Number(q.get('afterSeq') ?? 0), since = Number(q.get('since') ?? 0), until = Number(q.get('until') ?? Infinity);
    const kinds = q.get('kind')?.split(',');
    const limit = Number(q.get('limit') ?? 1000);
    const events = state.events.filter((e) => e.seq > after && e.at >= since && e.at <= until && (!kinds || kinds.includes(e.kind))).slice(0, limit);
    return send(200, { events, lastSeq: state.seq });
  }
  if (path === '/admin/v1/logs') {
    const after = Number(url.searchParams.get('afterSeq') ?? 0);
    return send(200, { lines: state.logs.filter((l) => l.seq > after), lastSeq: state.logSeq });
  }
  if (path === '/admin/v1/mdns' && req.method === 'PUT') { state.mdns = !!(await body()).enabled; log('info', 'leasehold_server::mdns', state.mdns ? 'announcing _leasehold._tcp' : 'mDNS announcement stopped'); return send(200, status().mdns); }
  if (path === '/admin/v1/trusted-keys') return send(200, status().trustedKeys);
  return send(404, { code: 'not_found', message: 'no such route' });
}

const SERVER_ID = randomUUID();
let LISTEN = '';
const server = createServer((req, res) => {
  handle(req, res).catch((e) => {
    if (e instanceof Refusal) {
      if (e.body.code.startsWith('license') || e.body.code === 'not_a_license_code') event('license_rejected', `refused a license code: ${e.body.message}`);
      res.writeHead(e.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(e.body));
    } else {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'internal', message: 'the server ran into a problem; its log says more' }));
    }
  });
});
server.listen(Number(port), host, () => {
  const a = server.address();
  LISTEN = `${a.address}:${a.port}`;
  event('server_start', `Leasehold 0.1.0 started, listening on ${LISTEN}`);
  log('info', 'leasehold_server', `listening on ${LISTEN}`);
  log('info', 'leasehold_server::mdns', 'announcing _leasehold._tcp on 2 interfaces');
  console.log(`http://${LISTEN}/ui/#token=${TOKEN}`);
});
setInterval(expireLeases, 1000).unref();
const stop = () => { for (const s of streams) s.end(); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 500).unref(); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
