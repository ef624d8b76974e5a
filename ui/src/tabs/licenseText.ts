// How a license and its state read in the UI.
import type { LicenseState, LicenseView, SeatRules } from '../api';
import type { Tone } from '../components/Badge';
import { formatCalendarDay, formatDuration } from '../format';

export const STATE_LABEL: Record<LicenseState, { label: string; tone: Tone }> = {
  active: { label: 'Active', tone: 'ok' },
  expired: { label: 'Expired', tone: 'bad' },
  notYetValid: { label: 'Not yet valid', tone: 'warn' },
  invalid: { label: 'Invalid', tone: 'bad' },
  needsActivation: { label: 'Needs activation', tone: 'warn' },
  activatedElsewhere: { label: 'Activated for another computer', tone: 'bad' },
  clockSetBack: { label: 'Waiting for the clock', tone: 'bad' },
};

/**
 * The days a code is valid, its first and last (`firstDay`, `lastDay`: UTC
 * calendar days, the `--starts` and `--expires` it was issued with), the same
 * days in every time zone. Never `validUntil`: that is the instant after the
 * last day (a code valid through Jun 30 stops at 00:00 UTC on Jul 1).
 */
export function validity(l: Pick<LicenseView, 'firstDay' | 'lastDay'>): string {
  const from = l.firstDay ?? null;
  const until = l.lastDay ?? null;
  if (from === null && until === null) return 'No end date';
  if (from === null) return `Until ${formatCalendarDay(until!)}`;
  if (until === null) return `From ${formatCalendarDay(from)}, no end date`;
  return `${formatCalendarDay(from)} – ${formatCalendarDay(until)}`;
}

/** How near a code's last day is: "Last day today", "Last day tomorrow", "Expires in 3 days". */
export function daysLeftText(daysLeft: number): string {
  if (daysLeft <= 0) return 'Last day today';
  if (daysLeft === 1) return 'Last day tomorrow';
  return `Expires in ${daysLeft.toLocaleString()} days`;
}

/**
 * The badge a code's state shows: a code that counts but ends within the
 * server's warning window shows how soon instead of a green Active.
 */
export function stateBadge(l: Pick<LicenseView, 'state' | 'expiringSoon' | 'daysLeft'>): { label: string; tone: Tone } {
  if (l.state === 'active' && l.expiringSoon && l.daysLeft != null) return { label: daysLeftText(l.daysLeft), tone: 'warn' };
  return STATE_LABEL[l.state];
}

/** What removing this code does to its product's seats, in words. */
export function removalEffect(l: LicenseView): string {
  const counting = l.state === 'active';
  const after = counting ? Math.max(0, l.productSeats - l.seats) : l.productSeats;
  const inUse = l.productInUse;
  const p = l.product;
  if (!counting) return `This code does not count now (${STATE_LABEL[l.state].label.toLowerCase()}), so ${p} keeps its ${after} seats.`;
  let text = `${p} goes from ${l.productSeats} to ${after} ${after === 1 ? 'seat' : 'seats'}. ${inUse} ${inUse === 1 ? 'is' : 'are'} in use now.`;
  if (inUse > after) {
    const over = inUse - after;
    text += ` ${over} ${over === 1 ? 'lease keeps' : 'leases keep'} running until ${over === 1 ? 'it ends' : 'they end'}, but ${over === 1 ? 'is' : 'are'} not renewed: ${over === 1 ? 'that user loses the seat' : 'those users lose their seats'} within one lease length.`;
  } else {
    text += ' Nobody loses a seat.';
  }
  return text;
}

/**
 * The server's reason for a state ("starts counting on 2027-01-07") as a
 * sentence with dates written like the rest of the page ("Starts counting on
 * Jan 7, 2027.").
 */
export function stateReasonText(reason: string): string {
  const text = reason.trim().replace(/\b\d{4}-\d{2}-\d{2}\b/g, formatCalendarDay);
  if (!text) return text;
  const first = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** One of a code's seat rules, short for the table ("+2 overdraft") and in words for its tooltip. */
export interface SeatRuleNote {
  label: string;
  help: string;
}

/**
 * What a code lets its seats do beyond being counted, in the order an admin
 * asks about them; nothing for a plain floating code (the defaults).
 */
export function seatRuleNotes(r: SeatRules | undefined): SeatRuleNote[] {
  if (!r) return [];
  const notes: SeatRuleNote[] = [];
  if (r.overdraft > 0) {
    notes.push({
      label: `+${r.overdraft.toLocaleString()} overdraft`,
      help: `Up to ${r.overdraft.toLocaleString()} ${r.overdraft === 1 ? 'seat' : 'seats'} beyond the licensed count when all are in use. Each is marked “over licence” on the Computers tab: the vendor charges for them.`,
    });
  }
  if (r.noQueue) notes.push({ label: 'no queue', help: 'Applications may not wait in line for a seat of this code: when none is free they are refused at once.' });
  if (r.namedUsers) {
    notes.push({
      label: 'named users',
      help: `The seats belong to users you name; only they may use them. A seat moved to another user may move again after ${plainHours(r.reassignAfterHours)}.`,
    });
  }
  if (r.maxBorrowHours > 0) {
    notes.push({ label: `borrow up to ${plainHours(r.maxBorrowHours)}`, help: `A seat may be taken away for working without the server for up to ${plainHours(r.maxBorrowHours)}.` });
  }
  if (r.lingerSecs > 0) {
    const linger = formatDuration(r.lingerSecs * 1000);
    notes.push({ label: `linger ${linger}`, help: `A seat given back stays kept for the same user and computer for ${linger}, so an application that restarts keeps its seat.` });
  }
  return notes;
}

/** "72 h", as the vendor wrote it (borrowing and reassignment are set in hours). */
function plainHours(h: number): string {
  return `${h.toLocaleString()} h`;
}

/** A code's features, each with its own seat count when the code gives it one. */
export function featuresWithSeats(l: Pick<LicenseView, 'features' | 'seatRules'>): { feature: string; seats?: number }[] {
  const counted = new Map((l.seatRules?.featureSeats ?? []).map((f) => [f.feature, f.seats]));
  const names = [...l.features, ...[...counted.keys()].filter((f) => !l.features.includes(f))];
  return names.map((feature) => ({ feature, seats: counted.get(feature) }));
}
