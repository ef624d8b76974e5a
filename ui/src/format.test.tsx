import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Prose } from './components/Prose';
import { formatDateTime, formatTime, withLocalTimes } from './format';
import { listensOnLoopback } from './tabs/ServerTab';

describe('one date format', () => {
  it('writes a server’s timestamp in a sentence as the page writes dates', () => {
    const at = Date.parse('2026-09-30T12:59:00Z');
    expect(withLocalTimes('borrowed cad until 2026-09-30T12:59:00+00:00')).toBe(`borrowed cad until ${formatDateTime(at)}`);
    expect(withLocalTimes('free from 2026-09-30T12:59:00.250Z.')).toBe(`free from ${formatDateTime(at + 250)}.`);
  });

  it('leaves a bare day alone: a sentence may show the form to type', () => {
    const text = 'the expiry `2027-13-01` is not a date; write it as YYYY-MM-DD, e.g. 2027-12-31';
    expect(withLocalTimes(text)).toBe(text);
  });

  it('writes a time of day on the same clock as a date and time', () => {
    const at = new Date(2026, 8, 30, 9, 5, 7).getTime();
    // Hours as the date-and-time writes them (no added leading zero), with seconds.
    expect(formatDateTime(at)).toContain(formatTime(at).replace(/:07(?=\D|$)/, ''));
  });
});

describe('Prose', () => {
  it('sets quoted names as code and never shows a backtick', () => {
    const { container } = render(<p><Prose text="group 3 (`ABCD`) has a typo; run `leasehold vendor keygen` or a stray ` here" /></p>);
    expect(container.textContent).toBe('group 3 (ABCD) has a typo; run leasehold vendor keygen or a stray  here');
    expect([...container.querySelectorAll('code')].map((c) => c.textContent)).toEqual(['ABCD', 'leasehold vendor keygen']);
  });
});

describe('the Server tab’s Firewall hint', () => {
  it('is for a server on a network address, not one on loopback', () => {
    expect(listensOnLoopback('127.0.0.1:7878')).toBe(true);
    expect(listensOnLoopback('[::1]:7878')).toBe(true);
    expect(listensOnLoopback('localhost:7878')).toBe(true);
    expect(listensOnLoopback('0.0.0.0:7878')).toBe(false);
    expect(listensOnLoopback('[::]:7878')).toBe(false);
    expect(listensOnLoopback('192.168.1.20:7878')).toBe(false);
  });
});
