// Writes ui/src/api/openapi.json by hand from the Rust wire types, until the
// server generates the real document (`leasehold openapi > ui/src/api/openapi.json`).
// Delete this script once that command exists.
import { writeFileSync } from 'node:fs';

const int32 = { type: 'integer', format: 'int32', minimum: 0 };
const int64 = { type: 'integer', format: 'int64', minimum: 0 };
const ts = { type: 'integer', format: 'int64', example: 1767225600000 };
const uuid = { type: 'string', example: '0f8e3a52-5a7e-4d8e-9a55-2b9cbb1f6b10' };
const str = { type: 'string' };
const bool = { type: 'boolean' };
const ref = (n) => ({ $ref: `#/components/schemas/${n}` });
const nullable = (s) => (s.$ref ? { oneOf: [{ type: 'null' }, s] } : { ...s, type: [s.type, 'null'] });
const arr = (s) => ({ type: 'array', items: s });

// obj({required fields}, {optional fields}, description)
function obj(req, opt = {}, description) {
  const o = { type: 'object', required: Object.keys(req), properties: { ...req, ...opt } };
  if (description) o.description = description;
  return o;
}

const schemas = {
  ErrorBody: obj(
    { code: { ...str, description: 'Stable code, e.g. `no_seat_free`; see the README for the full list.' }, message: str },
    {
      seats: nullable({ ...int32, description: 'With `no_seat_free`: seats of the product.' }),
      inUse: nullable({ ...int32, description: 'With `no_seat_free`: seats in use.' }),
      retryAfterSecs: nullable({ ...int32, description: 'With `no_seat_free`: when to try again.' }),
      expiresAt: nullable({ ...ts, description: 'With `over_subscribed`: when the lease ends.' }),
    },
    'Every error answer: a stable machine-readable `code` and a sentence for people.',
  ),
  Hello: obj({
    protocolVersion: int32, serverId: uuid, serverName: str, version: str,
    serverPublicKey: { ...str, description: "The server's Ed25519 public key (hex) with which it signs grants." },
    serverTime: ts,
  }),
  CheckoutRequest: obj(
    { product: str, clientId: { ...str, description: 'A stable id of the computer (its machine id by default).' }, user: str },
    { host: str, appName: str, appVersion: str },
  ),
  LeaseGrant: obj({
    leaseId: uuid, product: str, clientId: str, expiresAt: ts,
    renewAfterSecs: { ...int32, description: 'Renew after this many seconds (about a third of the lease).' },
    leaseSecs: int32, serverTime: ts,
    reused: { ...bool, description: 'True when this is the lease the client already held (a reconnect).' },
    signature: str,
  }, {}, 'A granted seat, signed by the server.'),
  Released: obj({ leaseId: uuid, wasHeld: { ...bool, description: 'False when the lease was already gone (release is idempotent).' } }),
  LicenseState: { type: 'string', enum: ['active', 'expired', 'notYetValid', 'invalid'], description: "A license code's state on this server." },
  LicenseView: obj({
    licenseId: uuid, product: str, seats: int32,
    productInUse: { ...int32, description: "Seats of this code's product in use now (all codes of a product share one pool)." },
    productSeats: { ...int32, description: "Seats of this code's product counting now, summed over its codes." },
    customer: str, features: arr(str), leaseSecs: int32, state: ref('LicenseState'),
    vendorKey: { ...str, description: 'Fingerprint of the vendor key that signed it.' },
    addedAt: ts, code: str,
  }, {
    validFrom: nullable(ts), validUntil: nullable(ts),
    stateReason: nullable({ ...str, description: 'Why it is not active, in words.' }),
  }, 'One license code as the Licenses tab shows it.'),
  AddLicense: obj({ code: str }, { dryRun: { ...bool, description: 'Only check the code and show what it would add; store nothing.' } }),
  LicenseRemoved: obj({
    licenseId: uuid, product: str,
    seatsNow: { ...int32, description: 'Seats of the product counting after the removal.' },
    inUse: { ...int32, description: 'Seats in use: if more than `seatsNow`, those leases run to their end and are not renewed.' },
  }),
  Holder: obj({
    clientId: str, user: str, host: str, appName: str, appVersion: str,
    address: { ...str, description: 'The peer address of the request that checked the lease out.' },
  }),
  Lease: obj({
    id: uuid, product: str, holder: ref('Holder'), grantedAt: ts, renewedAt: ts, expiresAt: ts,
    leaseSecs: { ...int32, description: 'The lease length it was granted with; each renewal extends by this much.' },
  }),
  ComputerView: obj({ clientId: str, host: str, address: str, leases: arr(ref('Lease')) }, {}, 'Every lease of one computer.'),
  DisconnectRequest: obj({}, { leaseId: nullable(uuid), clientId: nullable(str) }),
  Disconnected: obj({ ended: arr(uuid) }),
  ProductUsage: obj({
    product: str, seats: int32, inUse: int32,
    highWater: { ...int32, description: 'Most seats in use at once since the server started.' },
    denialsLastHour: int32,
  }),
  KeySource: { type: 'string', enum: ['builtIn', 'commandLine', 'dataDir'], description: 'Where a trusted vendor key came from.' },
  TrustedKeyView: obj({ publicKey: str, fingerprint: str, source: ref('KeySource') }),
  AddTrustedKey: obj({ publicKey: str }),
  MdnsState: obj({ state: { ...str, description: '`starting`, `announcing`, `failed` or `off`.' }, addresses: { ...arr(str), description: 'The addresses clients see for this server.' } }, { detail: nullable({ ...str, description: 'Why it failed, or the last warning.' }) }),
  ServerStatus: obj({
    version: str, serverId: uuid, serverName: str, startedAt: ts, uptimeSecs: int64, listen: str,
    dataDir: str, adminRemote: bool,
    connectedClients: { ...int32, description: 'Computers holding at least one seat.' },
    leases: int32, products: arr(ref('ProductUsage')), trustedKeys: arr(ref('TrustedKeyView')),
    mdns: ref('MdnsState'),
  }),
  EventKind: {
    type: 'string',
    enum: ['grant', 'deny', 'renew_after_expiry', 'release', 'expire', 'reclaim', 'disconnect', 'license_added',
      'license_removed', 'license_rejected', 'trusted_key_added', 'server_start', 'server_stop'],
  },
  Level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] },
  Event: obj({
    seq: int64, at: ts, kind: ref('EventKind'), level: ref('Level'),
    message: { ...str, description: 'A sentence for people, e.g. "granted cad to ann@ws-12 (3 of 10 in use)".' },
  }, {
    product: nullable(str), clientId: nullable(str), user: nullable(str), host: nullable(str),
    leaseId: nullable(uuid), licenseId: nullable(uuid), correlationId: nullable(uuid),
  }, 'One recorded event.'),
  EventPage: obj({ events: arr(ref('Event')), lastSeq: { ...int64, description: 'The highest seq recorded so far.' } }),
  LogLine: obj({ seq: int64, at: ts, level: ref('Level'), target: str, message: str }),
  LogPage: obj({ lines: arr(ref('LogLine')), lastSeq: int64 }),
  SetMdns: obj({ enabled: bool }),
};

