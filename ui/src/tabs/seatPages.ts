// The Computers list, a page at a time from the server (sorted and searched
// there: a server may hold a million seats). Loads the first page whenever
// the sort or the search changes, more as the admin scrolls, and refreshes
// what is shown every few seconds and soon after a seat is taken or freed.
import { useCallback, useRef, useState } from 'react';
import type { ComputerSort, ComputersPage, Event, SeatRow } from '../api';
import { useApp, useCachedState, useLiveRefresh } from '../hooks';

/** Rows asked for per page. */
export const PAGE = 200;
/** Up to this many rows shown, a refresh reloads them all; further down, the list keeps still. */
export const REFRESH_MAX = 1000;
// A waiter given a seat is `queue_granted` (not `grant`), a seat lent out `borrow`: either is on the list at once.
const SEAT_EVENTS = new Set(['grant', 'queue_granted', 'borrow', 'release', 'expire', 'disconnect', 'reclaim']);
const isSeatEvent = (e: Event) => SEAT_EVENTS.has(e.kind);

export interface SeatQuery {
  sort: ComputerSort;
  asc: boolean;
  text: string;
}

export interface SeatPages {
  /** Rows of the current query, or of the one before while the new one loads. */
  rows: SeatRow[];
  /** The last page's totals (seats, computers, matching, asOf). */
  last?: ComputersPage;
  /** The rows shown belong to the current sort and search. */
  current: boolean;
  error: unknown;
  loadingMore: boolean;
  /** Far down a long list, refreshes pause (see REFRESH_MAX). */
  paused: boolean;
  more: () => void;
  refresh: () => void;
}

interface Loaded {
  key: string;
  rows: SeatRow[];
  last: ComputersPage;
}

export function useSeatPages(q: SeatQuery, intervalMs = 3000): SeatPages {
  const { api, reportError } = useApp();
  const key = `${q.sort} ${q.asc} ${q.text}`;
  // The last list shown outlives the tab, so it is there at once when the tab opens again (or the server is down).
  const [loaded, setLoaded] = useCachedState<Loaded>('computers');
  const [error, setError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);
  const latest = useRef(loaded);
  latest.current = loaded;
  // Each request takes a number; an answer that is no longer the newest is dropped.
  const seq = useRef(0);
  // A next page is on its way (a refresh then waits, so it does not drop it).
  const busy = useRef(false);

  const fetchPage = useCallback(
    (limit: number, cursor?: string) => api.computers({ sort: q.sort, order: q.asc ? 'asc' : 'desc', text: q.text, limit, cursor }),
    [api, q.sort, q.asc, q.text],
  );

  const reload = useCallback(
    async (force: boolean) => {
      const cur = latest.current;
      const shown = cur?.key === key ? cur.rows.length : 0;
      if ((shown > REFRESH_MAX || busy.current) && !force) return;
      const my = ++seq.current;
      try {
        const page = await fetchPage(Math.min(Math.max(PAGE, shown), REFRESH_MAX));
        if (my !== seq.current) return;
        setLoaded({ key, rows: page.rows, last: page });
        setError(undefined);
      } catch (e) {
        if (my !== seq.current) return;
        setError(e);
        reportError(e);
      }
    },
    [key, fetchPage, reportError],
  );

  const more = useCallback(async () => {
    const cur = latest.current;
    if (!cur || cur.key !== key || !cur.last.nextCursor || busy.current) return;
    const my = ++seq.current;
    busy.current = true;
    setLoadingMore(true);
    try {
      const page = await fetchPage(PAGE, cur.last.nextCursor);
      if (my !== seq.current) return;
      // A seat whose place changed between pages (a renewal, when sorted by
      // it) could come again: show each once.
      const seen = new Set(cur.rows.map((r) => r.lease.id));
      setLoaded({ key, rows: [...cur.rows, ...page.rows.filter((r) => !seen.has(r.lease.id))], last: page });
      setError(undefined);
    } catch (e) {
      if (my === seq.current) {
        setError(e);
        reportError(e);
      }
    } finally {
      busy.current = false;
      setLoadingMore(false);
    }
  }, [key, fetchPage, reportError]);
  const loadMore = useCallback(() => void more(), [more]);
  const refresh = useCallback(() => void reload(true), [reload]);

  const refreshLive = useCallback(() => void reload(false), [reload]);
  useLiveRefresh(refreshLive, intervalMs, isSeatEvent);

  const current = loaded?.key === key;
  return {
    rows: loaded?.rows ?? [],
    last: loaded?.last,
    current,
    error,
    loadingMore,
    paused: current && (loaded?.rows.length ?? 0) > REFRESH_MAX,
    more: loadMore,
    refresh,
  };
}
