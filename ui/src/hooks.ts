// Data loading with live refresh, shared by the tabs.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';
import type { Api, Event, SessionView } from './api';
import { ApiError } from './api';

/** The tabs of the shell, as the URL's hash names them. */
export type TabKey = 'licenses' | 'computers' | 'usage' | 'policy' | 'server' | 'accounts' | 'logs' | 'mode';

/** A place on a tab that another tab can send the admin to. */
export type TabSpot = 'authority' | 'expiry';

export interface AppContextValue {
  api: Api;
  /** Shows another tab (a dialog's "set it on the Server tab"), and on it `spot` when given. */
  showTab: (tab: TabKey, spot?: TabSpot) => void;
  /** Subscribes to live events; returns the unsubscribe. */
  subscribe: (fn: (events: Event[]) => void) => () => void;
  /** Reports an error that means the whole connection is gone or refused. */
  reportError: (e: unknown) => void;
  /** Shows a short confirmation that something was done. */
  notify: (text: string) => void;
  /** The server is not reachable (the live feed says so): what is shown is the last known data, live things are paused. */
  offline: boolean;
  /** Who is signed in (account, role, by a session or a token); undefined until the server said. */
  me?: SessionView;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (!v) throw new Error('useApp outside AppContext');
  return v;
}

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Shows `data` at once (what a change answered), until the next load. */
  replace: (data: T) => void;
}

/**
 * The last data of each kind loaded through a connection, so a tab opened
 * again (or first opened while the server is down) shows what was last
 * known instead of a spinner or an error. Keyed by what was loaded
 * ("licenses", "computers host asc "); one per connection, so another
 * server or token starts empty.
 */
const caches = new WeakMap<Api, Map<string, unknown>>();

export function cacheOf(api: Api): Map<string, unknown> {
  let c = caches.get(api);
  if (!c) caches.set(api, (c = new Map()));
  return c;
}

/**
 * `useState` whose value outlives the component: it starts from the last
 * value kept under `key` for this connection, and each value set is kept
 * (without a key, a plain `useState`).
 */
export function useCachedState<T>(key: string | undefined): [T | undefined, Dispatch<SetStateAction<T | undefined>>] {
  const { api } = useApp();
  const cache = cacheOf(api);
  const [value, setValue] = useState<T | undefined>(() => (key === undefined ? undefined : cache.get(key) as T | undefined));
  const set = useCallback<Dispatch<SetStateAction<T | undefined>>>((next) => setValue((prev) => {
    const v = typeof next === 'function' ? (next as (p: T | undefined) => T | undefined)(prev) : next;
    if (key !== undefined && v !== undefined) cache.set(key, v);
    return v;
  }), [cache, key]);
  return [value, set];
}

/**
 * Calls `reload` now, again every `intervalMs` while the page is visible,
 * 150 ms after live events `refreshOn` accepts (once for a burst of them),
 * and at once when the server is reachable again after an outage.
 */
export function useLiveRefresh(reload: () => void, intervalMs: number, refreshOn?: (e: Event) => boolean) {
  const { subscribe, offline } = useApp();
  const refreshRef = useRef(refreshOn);
  refreshRef.current = refreshOn;
  const wasOffline = useRef(offline);
  useEffect(() => {
    if (wasOffline.current && !offline) reload();
    wasOffline.current = offline;
  }, [offline, reload]);
  useEffect(() => {
    reload();
    const t = setInterval(() => { if (!document.hidden) reload(); }, intervalMs);
    let pending: ReturnType<typeof setTimeout> | undefined;
    const unsub = subscribe((events) => {
      if (refreshRef.current && events.some(refreshRef.current) && !pending) {
        pending = setTimeout(() => { pending = undefined; reload(); }, 150);
      }
    });
    return () => { clearInterval(t); clearTimeout(pending); unsub(); };
  }, [reload, subscribe, intervalMs]);
}

/**
 * Loads `load()` now, again every `intervalMs` while the page is visible, and
 * soon after any live event `refreshOn` accepts. Keeps the last data when a
 * reload fails, so a blip shows a notice instead of an empty screen; with a
 * `key`, keeps it across tab switches too (`useCachedState`): what `load`
 * loads, named once for the component's life.
 */
export function useResource<T>(
  load: () => Promise<T>,
  opts: { key?: string; intervalMs?: number; refreshOn?: (e: Event) => boolean } = {},
): Resource<T> {
  const { reportError } = useApp();
  const [data, setData] = useCachedState<T>(opts.key);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const inFlight = useRef(false);
  // Asked again while a load was running: the answer on its way may be from
  // before the change that asked, so load once more when it is in.
  const again = useRef(false);
  // Bumped by `replace`: an answer to a question asked before it is older
  // than what is shown, and is dropped.
  const shown = useRef(0);
  const alive = useRef(true);

  const reload = useCallback(function load() {
    if (inFlight.current) { again.current = true; return; }
    inFlight.current = true;
    again.current = false;
    const asked = shown.current;
    const current = () => alive.current && asked === shown.current;
    loadRef.current().then(
      (d) => { if (current()) { setData(d); setError(undefined); } },
      (e) => { if (current()) { setError(e); reportError(e); } },
    ).finally(() => {
      inFlight.current = false;
      if (!alive.current) return;
      setLoading(false);
      if (again.current) load();
    });
  }, [reportError, setData]);

  useEffect(() => {
    alive.current = true;
    return () => { alive.current = false; };
  }, []);
  useLiveRefresh(reload, opts.intervalMs ?? 5000, opts.refreshOn);

  const replace = useCallback((d: T) => { shown.current += 1; setData(d); setError(undefined); }, [setData]);

  return { data, error, loading, reload, replace };
}

/** `value`, once it has stayed the same for `ms` (typing into a search). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** Whether the window matches `query` ("(max-width: 1279px)"), followed as it changes; false where there is no matchMedia. */
export function useMediaQuery(query: string): boolean {
  const get = () => typeof window.matchMedia === 'function' && window.matchMedia(query).matches;
  const [matches, setMatches] = useState(get);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const m = window.matchMedia(query);
    const change = () => setMatches(m.matches);
    change();
    m.addEventListener('change', change);
    return () => m.removeEventListener('change', change);
  }, [query]);
  return matches;
}

/** The current time, ticking, for "for how long" and "expires in". */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function isOffline(e: unknown): boolean {
  return e instanceof ApiError && e.isOffline;
}

/**
 * A dialog's action: runs `act`; on success closes the dialog, else keeps it
 * open with the error (`busy` while it runs). `run` starts it.
 */
export function useSubmit(act: () => Promise<unknown>, onClose: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await act();
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return { busy, error, setError, run: () => void run() };
}
