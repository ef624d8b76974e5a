// The token ledger, a page at a time, newest first, and the balances that
// come with every page. Refreshes the newest page every few seconds and soon
// after a spend over the balance or a licence change, putting new spends
// above the ones shown; "Load older" adds the page before, through the
// server's `nextBefore`.
import { useCallback, useRef, useState } from 'react';
import type { Balance, Event, LedgerEntry, LedgerPage } from '../api';
import { useApp, useCachedState, useLiveRefresh } from '../hooks';

/** Spends asked for per page. */
export const PAGE = 100;
// A spend beyond the balance is `token_overdraft`; other spends have no event
// and show at the next poll. Licences added or removed change the balances.
const TOKEN_EVENTS = new Set<Event['kind']>(['token_overdraft', 'license_added', 'license_removed', 'license_activated', 'license_deactivated']);
const isTokenEvent = (e: Event) => TOKEN_EVENTS.has(e.kind);

/** What is shown: the spends of `product` ('' for every product) loaded so far. */
export interface Loaded {
  product: string;
  /** Newest first. */
  entries: LedgerEntry[];
  /** Where older spends start (`before=`), or null when all are loaded. */
  nextBefore: number | null;
  balances: Balance[];
}

export interface LedgerPages {
  loaded?: Loaded;
  /** The spends shown are of the product asked for (not of the one before, while it loads). */
  current: boolean;
  /** The last load failed (what is shown is from before). */
  error: unknown;
  loadingOlder: boolean;
  older: () => void;
  refresh: () => void;
}

/**
 * `page`, the newest spends, put above the ones `shown`: the ledger only
 * grows and a spend never changes, so the older pages loaded stay as they
 * are. When more spends came than a page holds, the ones between were never
 * loaded: the list starts again from the newest.
 */
export function withNewest(shown: Loaded | undefined, page: LedgerPage, product: string): Loaded {
  const fresh: Loaded = { product, entries: page.entries, nextBefore: page.nextBefore ?? null, balances: page.balances };
  if (!shown || shown.product !== product || fresh.nextBefore === null || !page.entries.length) return fresh;
  const oldest = page.entries[page.entries.length - 1].seq;
  if (!shown.entries.some((e) => e.seq >= oldest)) return fresh;
  const older = shown.entries.filter((e) => e.seq < oldest);
  return { ...fresh, entries: [...page.entries, ...older], nextBefore: older.length ? shown.nextBefore : fresh.nextBefore };
}

export function useLedgerPages(product: string, intervalMs = 5000): LedgerPages {
  const { api, reportError } = useApp();
  const [loaded, setLoaded] = useCachedState<Loaded>('ledger');
  const [error, setError] = useState<unknown>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const latest = useRef(loaded);
  latest.current = loaded;
  // Each request takes a number; an answer that is no longer the newest is dropped.
  const seq = useRef(0);
  // An older page is on its way (a refresh then waits, so it does not drop it).
  const busy = useRef(false);

  const reload = useCallback(async () => {
    if (busy.current) return;
    const my = ++seq.current;
    try {
      const page = await api.ledger({ product: product || undefined, limit: PAGE });
      if (my !== seq.current) return;
      setLoaded((shown) => withNewest(shown, page, product));
      setError(undefined);
    } catch (e) {
      if (my !== seq.current) return;
      setError(e);
      reportError(e);
    }
  }, [api, product, reportError]);

  const loadOlder = useCallback(async () => {
    const cur = latest.current;
    if (!cur || cur.product !== product || cur.nextBefore === null || busy.current) return;
    const my = ++seq.current;
    busy.current = true;
    setLoadingOlder(true);
    try {
      const page = await api.ledger({ product: product || undefined, before: cur.nextBefore, limit: PAGE });
      if (my !== seq.current) return;
      const last = cur.entries[cur.entries.length - 1]?.seq ?? Infinity;
      setLoaded({ product, entries: [...cur.entries, ...page.entries.filter((e) => e.seq < last)], nextBefore: page.nextBefore ?? null, balances: page.balances });
      setError(undefined);
    } catch (e) {
      if (my === seq.current) {
        setError(e);
        reportError(e);
      }
    } finally {
      busy.current = false;
      setLoadingOlder(false);
    }
  }, [api, product, reportError]);

  const refresh = useCallback(() => void reload(), [reload]);
  const older = useCallback(() => void loadOlder(), [loadOlder]);
  useLiveRefresh(refresh, intervalMs, isTokenEvent);

  return { loaded, current: loaded?.product === product, error, loadingOlder, older, refresh };
}
