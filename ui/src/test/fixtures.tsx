// Test helpers: a fake fetch answering by route, data shaped like the wire
// types, and a renderer that provides the app context.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { vi } from 'vitest';
import { Api, type ComputersPage, type Connection, type Event, type HostState, type Invoke, type LicenseView, type PolicyStatus, type PrecedenceStep, type SeatRow, type ServerStatus, type SessionView } from '../api';
import { AppContext, type AppContextValue } from '../hooks';

export const conn: Connection = { baseUrl: 'http://srv:7878', token: 'tok', desktop: false, serverControl: false };

type Route = (req: { url: URL; method: string; body: unknown; headers: Record<string, string> }) => Response | Promise<Response> | 'network';

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A fetch that answers `METHOD /path` from `routes`; anything else is a 404. */
export function fakeFetch(routes: Record<string, Route>) {
  return vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const route = routes[`${method} ${url.pathname}`];
    if (!route) return json({ code: 'not_found', message: 'no such route' }, 404);
    const r = await route({ url, method, body: init?.body ? JSON.parse(String(init.body)) : undefined, headers: (init?.headers ?? {}) as Record<string, string> });
    if (r === 'network') throw new TypeError('Failed to fetch');
    return r;
  });
}

/**
 * Renders `ui` in the app's context; signed in as the local admin unless
 * `extra.me` says otherwise (`me: undefined`: the session has not answered yet).
 */
export function renderWithApi(ui: ReactElement, fetchImpl: typeof fetch, extra: Partial<AppContextValue> = {}) {
  const api = new Api(conn, fetchImpl);
  const ctx: AppContextValue = { api, subscribe: () => () => {}, reportError: () => {}, notify: vi.fn(), showTab: vi.fn(), offline: false, me: session(), ...extra };
  return { api, ctx, ...render(<AppContext.Provider value={ctx}>{ui}</AppContext.Provider>) };
}

/** Renders inside the desktop app: `invoke` answers its commands. */
export function renderDesktop(ui: ReactElement, invoke: Invoke, fetchImpl: typeof fetch, host: HostState = { running: true, listen: '0.0.0.0:7878' }) {
  const api = new Api({ ...conn, desktop: true, serverControl: true, host }, fetchImpl, invoke);
  const ctx: AppContextValue = { api, subscribe: () => () => {}, reportError: () => {}, notify: vi.fn(), showTab: vi.fn(), offline: false, me: session() };
  return { api, ctx, ...render(<AppContext.Provider value={ctx}>{ui}</AppContext.Provider>) };
}

/** A fake `invoke` answering by command name; a thrown value is the host's refusal. */
export function fakeInvoke(commands: Record<string, (args?: Record<string, unknown>) => unknown>) {
  return vi.fn(async (cmd: string, args?: Record<string, unknown>) => {
    const c = commands[cmd];
    if (!c) throw { code: 'unknown_command', message: `no command ${cmd}` };
    return c(args);
  }) as unknown as Invoke & ReturnType<typeof vi.fn>;
}

const now = Date.now();
const DAY = 86_400_000;
/** The UTC day `ms` falls in, as the server writes days. */
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export function license(over: Partial<LicenseView> = {}): LicenseView {
  // Valid from yesterday through its last day 299 days on (validUntil: the midnight after it).
  const first = Math.floor(now / DAY) * DAY - DAY;
  return {
    licenseId: '0f8e3a52-5a7e-4d8e-9a55-2b9cbb1f6b10', product: 'cad', seats: 10, productInUse: 3, productSeats: 10,
    customer: 'Northwind', features: ['render'], validFrom: first, validUntil: first + 301 * DAY, leaseSecs: 300,
    firstDay: isoDay(first), lastDay: isoDay(first + 300 * DAY), daysLeft: 299, expiringSoon: false,
    state: 'active', stateReason: null, vendorKey: 'lhk1:9f3a', addedAt: now, code: 'LHC1-AAAA-BBBB', ...over,
  };
}

export function seat(i: number, product = 'cad', computerSeats = 1): SeatRow {
  const id = `machine-${i}`;
  return {
    computerSeats,
    lease: { id: `lease-${i}`, product, holder: { clientId: id, user: `user${i}`, host: `ws-${i}`, appName: 'Acme CAD', appVersion: '2025.3', address: `10.0.0.${i}:5000` }, grantedAt: now - 3600000, renewedAt: now - 10000, expiresAt: now + 290000, leaseSecs: 300 },
  };
}

