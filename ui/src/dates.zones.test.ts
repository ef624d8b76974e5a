// A licence's days are UTC calendar days (`2027-12-31`): the page writes them
// as the same date in every time zone, at either side of a day's boundary.
// Each zone is set as this process's (TZ, through vi.stubEnv) and the formatting
// module loaded afresh, so what it builds at load is built in that zone too.
// The browser tests (en-US) see the words themselves: "Dec 31, 2027".
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

/** The day as the page's locale writes it, from the calendar day itself (no instant, no zone): "Dec 31, 2027" in en-US. */
const day = (y: number, m: number, d: number) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));

const ZONES = ['Pacific/Honolulu', 'America/Los_Angeles', 'UTC', 'Europe/Berlin', 'Asia/Tokyo', 'Pacific/Kiritimati'];
afterEach(() => vi.useRealTimers());
afterAll(() => vi.unstubAllEnvs());

async function inZone(zone: string) {
  vi.stubEnv('TZ', zone);
  vi.resetModules();
  const format = await import('./format');
  const text = await import('./tabs/licenseText');
  const banners = await import('./StatusBanners');
  return { ...format, ...text, ...banners };
}

describe.each(ZONES)('in %s', (zone) => {
  it('is the zone the test meant (Date and Intl both follow it)', async () => {
    await inZone(zone);
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe(zone === 'UTC' ? 'UTC' : zone);
  });

  it('writes a last and first day as that calendar day, whatever the clock shows', async () => {
    const f = await inZone(zone);
    // Just before and just after midnight UTC at the year's end: in Honolulu it is still Dec 30 or 31, in Kiritimati already Jan 1.
    for (const now of [Date.UTC(2027, 11, 31, 23, 59), Date.UTC(2028, 0, 1, 0, 1)]) {
      vi.useFakeTimers({ now, toFake: ['Date'] });
      expect(f.formatCalendarDay('2027-12-31')).toBe(day(2027, 12, 31));
      expect(f.formatCalendarDay('2028-01-01')).toBe(day(2028, 1, 1));
      expect(f.validity({ firstDay: '2027-01-01', lastDay: '2027-12-31' })).toBe(`${day(2027, 1, 1)} – ${day(2027, 12, 31)}`);
      expect(f.validity({ firstDay: null, lastDay: '2027-12-31' })).toBe(`Until ${day(2027, 12, 31)}`);
      expect(f.lastDayWords({ lastDay: '2027-12-31', daysLeft: 3 })).toBe(`last day ${day(2027, 12, 31)} (3 days left)`);
      expect(f.stateReasonText('starts counting on 2028-01-01')).toBe(`Starts counting on ${day(2028, 1, 1)}.`);
      vi.useRealTimers();
    }
  });

  it('writes the last day of what the server gives only as the instant after it (the desktop’s licence file)', async () => {
    const f = await inZone(zone);
    // `--expires 2027-12-31`: valid until 2028-01-01T00:00Z, the first instant it is not.
    expect(f.formatLastDay(Date.UTC(2028, 0, 1))).toBe(day(2027, 12, 31));
  });
});

it('would be a day off in Honolulu written as a local date: the reason for all this', async () => {
  await inZone('Pacific/Honolulu');
  expect(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(Date.UTC(2027, 11, 31))).toBe('Dec 30, 2027');
  expect(new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(Date.UTC(2027, 11, 31))).not.toBe(day(2027, 12, 31));
});
