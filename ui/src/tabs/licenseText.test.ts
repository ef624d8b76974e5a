import { describe, expect, it } from 'vitest';
import { addressHost, formatDay } from '../format';
import { stateReasonText, validity } from './licenseText';

describe('how server words read in the UI', () => {
  it('writes a state reason as a sentence with the page’s dates', () => {
    expect(stateReasonText('starts counting on 2027-01-07')).toBe(`Starts counting on ${formatDay(Date.UTC(2027, 0, 7))}.`);
    expect(stateReasonText('expired at the end of 2026-03-01')).toBe(`Expired at the end of ${formatDay(Date.UTC(2026, 2, 1))}.`);
    expect(stateReasonText('Already a sentence.')).toBe('Already a sentence.');
  });

  it('names the last day a code is valid, not the midnight it stops', () => {
    // `vendor issue --starts 2026-01-01 --expires 2027-06-30`: valid through Jun 30.
    const l = { validFrom: Date.UTC(2026, 0, 1), validUntil: Date.UTC(2027, 6, 1) };
    expect(validity(l)).toBe(`${formatDay(Date.UTC(2026, 0, 1))} – ${formatDay(Date.UTC(2027, 5, 30))}`);
    expect(validity({ validFrom: null, validUntil: Date.UTC(2027, 6, 1) })).toBe(`Until ${formatDay(Date.UTC(2027, 5, 30))}`);
    // Not at a midnight: that day itself.
    expect(validity({ validFrom: null, validUntil: Date.UTC(2027, 6, 1, 12) })).toBe(`Until ${formatDay(Date.UTC(2027, 6, 1))}`);
    expect(validity({ validFrom: Date.UTC(2026, 0, 1), validUntil: null })).toBe(`From ${formatDay(Date.UTC(2026, 0, 1))}, no end date`);
  });

  it('shows a client’s address without its source port', () => {
    expect(addressHost('10.0.4.17:51234')).toBe('10.0.4.17');
    expect(addressHost('[::1]:51234')).toBe('::1');
    expect(addressHost('fe80::1')).toBe('fe80::1');
    expect(addressHost('')).toBe('');
  });
});
