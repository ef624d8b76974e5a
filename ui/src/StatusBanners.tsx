// The banners every tab shows from the server's status: while its clock is
// set back (more than a day behind the latest time the server saw): what
// happened, what it stops, and what to do; while codes end within the
// warning window: which, and when. Each goes away by itself.
import type { ClockSetBack, ExpiringLicense } from './api';
import { formatCalendarDay, formatDateTime, plural } from './format';
import { useApp, useResource } from './hooks';

/** The server records an event when the clock is found set back, none when it is right again: the poll clears the banner. */
const POLL_MS = 10_000;
/** Codes named in the banner; the rest are counted, and listed on the Server tab. */
const NAMED = 3;

export function StatusBanners() {
  const { api } = useApp();
  const res = useResource(api.status, {
    key: 'status',
    intervalMs: POLL_MS,
    refreshOn: (e) => e.kind === 'clock_set_back' || e.kind === 'settings_changed' || e.kind === 'license_added' || e.kind === 'license_removed',
  });
  const c = res.data?.clockSetBack;
  const expiring = res.data?.expiring ?? [];
  return (
    <>
      {c && <ClockSetBackBanner c={c} onThisComputer={api.conn.desktop} />}
      {expiring.length > 0 && <ExpiryBanner expiring={expiring} />}
    </>
  );
}

/** "last day Dec 4, 2026 (3 days left)", "last day today (Dec 1, 2026)". */
export function lastDayWords(e: Pick<ExpiringLicense, 'lastDay' | 'daysLeft'>): string {
  const day = formatCalendarDay(e.lastDay);
  if (e.daysLeft <= 0) return `last day today (${day})`;
  if (e.daysLeft === 1) return `last day tomorrow (${day})`;
  return `last day ${day} (${plural(e.daysLeft, 'day')} left)`;
}

/** Codes that count now and end within the server's warning window: renew them before their seats stop counting. */
export function ExpiryBanner({ expiring }: { expiring: ExpiringLicense[] }) {
  const { showTab } = useApp();
  const named = expiring.slice(0, NAMED);
  const more = expiring.length - named.length;
  return (
    <div className="banner banner-expiry" role="status">
      <strong>{expiring.length === 1 ? 'A license code ends soon.' : `${expiring.length} license codes end soon.`}</strong>{' '}
      {named.map((e, i) => (
        <span key={e.licenseId} className="expiry-item">
          {i > 0 && '; '}<span className="expiry-product">{e.product}</span>{e.customer ? ` for ${e.customer}` : ''} ({plural(e.seats, 'seat')}): {lastDayWords(e)}
        </span>
      ))}
      {more > 0 && `; and ${more} more`}. Renew before then: a code’s seats stop counting after its last day.{' '}
      <button type="button" className="link-button link-inline" onClick={() => showTab('server', 'expiry')}>Expiry warnings</button>
    </div>
  );
}

export function ClockSetBackBanner({ c, onThisComputer }: { c: ClockSetBack; onThisComputer: boolean }) {
  const whose = onThisComputer ? 'This computer’s clock' : 'The license server’s clock';
  const where = onThisComputer ? 'this computer' : 'the computer the Leasehold server runs on';
  return (
    <div className="banner banner-clock" role="alert">
      <strong>{whose} is set back.</strong>
      It showed {formatDateTime(c.clockShowed)}, {behind(c.latestSeen - c.clockShowed)} behind the latest time the server saw
      ({formatDateTime(c.latestSeen)}). License codes with a start or end date count no seats until the clock is right.
      Set the date, time and time zone of {where}; this notice goes away once the clock is right.
    </div>
  );
}

/** "30 hours", "3 days". */
function behind(ms: number): string {
  const hours = Math.max(0, Math.round(ms / 3_600_000));
  return hours < 48 ? `${hours} ${hours === 1 ? 'hour' : 'hours'}` : `${Math.round(hours / 24)} days`;
}
