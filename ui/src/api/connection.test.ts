import { afterEach, describe, expect, it } from 'vitest';
import { detectConnection } from '.';

afterEach(() => {
  delete window.__LEASEHOLD__;
  sessionStorage.clear();
  window.history.replaceState(null, '', '/ui/');
});

describe('detectConnection', () => {
  it('takes the token from the fragment, keeps it for the tab and removes it from the address', async () => {
    window.history.replaceState(null, '', '/ui/#token=s3cret');
    const c = await detectConnection();
    expect(c).toMatchObject({ token: 's3cret', baseUrl: '', desktop: false });
    expect(window.location.hash).toBe('');
    expect((await detectConnection()).token).toBe('s3cret');
  });

  it('uses what the desktop app injects', async () => {
    window.__LEASEHOLD__ = { baseUrl: 'http://127.0.0.1:7878/', token: 't', desktop: true };
    expect(await detectConnection()).toEqual({ baseUrl: 'http://127.0.0.1:7878', token: 't', desktop: true, serverControl: true, host: { running: true } });
  });

  it('keeps what the desktop app says about its server', async () => {
    window.__LEASEHOLD__ = { baseUrl: 'http://127.0.0.1:40001', token: 't', desktop: true, running: true, listen: '0.0.0.0:40001', portConflict: { wanted: 7878, got: 40001 } };
    expect((await detectConnection()).host).toEqual({ running: true, listen: '0.0.0.0:40001', portConflict: { wanted: 7878, got: 40001 } });
    window.__LEASEHOLD__ = { token: 't', desktop: true, running: false, error: { code: 'port_in_use', message: 'port 7878 is in use' } };
    expect((await detectConnection()).host).toEqual({ running: false, error: { code: 'port_in_use', message: 'port 7878 is in use' } });
  });

  it('keeps the service the desktop app is attached to, or that it can install one', async () => {
    const attached = { dataDir: '/var/lib/leasehold', version: '0.1.0', manager: 'systemd' as const };
    window.__LEASEHOLD__ = { baseUrl: 'http://127.0.0.1:7878', token: 't', desktop: true, running: true, listen: '0.0.0.0:7878', attached, canInstallService: false };
    expect((await detectConnection()).host).toEqual({ running: true, listen: '0.0.0.0:7878', attached });
    window.__LEASEHOLD__ = { baseUrl: 'http://127.0.0.1:7878', token: '', desktop: true, running: true, attached, error: { code: 'service_token_unreadable', message: 'm' } };
    const c = await detectConnection();
    expect(c.token).toBeNull();
    expect(c.host?.error?.code).toBe('service_token_unreadable');
    window.__LEASEHOLD__ = { baseUrl: 'http://127.0.0.1:7878', token: 't', desktop: true, running: true, canInstallService: true };
    expect((await detectConnection()).host).toEqual({ running: true, canInstallService: true });
  });

  it('has no token when none was given', async () => {
    expect((await detectConnection()).token).toBeNull();
  });
});
