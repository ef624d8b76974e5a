import { describe, expect, it } from 'vitest';
import { addressHost, formatDay } from '../format';
import { stateBadge, stateReasonText, validity } from './licenseText';

describe('how server words read in the UI', () => {
  it('writes a state reason as a sentence with the page’s dates', () => {
    expect(stateReasonText('starts counting on 2027-01-07')).toBe(`Starts counting on ${formatDay(Date.UTC(2027, 0, 7))}.`);
    expect(stateReasonText('expired at the end of 2026-03-01')).toBe(`Expired at the end of ${formatDay(Date.UTC(2026, 2, 1))}.`);
    expect(stateReasonText('Already a sentence.')).toBe('Already a sentence.');
  });

  it('names the first and last day a code is valid, as the server gives them', () => {
    // `vendor issue --starts 2026-01-01 --expires 2027-06-30`: valid through Jun 30.
    expect(validity({ firstDay: '2026-01-01', lastDay: '2027-06-30' })).toBe(`${formatDay(Date.UTC(2026, 0, 1))} – ${formatDay(Date.UTC(2027, 5, 30))}`);
    expect(validity({ firstDay: null, lastDay: '2027-06-30' })).toBe(`Until ${formatDay(Date.UTC(2027, 5, 30))}`);
    expect(validity({ firstDay: '2026-01-01', lastDay: null })).toBe(`From ${formatDay(Date.UTC(2026, 0, 1))}, no end date`);
    expect(validity({})).toBe('No end date');
  });

  it('warns of a code ending soon instead of a green Active, and only then', () => {
    expect(stateBadge({ state: 'active', expiringSoon: true, daysLeft: 3 })).toEqual({ label: 'Expires in 3 days', tone: 'warn' });
    expect(stateBadge({ state: 'active', expiringSoon: true, daysLeft: 1 })).toEqual({ label: 'Last day tomorrow', tone: 'warn' });
    expect(stateBadge({ state: 'active', expiringSoon: true, daysLeft: 0 })).toEqual({ label: 'Last day today', tone: 'warn' });
    expect(stateBadge({ state: 'active', expiringSoon: false, daysLeft: 40 })).toEqual({ label: 'Active', tone: 'ok' });
    expect(stateBadge({ state: 'expired', expiringSoon: false })).toEqual({ label: 'Expired', tone: 'bad' });
  });

  it('shows a client’s address without its source port', () => {
    expect(addressHost('10.0.4.17:51234')).toBe('10.0.4.17');
    expect(addressHost('[::1]:51234')).toBe('::1');
    expect(addressHost('fe80::1')).toBe('fe80::1');
    expect(addressHost('')).toBe('');
  });
});
