// Where the server is and which admin token to use. The only place that knows
// how the page was opened: in the desktop app (the host hands both over), or
// in a plain browser at the server's /ui/ (token from #token=… or sign-in).
import { hostState, invokeHost, type HostInfo, type HostState } from './host';

const STORAGE_KEY = 'leasehold.adminToken';

export interface Connection {
  /** Origin of the server, without a trailing slash; '' means this page's origin. */
  baseUrl: string;
  token: string | null;
  /** Opened inside the Leasehold desktop app. */
  desktop: boolean;
  /** The host can start and stop the server (desktop app only). */
  serverControl: boolean;
  /** The desktop app's word on its embedded server (absent in a browser). */
  host?: HostState;
}

/** What the desktop app injects before the page loads. */
type HostGlobal = HostInfo;

declare global {
  interface Window {
    __LEASEHOLD__?: HostGlobal;
    __TAURI_INTERNALS__?: unknown;
  }
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

export function fromHost(h: HostGlobal): Connection {
  return {
    baseUrl: trimSlash(h.baseUrl ?? ''),
    token: h.token || null,
    desktop: h.desktop ?? true,
    serverControl: h.serverControl ?? (h.desktop ?? true),
    host: hostState(h),
  };
}

/** Reads `#token=…` once, keeps it for this tab, and takes it out of the address bar. */
function tokenFromFragment(): string | null {
  const hash = window.location.hash.replace(/^#/, '');
  if (!hash) return null;
  const params = new URLSearchParams(hash);
  const token = params.get('token');
  if (!token) return null;
  params.delete('token');
  const rest = params.toString();
  const url = window.location.pathname + window.location.search + (rest ? `#${rest}` : '');
  window.history.replaceState(null, '', url);
  return token;
}

function storedToken(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function rememberToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(STORAGE_KEY, token);
    else window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be off (private modes); the token then lives for this page only.
  }
}

/**
 * Finds the connection. In the desktop app the host injects
 * `window.__LEASEHOLD__`, or answers the Tauri command `connection`; in a
 * browser the server is this page's origin.
 */
export async function detectConnection(): Promise<Connection> {
  if (window.__LEASEHOLD__) return fromHost(window.__LEASEHOLD__);
  if (window.__TAURI_INTERNALS__) {
    try {
      return fromHost(await invokeHost<HostGlobal>('connection'));
    } catch {
      // An app without the command: fall through to the browser way.
    }
  }
  const devServer = import.meta.env.VITE_LEASEHOLD_SERVER as string | undefined;
  const fragment = tokenFromFragment();
  if (fragment) rememberToken(fragment);
  return {
    baseUrl: trimSlash(devServer ?? ''),
    token: fragment ?? storedToken(),
    desktop: false,
    serverControl: false,
  };
}

/** The address a browser would open to reach this admin UI (no token in it). */
export function adminUrlFor(conn: Connection, listen: string): string {
  if (conn.baseUrl) return `${conn.baseUrl}/ui/`;
  if (typeof window !== 'undefined' && window.location.origin.startsWith('http')) return `${window.location.origin}/ui/`;
  return `http://${listen}/ui/`;
}
