// Licenses: the use of each feature that has seats of its own (`vendor issue
// --feature render:4`), per product, from the server's status. Asked only
// when a code counts a feature, so a plain server makes no extra call.
import { useEffect } from 'react';
import type { Event, FeatureUsage, LicenseView } from '../api';
import { SeatMeter } from '../components/Badge';
import { useApp, useResource } from '../hooks';

// A feature seat is taken (`feature_grant`) or ends with its lease; one given
// back on its own has no event, and shows at the next poll.
const FEATURE_EVENTS = new Set(['feature_grant', 'release', 'expire', 'disconnect', 'reclaim', 'license_added', 'license_removed', 'license_activated', 'license_deactivated']);
const isFeatureEvent = (e: Event) => FEATURE_EVENTS.has(e.kind);

/** Each product's counted features and their use; empty until known, or when no code counts a feature. */
export function useFeatureUse(licenses: LicenseView[] | undefined): Map<string, FeatureUsage[]> {
  const { api } = useApp();
  const wanted = licenses?.some((l) => (l.seatRules?.featureSeats?.length ?? 0) > 0) ?? false;
  const res = useResource(() => (wanted ? api.status() : Promise.resolve(undefined)), { refreshOn: isFeatureEvent });
  const { reload } = res;
  // The first code with counted features is seen: ask now, not at the next poll.
  useEffect(() => { if (wanted) reload(); }, [wanted, reload]);
  const products = wanted ? res.data?.products ?? [] : [];
  return new Map(products.filter((p) => p.features?.length).map((p) => [p.product, p.features ?? []]));
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
