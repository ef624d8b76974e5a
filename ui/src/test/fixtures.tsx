// Test helpers: a fake fetch answering by route, data shaped like the wire
// types, and a renderer that provides the app context.
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { vi } from 'vitest';
import { Api, type ComputerView, type Connection, type Event, type HostState, type Invoke, type LicenseView, type ServerStatus } from '../api';
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

export function renderWithApi(ui: ReactElement, fetchImpl: typeof fetch, extra: Partial<AppContextValue> = {}) {
  const api = new Api(conn, fetchImpl);
  const ctx: AppContextValue = { api, subscribe: () => () => {}, reportError: () => {}, notify: vi.fn(), ...extra };
  return { api, ctx, ...render(<AppContext.Provider value={ctx}>{ui}</AppContext.Provider>) };
}

/** Renders inside the desktop app: `invoke` answers its commands. */
export function renderDesktop(ui: ReactElement, invoke: Invoke, fetchImpl: typeof fetch, host: HostState = { running: true, listen: '0.0.0.0:7878' }) {
  const api = new Api({ ...conn, desktop: true, serverControl: true, host }, fetchImpl, invoke);
  const ctx: AppContextValue = { api, subscribe: () => () => {}, reportError: () => {}, notify: vi.fn() };
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
export function license(over: Partial<LicenseView> = {}): LicenseView {
  return {
    licenseId: '0f8e3a52-5a7e-4d8e-9a55-2b9cbb1f6b10', product: 'cad', seats: 10, productInUse: 3, productSeats: 10,
    customer: 'Northwind', features: ['render'], validFrom: now - 86400000, validUntil: now + 86400000 * 300, leaseSecs: 300,
    state: 'active', stateReason: null, vendorKey: 'lhk1:9f3a', addedAt: now, code: 'LHC1-AAAA-BBBB', ...over,
  };
}

export function computer(i: number, product = 'cad'): ComputerView {
  const id = `machine-${i}`;
  return {
    clientId: id, host: `ws-${i}`, address: `10.0.0.${i}`,
    leases: [{ id: `lease-${i}`, product, holder: { clientId: id, user: `user${i}`, host: `ws-${i}`, appName: 'Acme CAD', appVersion: '2025.3', address: `10.0.0.${i}:5000` }, grantedAt: now - 3600000, renewedAt: now - 10000, expiresAt: now + 290000, leaseSecs: 300 }],
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

export function event(seq: number, over: Partial<Event> = {}): Event {
  return { seq, at: now - 1000 * (100 - seq), kind: 'grant', level: 'info', product: 'cad', clientId: null, user: 'ann', host: 'ws-1', leaseId: null, licenseId: null, correlationId: null, message: `granted cad to ann@ws-1 #${seq}`, ...over };
}
