// The banner every tab shows while the server's clock is set back (more than
// a day behind the latest time the server saw): what happened, what it stops,
// and what to do. It goes away by itself once the clock is right.
import type { ClockSetBack } from './api';
import { formatDateTime } from './format';
import { useApp, useResource } from './hooks';

/** The server records an event when the clock is found set back, none when it is right again: the poll clears the banner. */
const POLL_MS = 10_000;

export function ClockBanner() {
  const { api } = useApp();
  const res = useResource(api.status, { key: 'status', intervalMs: POLL_MS, refreshOn: (e) => e.kind === 'clock_set_back' });
  const c = res.data?.clockSetBack;
  if (!c) return null;
  return <ClockSetBackBanner c={c} onThisComputer={api.conn.desktop} />;
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
