// The License Mode settings of this computer's Leasehold client. They live in
// the client's settings file, which only the desktop app can read and write;
// the shape below is provisional until leasehold-client defines the file (then
// generate it like the rest). One place to wire: `loadClientSettings`.
import type { Api } from './client';
import { toApiError } from './errors';
import type { Hello } from './types';

export type ClientMode = 'standalone' | 'network';

export interface ClientSettings {
  mode: ClientMode;
  /** Find servers by mDNS (true) or use `servers` in order (false). */
  discover: boolean;
  /** host:port entries, tried in order. */
  servers: string[];
}

export interface ClientSettingsAccess {
  settings: ClientSettings;
  /** False in a browser: shown, not changed. */
  writable: boolean;
  /** Why it is read-only, in words. */
  note?: string;
}

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = { mode: 'network', discover: true, servers: [] };

export async function loadClientSettings(api: Api): Promise<ClientSettingsAccess> {
  if (api.conn.desktop) {
    // Wire here: `invoke('client_settings')` once the desktop app has it.
  }
  return {
    settings: DEFAULT_CLIENT_SETTINGS,
    writable: false,
    note: 'Changing how this computer finds its license is available in the Leasehold desktop app. A browser can only show the defaults.',
  };
}

export interface ConnectionTest {
  ok: boolean;
  target: string;
  /** What answered, when something did. */
  hello?: Hello;
  message: string;
  elapsedMs: number;
}

/** Checks that a Leasehold server answers. In a browser, only the server of this page can be asked. */
export async function testServer(api: Api): Promise<ConnectionTest> {
  const target = api.conn.baseUrl || window.location.host;
  const t0 = performance.now();
  try {
    const hello = await api.hello();
    const elapsedMs = Math.round(performance.now() - t0);
    return {
      ok: true, target, hello, elapsedMs,
      message: `Found “${hello.serverName}”, Leasehold ${hello.version} (protocol ${hello.protocolVersion}), in ${elapsedMs} ms.`,
    };
  } catch (e) {
    return { ok: false, target, message: toApiError(e).message, elapsedMs: Math.round(performance.now() - t0) };
  }
}
