// Licenses: what the server's status adds to a product's seats in use, the
// seats out on loan (`client borrow`) and the use of each feature that has
// seats of its own (`vendor issue --feature render:4`). Asked only when a
// code allows borrowing or counts a feature, so a plain server makes no
// extra call.
import { useEffect } from 'react';
import type { Event, FeatureUsage, LicenseView, ProductUsage } from '../api';
import { SeatMeter } from '../components/Badge';
import { useApp, useResource } from '../hooks';

// A feature seat is taken (`feature_grant`), a seat lent out (`borrow`); either
// ends with its lease. A feature given back on its own has no event, and shows
// at the next poll.
const USE_EVENTS = new Set(['feature_grant', 'borrow', 'release', 'expire', 'disconnect', 'reclaim', 'license_added', 'license_removed', 'license_activated', 'license_deactivated']);
const isUseEvent = (e: Event) => USE_EVENTS.has(e.kind);

/** Does any code let its seats be borrowed or count a feature: is the status worth asking for? */
function wantsStatus(licenses: LicenseView[] | undefined): boolean {
  return licenses?.some((l) => (l.seatRules?.maxBorrowHours ?? 0) > 0 || (l.seatRules?.featureSeats?.length ?? 0) > 0) ?? false;
}

/** Each product's use as the status tells it; empty until known, or when no code allows borrowing or counts a feature. */
export function useProductUse(licenses: LicenseView[] | undefined): Map<string, ProductUsage> {
  const { api } = useApp();
  const wanted = wantsStatus(licenses);
  const res = useResource(() => (wanted ? api.status() : Promise.resolve(undefined)), { key: 'status', refreshOn: isUseEvent });
  const { reload } = res;
  // The first code that allows borrowing or counts a feature is seen: ask now, not at the next poll.
  useEffect(() => { if (wanted) reload(); }, [wanted, reload]);
  const products = wanted ? res.data?.products ?? [] : [];
  return new Map(products.map((p) => [p.product, p]));
}

/** "2 borrowed": of the product's seats in use, those out on loan; nothing when none is. */
export function BorrowedCount({ usage }: { usage: ProductUsage | undefined }) {
  const n = usage?.borrowed ?? 0;
  if (n <= 0) return null;
  return (
    <div className="reason" title={`Of the seats in use, ${n.toLocaleString()} ${n === 1 ? 'is' : 'are'} borrowed to work without the server. The Computers tab shows until when.`}>
      {n.toLocaleString()} borrowed
    </div>
  );
}

/** "render 2 of 4" with a bar, for each counted feature of a product, under its seats in use. */
export function FeatureMeters({ product, features }: { product: string; features: FeatureUsage[] | undefined }) {
  if (!features?.length) return null;
  return (
    <ul className="feature-use" aria-label={`Feature seats of ${product} in use`}>
      {features.map((f) => (
        <li key={f.feature}>
          <SeatMeter inUse={f.inUse} seats={f.seats} label={f.feature} />
        </li>
      ))}
    </ul>
  );
}
