// Times and durations in words people read at a glance.

/** "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return h ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return sec && m < 10 ? `${m} min ${sec} s` : `${m} min`;
  return `${sec} s`;
}

/** "in 4 min", "2 min ago", "now". */
export function formatRelative(at: number, now: number): string {
  const diff = at - now;
  if (Math.abs(diff) < 1000) return 'now';
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

// The one way the UI writes a date: "Sep 30, 2026" and "Sep 30, 2026, 2:59 PM"
// (the browser's locale); a time of day alone as the same clock ("2:59:07 PM").
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const formatDateTime = (ms: number) => dateTime.format(new Date(ms));
/** License validity, token periods and daily usage are by UTC day. */
export const formatDay = (ms: number) => dateOnly.format(new Date(ms));
/**
 * A calendar day as the server writes it (`2027-12-31`: a licence's first or
 * last day, a UTC day) as the page writes dates: "Dec 31, 2027" in every time
 * zone (it is a day, not an instant, so nothing is converted). Text that is
 * not such a day is shown as it came.
 */
export function formatCalendarDay(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return dateOnly.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}
/**
 * The last day of something valid until `end`, the first instant it no
 * longer is (00:00 UTC of the day after its last day): "Dec 31, 2027" for
 * an `end` of Jan 1, 2028, 00:00 UTC. For what the server sends only as an
 * instant (the desktop's licence file check); a licence's `lastDay` is
 * written with `formatCalendarDay`.
 */
export const formatLastDay = (end: number) => formatDay(end - 1);
/** A date and time with seconds (a log line's, read in full). */
export const formatDateTimeSeconds = (ms: number) => dateTimeSeconds.format(new Date(ms));
/** A time of day with seconds (a log line's). */
export const formatTime = (ms: number) => timeOnly.format(new Date(ms));

/** A server's timestamp in a sentence (`2026-01-02T10:00:00Z`, `…+00:00`). */
const RFC3339 = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/**
 * A server sentence with its timestamps written like the rest of the page
 * ("borrowed until Sep 30, 2026, 2:59 PM"). Bare days (`2027-12-31`) stay:
 * a sentence may name the form to type ("write it as YYYY-MM-DD, e.g. 2027-12-31").
 */
export function withLocalTimes(text: string): string {
  return text.replace(RFC3339, (t) => {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? t : formatDateTime(ms);
  });
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/**
 * "10.0.4.17" from "10.0.4.17:51234", "::1" from "[::1]:51234": a client's
 * source port changes with every connection and means nothing to a person.
 */
export function addressHost(address: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(address);
  if (v6) return v6[1];
  const v4 = /^([^:]+):\d+$/.exec(address);
  return v4 ? v4[1] : address;
}

const ordinalRules = new Intl.PluralRules('en-US', { type: 'ordinal' });
const ORDINAL_SUFFIX: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };

/** "1st", "2nd", "3rd", "11th", "1,002nd": a place in a line. */
export function ordinal(n: number): string {
  return `${n.toLocaleString()}${ORDINAL_SUFFIX[ordinalRules.select(n)] ?? 'th'}`;
}
