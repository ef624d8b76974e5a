// License Mode: this computer's Leasehold client settings (`client.toml`, the
// file leasehold-client reads). Only the desktop app can read and write it,
// through its commands; the shapes are generated from src-tauri's types
// (client_settings.rs, leasehold-client's `FoundServer`) into host-schema.d.ts.
import type { Api } from './client';
import { toApiError } from './errors';
import type { components } from './host-schema';
import type { Hello } from './types';

type S = components['schemas'];
export type ClientSettings = S['ClientSettings'];
export type ClientMode = ClientSettings['mode'];
/** A standalone license file as the client would judge it on this computer. */
export type LicenseCheck = S['LicenseCheck'];
export type ClientSettingsView = S['SettingsView'];
/** A server seen on the network (leasehold-client's `FoundServer`). */
export type FoundServer = S['FoundServer'];
/** What a server said to hello. */
export type TestedServer = S['TestedServer'];

export const DEFAULT_CLIENT_SETTINGS: ClientSettings = { mode: 'network', auto: true, servers: [] };

export const clientSettings = (api: Api) => api.host<ClientSettingsView>('client_settings_get');
export const saveClientSettings = (api: Api, settings: ClientSettings, replaceInvalid = false) =>
  api.host<ClientSettingsView>('client_settings_set', { settings, replaceInvalid });
export const discoverServers = (api: Api, timeoutSecs = 3) => api.host<FoundServer[]>('client_discover', { timeoutSecs });
/** Asks the server at `address` who it is; an `https://` one must show a certificate of `tlsFingerprints` (none: one the system trusts). */
export const testClientConnection = (api: Api, address: string, tlsFingerprints: string[] = []) =>
  api.host<TestedServer>('client_test_connection', { address, tlsFingerprints });

export interface ConnectionTest {
  ok: boolean;
  target: string;
  /** What answered, when something did. */
  hello?: Hello;
  message: string;
  elapsedMs: number;
}

/** In a browser: checks that the server of this page answers. */
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

/**
 * `host`, `host:port`, `[v6]:port`, each optionally after `http://` or
 * `https://`; what leasehold-client accepts, roughly (it has the last word on Save).
 */
export function looksLikeAddress(s: string): boolean {
  const t = s.trim().replace(/^https?:\/\//i, '').replace(/\/$/, '');
  return /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(t);
}

/** A server reached over TLS, whose certificate is checked (by fingerprint, or by the system). */
export const isHttpsAddress = (s: string) => /^https:\/\//i.test(s.trim());

/**
 * A certificate fingerprint as typed or pasted, judged as leasehold-client
 * will: 64 hex digits once colons and spaces are gone. `fingerprint` is how
 * the server shows it (`AB:CD:…`, upper case); `problem` says what is wrong,
 * and `short` marks text that typing more could still make right.
 */
export type FingerprintCheck = { ok: true; fingerprint: string } | { ok: false; problem: string; short: boolean };

export function checkFingerprint(text: string): FingerprintCheck {
  const digits = text.replace(/[\s:]/g, '');
  const wrong = /[^0-9a-fA-F]/.exec(digits);
  if (wrong) return { ok: false, short: false, problem: `“${wrong[0]}” cannot be in a fingerprint: it is 64 hex digits (0–9 and A–F), with or without colons.` };
  if (digits.length !== 64) {
    return { ok: false, short: digits.length < 64, problem: `A SHA-256 fingerprint has 64 hex digits; this has ${digits.length}.` };
  }
  const pairs = Array.from({ length: 32 }, (_, i) => digits.slice(2 * i, 2 * i + 2));
  return { ok: true, fingerprint: pairs.join(':').toUpperCase() };
}

/** The same fingerprint however it is written (case, colons, spaces). */
export const sameFingerprint = (a: string, b: string) =>
  a.replace(/[\s:]/g, '').toLowerCase() === b.replace(/[\s:]/g, '').toLowerCase();