/** A server's Computers list over `all`: searched by `text`, paged by `limit` and `cursor` (an offset here). */
export function seatServer(all: SeatRow[]) {
  return ({ url }: { url: URL }): Response => {
    const q = url.searchParams;
    const words = (q.get('text') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const h = (r: SeatRow) => `${r.lease.holder.host} ${r.lease.holder.user} ${r.lease.product}`.toLowerCase();
    const matching = all.filter((r) => words.every((w) => h(r).includes(w)));
    if (q.get('order') === 'desc') matching.reverse();
    const from = Number(q.get('cursor') ?? 0);
    const limit = Number(q.get('limit') ?? 200);
    const rows = matching.slice(from, from + limit);
    const page: ComputersPage = {
      rows, matching: matching.length, seats: all.length, computers: new Set(all.map((r) => r.lease.holder.clientId)).size,
      nextCursor: from + limit < matching.length ? String(from + limit) : undefined, asOf: now,
    };
    return json(page);
  };
}

export function status(over: Partial<ServerStatus> = {}): ServerStatus {
  return {
    version: '0.1.0', serverId: '0f8e3a52-5a7e-4d8e-9a55-2b9cbb1f6b10', serverName: 'licenses-hq', startedAt: now - 7200000, uptimeSecs: 7200,
    listen: '0.0.0.0:7878', dataDir: '/var/lib/leasehold', adminRemote: false, connectedClients: 2, leases: 3,
    products: [{ product: 'cad', seats: 10, inUse: 3, highWater: 5, denialsLastHour: 1 }],
    trustedKeys: [{ publicKey: 'ab', fingerprint: 'lhk1:9f3a', source: 'builtIn' }],
    mdns: { state: 'announcing', detail: null, addresses: ['192.0.2.10'] }, ...over,
  };
}

/**
 * Who is signed in: by default the local admin, through the data directory's
 * token. `dataDirToken` follows who it is (a token of the local admin) unless
 * `over` says it.
 */
export function session(over: Partial<SessionView> = {}): SessionView {
  const who: SessionView = { account: 'admin', role: 'admin', by: 'token', localAdmin: true, hasPassword: false, ...over };
  return { dataDirToken: who.by === 'token' && who.localAdmin, ...who };
}

export function event(seq: number, over: Partial<Event> = {}): Event {
  return { seq, at: now - 1000 * (100 - seq), kind: 'grant', level: 'info', product: 'cad', clientId: null, user: 'ann', host: 'ws-1', leaseId: null, licenseId: null, correlationId: null, message: `granted cad to ann@ws-1 #${seq}`, ...over };
}

/** The order of precedence as the server sends it. */
export const PRECEDENCE: PrecedenceStep[] = [
  { step: 1, rule: 'exclude', effect: 'A matching exclude entry denies, even when the include list names the requester too.', code: 'excluded_by_policy' },
  { step: 2, rule: 'include', effect: 'When the product has an include list and no entry matches, denied.', code: 'excluded_by_policy' },
  { step: 3, rule: 'max', effect: "A matching max rule whose subject already holds its seats of the product denies (a group's members count together).", code: 'user_limit_reached' },
  { step: 4, rule: 'reserve', effect: 'A requester covered by a reservation with a seat unused takes it. Else the unused seats of every reservation it is not covered by are set aside, and when no free seat is left, denied.', code: 'seats_reserved' },
  { step: 5, rule: 'licence', effect: 'Otherwise the licence decides: a free seat is granted, none free is no_seat_free.' },
];

export const POLICY_FILE = '/var/lib/leasehold/policy.toml';
export const POLICY_TEXT = `[groups]
cad-core = { users = ["alice", "bob"] }

[products.cad]
exclude = ["user:mallory"]
reserve = [{ seats = 3, for = "group:cad-core" }]
`;

/** A policy in force: one group, cad with an exclude and a reserve rule. */
export function policyStatus(over: Partial<PolicyStatus> = {}): PolicyStatus {
  const at = (line: number) => `(${POLICY_FILE}:${line})`;
  return {
    policy: {
      file: POLICY_FILE,
      groups: [{ name: 'cad-core', line: 2, users: ['alice', 'bob'], hosts: [] }],
      products: [{
        product: 'cad', line: 4, keepUnborrowed: 0,
        rules: [
          { kind: 'exclude', subject: 'user:mallory', line: 5, text: `exclude user:mallory ${at(5)}` },
          { kind: 'reserve', subject: 'group:cad-core', seats: 3, line: 6, text: `reserve 3 for group:cad-core ${at(6)}` },
        ],
      }],
      precedence: PRECEDENCE,
    },
    text: POLICY_TEXT,
    loadedAt: now - 60_000,
    ...over,
  };
}

/** No policy: the server's answer before any policy.toml. */
export function noPolicy(): PolicyStatus {
  return { policy: { file: '', groups: [], products: [], precedence: PRECEDENCE }, text: '' };
}
