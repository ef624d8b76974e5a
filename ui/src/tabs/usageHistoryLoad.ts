// The usage history of one product over the range picked, loaded now, again
// every minute while the page is visible (the server writes a point a
// minute) and at once when the range or product changes. A failed refresh
// keeps what is shown; an answer to a question no longer asked is dropped.
//
// Two questions: the points of the product shown (small: one product), and
// which products have points in the range (a point a day for every product:
// for a year of hundreds of products the server takes a while). The
// product's points come first, so its charts draw without waiting for the
// list; each range's list is kept 10 minutes, even when the load that asked
// for it was overtaken, and asked once at a time (a slow list asked again
// at each click would hold up the server's answers to the next clicks).
// With no product known yet (the first load) the list comes first.
import { useCallback, useRef, useState } from 'react';
import type { Api, UsageHistory, UsagePoint } from '../api';
import { useApp, useCachedState, useLiveRefresh } from '../hooks';
import { rangeQuery, type RangeKey, type RangeQuery } from './usageSteps';

/** The points shown. */
export interface HistoryView {
  range: RangeKey;
  /** The product the admin picked ('' for none yet: the first is shown). */
  picked: string;
  /** The question answered. */
  query: RangeQuery;
  /** The product shown ('' when no product has a point in the range). */
  product: string;
  /** Its points, oldest first. */
  points: UsagePoint[];
}

/** The products with points in a range, in the server's order. */
export interface ProductList {
  range: RangeKey;
  products: string[];
  at: number;
}

const LIST_TTL_MS = 10 * 60_000;

const pointsOf = (h: UsageHistory, product: string) => h.series.find((s) => s.product === product)?.points ?? [];

/** Every product with a point in `q`'s range, and the answer (for a year, it holds their points too). */
async function productList(api: Api, range: RangeKey, q: RangeQuery): Promise<{ list: ProductList; all: UsageHistory }> {
  const all = await api.usageHistory({ from: q.from, to: q.to, step: 'day' });
  return { list: { range, products: all.series.filter((s) => s.points.length > 0).map((s) => s.product), at: Date.now() }, all };
}

async function productPoints(api: Api, product: string, q: RangeQuery): Promise<UsagePoint[]> {
  return pointsOf(await api.usageHistory({ product, ...q }), product);
}

export interface UsageHistoryState {
  view?: HistoryView;
  /** The products of the range shown (the one picked among them), once known. */
  products: string[];
  /** What is shown answers the range and product asked (not the ones before, while they load). */
  current: boolean;
  /** The last load failed (what is shown is from before). */
  error: unknown;
  refresh: () => void;
}

export function useUsageHistory(range: RangeKey, picked: string, intervalMs = 60_000): UsageHistoryState {
  const { api, reportError } = useApp();
  // What was shown last outlives the tab (it shows at once when the tab opens again, or the server is down).
  const [view, setView] = useCachedState<HistoryView>('usage-history');
  const [lists, setLists] = useState<Partial<Record<RangeKey, ProductList>>>({});
  const [error, setError] = useState<unknown>();
  // Each load takes a number; an answer that is no longer the newest is dropped.
  const seq = useRef(0);
  const shown = useRef({ view, lists });
  shown.current = { view, lists };
  const listLoads = useRef(new Map<RangeKey, ReturnType<typeof productList>>());

  const reload = useCallback(async () => {
    const my = ++seq.current;
    const stale = () => my !== seq.current;
    const query = rangeQuery(range, Date.now());
    const known = shown.current.lists[range];
    // The product picked, else the one shown (in any range); the list may then say another.
    const guess = picked || shown.current.view?.product || '';
    try {
      if (guess) {
        const points = await productPoints(api, guess, query);
        if (stale()) return;
        setView({ range, picked, query, product: guess, points });
      }
      if (guess && known && Date.now() - known.at < LIST_TTL_MS && (picked || known.products.includes(guess))) {
        setError(undefined);
        return;
      }
      let load = listLoads.current.get(range);
      if (!load) {
        load = productList(api, range, query);
        listLoads.current.set(range, load);
        load.then(({ list: l }) => setLists((all) => ({ ...all, [range]: l })), () => {}).finally(() => listLoads.current.delete(range));
      }
      const { list: fresh, all } = await load;
      if (stale()) return;
      if (!guess || (!picked && !fresh.products.includes(guess))) {
        const product = fresh.products[0] ?? '';
        const points = !product ? [] : query.step === 'day' ? pointsOf(all, product) : await productPoints(api, product, query);
        if (stale()) return;
        setView({ range, picked, query, product, points });
      }
      setError(undefined);
    } catch (e) {
      if (stale()) return;
      setError(e);
      reportError(e);
    }
  }, [api, range, picked, reportError]);

  const refresh = useCallback(() => void reload(), [reload]);
  useLiveRefresh(refresh, intervalMs);
  // Until the range's list comes, the newest list of another range, with the product shown.
  const newest = Object.values(lists).sort((a, b) => b.at - a.at)[0];
  const products = lists[range]?.products ?? [...new Set([...(newest?.products ?? []), ...(view?.product ? [view.product] : [])])];
  return {
    view,
    products: picked && !products.includes(picked) ? [...products, picked] : products,
    current: view?.range === range && view.picked === picked,
    error,
    refresh,
  };
}
