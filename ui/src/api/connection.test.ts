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
    expect(await detectConnection()).toEqual({ baseUrl: 'http://127.0.0.1:7878', token: 't', desktop: true, serverControl: true });
  });

  it('has no token when none was given', async () => {
    expect((await detectConnection()).token).toBeNull();
  });
});
