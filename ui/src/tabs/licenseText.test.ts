import { describe, expect, it } from 'vitest';
import { addressHost, formatDay } from '../format';
import { stateReasonText } from './licenseText';

describe('how server words read in the UI', () => {
  it('writes a state reason as a sentence with the page’s dates', () => {
    expect(stateReasonText('starts counting on 2027-01-07')).toBe(`Starts counting on ${formatDay(Date.UTC(2027, 0, 7))}.`);
    expect(stateReasonText('expired at the end of 2026-03-01')).toBe(`Expired at the end of ${formatDay(Date.UTC(2026, 2, 1))}.`);
    expect(stateReasonText('Already a sentence.')).toBe('Already a sentence.');
  });

  it('shows a client’s address without its source port', () => {
    expect(addressHost('10.0.4.17:51234')).toBe('10.0.4.17');
    expect(addressHost('[::1]:51234')).toBe('::1');
    expect(addressHost('fe80::1')).toBe('fe80::1');
    expect(addressHost('')).toBe('');
  });
});
