// License Mode's checks before Save: server addresses and certificate
// fingerprints as leasehold-client reads them.
import { describe, expect, it } from 'vitest';
import { checkFingerprint, isHttpsAddress, looksLikeAddress, sameFingerprint } from './clientSettings';

describe('server addresses', () => {
  it('takes host:port, plain or over TLS, and refuses the rest', () => {
    for (const ok of ['lic:7878', 'lic', '10.0.0.5:7878', '[::1]:7000', 'http://lic:7878/', 'https://lic', 'HTTPS://lic.example.com:8443', ' https://[::1]:9000 ']) {
      expect(looksLikeAddress(ok), ok).toBe(true);
    }
    for (const bad of ['', 'https://', 'ftp://lic', 'https://lic:7878/v1', 'lic:port', 'https://user@lic']) {
      expect(looksLikeAddress(bad), bad).toBe(false);
    }
    expect(isHttpsAddress(' HTTPS://lic')).toBe(true);
    expect(isHttpsAddress('http://lic')).toBe(false);
    expect(isHttpsAddress('lic:443')).toBe(false);
  });
});

describe('certificate fingerprints', () => {
  const hex = '0123456789abcdef'.repeat(4);
  const shown = hex.toUpperCase().match(/../g)?.join(':');

  it('reads 64 hex digits with or without colons and spaces, and writes them as the server shows them', () => {
    expect(checkFingerprint(hex)).toEqual({ ok: true, fingerprint: shown });
    expect(checkFingerprint(` ${shown?.toLowerCase()} `)).toEqual({ ok: true, fingerprint: shown });
    expect(checkFingerprint(hex.replace(/(.{8})/g, '$1 '))).toEqual({ ok: true, fingerprint: shown });
    expect(sameFingerprint(hex, shown ?? '')).toBe(true);
  });

  it('says what is wrong, and whether typing on could put it right', () => {
    expect(checkFingerprint('AB:CD')).toEqual({ ok: false, short: true, problem: 'A SHA-256 fingerprint has 64 hex digits; this has 4.' });
    expect(checkFingerprint(`${hex}0`)).toEqual({ ok: false, short: false, problem: 'A SHA-256 fingerprint has 64 hex digits; this has 65.' });
    expect(checkFingerprint('AB-CD')).toMatchObject({ ok: false, short: false, problem: expect.stringContaining('“-” cannot be in a fingerprint') });
  });
});