const json = (schemaName, description = 'OK') => ({
  description,
  content: { 'application/json': { schema: typeof schemaName === 'string' ? ref(schemaName) : schemaName } },
});
const err = (description) => json('ErrorBody', description);
const body = (name) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const admin = [{ bearer: [] }];
const unauthorized = { description: 'No or wrong admin token' };
const leaseIdParam = { name: 'leaseId', in: 'path', required: true, schema: uuid };
const q = (name, schema, description) => ({ name, in: 'query', required: false, schema, description });

const paths = {
  '/healthz': { get: { operationId: 'healthz', tags: ['server'], responses: { 200: { description: 'The server is up', content: { 'text/plain': { schema: str } } } } } },
  '/v1/hello': { get: { operationId: 'hello', tags: ['client'], responses: { 200: json('Hello') } } },
  '/v1/checkout': { post: { operationId: 'checkout', tags: ['client'], requestBody: body('CheckoutRequest'), responses: { 200: json('LeaseGrant'), 409: err('No seat free'), 404: err('No license for the product'), 400: err('Bad request') } } },
  '/v1/leases/{leaseId}/renew': { post: { operationId: 'renew', tags: ['client'], parameters: [leaseIdParam], responses: { 200: json('LeaseGrant'), 404: err('Lease not known'), 410: err('Lease ended') } } },
  '/v1/leases/{leaseId}/release': { post: { operationId: 'release', tags: ['client'], parameters: [leaseIdParam], responses: { 200: json('Released') } } },
  '/admin/v1/status': { get: { operationId: 'status', tags: ['admin'], security: admin, responses: { 200: json('ServerStatus'), 401: unauthorized } } },
  '/admin/v1/licenses': {
    get: { operationId: 'listLicenses', tags: ['admin'], security: admin, responses: { 200: json(arr(ref('LicenseView'))), 401: unauthorized } },
    post: { operationId: 'addLicense', tags: ['admin'], security: admin, requestBody: body('AddLicense'), responses: { 200: json('LicenseView', 'What the code adds (stored unless dryRun)'), 400: err('The code was refused'), 409: err('Already added'), 401: unauthorized } },
  },
  '/admin/v1/licenses/{licenseId}': { delete: { operationId: 'removeLicense', tags: ['admin'], security: admin, parameters: [{ name: 'licenseId', in: 'path', required: true, schema: uuid }], responses: { 200: json('LicenseRemoved'), 404: err('No such license'), 401: unauthorized } } },
  '/admin/v1/computers': { get: { operationId: 'listComputers', tags: ['admin'], security: admin, responses: { 200: json(arr(ref('ComputerView'))), 401: unauthorized } } },
  '/admin/v1/disconnect': { post: { operationId: 'disconnect', tags: ['admin'], security: admin, requestBody: body('DisconnectRequest'), responses: { 200: json('Disconnected'), 400: err('Neither leaseId nor clientId'), 401: unauthorized } } },
  '/admin/v1/events': {
    get: {
      operationId: 'listEvents', tags: ['admin'], security: admin,
      parameters: [q('afterSeq', int64, 'Only events after this seq'), q('since', ts), q('until', ts), q('kind', str, 'Comma-separated event kinds'), q('limit', int32)],
      responses: { 200: json('EventPage'), 401: unauthorized },
    },
  },
  '/admin/v1/events/stream': { get: { operationId: 'streamEvents', tags: ['admin'], security: admin, description: 'Server-sent events; each `data:` line is an Event as JSON.', responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: ref('Event') } } }, 401: unauthorized } } },
  '/admin/v1/logs': { get: { operationId: 'listLogs', tags: ['admin'], security: admin, parameters: [q('afterSeq', int64)], responses: { 200: json('LogPage'), 401: unauthorized } } },
  '/admin/v1/trusted-keys': {
    get: { operationId: 'listTrustedKeys', tags: ['admin'], security: admin, responses: { 200: json(arr(ref('TrustedKeyView'))), 401: unauthorized } },
    post: { operationId: 'addTrustedKey', tags: ['admin'], security: admin, requestBody: body('AddTrustedKey'), responses: { 200: json('TrustedKeyView'), 400: err('Not a public key'), 401: unauthorized } },
  },
  '/admin/v1/mdns': { put: { operationId: 'setMdns', tags: ['admin'], security: admin, requestBody: body('SetMdns'), responses: { 200: json('MdnsState'), 401: unauthorized } } },
};

const doc = {
  openapi: '3.1.0',
  info: { title: 'Leasehold', description: 'Floating-license server: client protocol (/v1) and admin API (/admin/v1). Hand-written from the Rust wire types until `leasehold openapi` exists.', license: { name: 'proprietary' }, version: '0.1.0' },
  paths,
  components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
};
writeFileSync(new URL('../src/api/openapi.json', import.meta.url), JSON.stringify(doc, null, 2) + '\n');
