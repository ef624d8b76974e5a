// A call refused for a password given too long ago: the client asks for it
// (`onConfirmPassword`) and sends the same call once more; cancelled, the
// refusal is thrown; calls refused together share one question; never a loop.
import { describe, expect, it, vi } from 'vitest';
import { Api, ApiError } from '.';
import { conn, fakeFetch, json } from '../test/fixtures';

const REFUSAL = {
  code: 'password_confirmation_required',
  message: "your password is asked again: a session makes accounts, changes roles, sets another account's password and makes tokens only within 15 minutes of giving its password. Give it again (the admin page asks for it; over the API, POST /admin/v1/session/confirm), or use a token for scripts",
};
const refused = () => json(REFUSAL, 403);
const made = (label: string) => json({ id: `t-${label}`, label, createdAt: 1, dataDir: false, token: `lha_${label}` }, 201);
const label = (body: unknown) => (body as { label: string }).label;

/** A server that refuses the first `refusals` token calls, then makes them; each call's label is kept. */
function tokenServer(refusals: number, sent: string[]) {
  let left = refusals;
  return fakeFetch({
    'POST /admin/v1/accounts/olga/tokens': ({ body }) => {
      sent.push(label(body));
      if (left > 0) { left -= 1; return refused(); }
      return made(label(body));
    },
  });
}

/** A promise and the function that settles it, for a dialog still open. */
function deferred<T>() {
  let settle: (v: T) => void = () => {};
  const promise = new Promise<T>((resolve) => { settle = resolve; });
  return { promise, settle };
}

describe('a call refused until the password is given again', () => {
  it('asks once and sends the same call again, answering its result', async () => {
    const sent: string[] = [];
    const api = new Api(conn, tokenServer(1, sent));
    api.onConfirmPassword = vi.fn(async () => true);
    expect((await api.addToken('olga', 'backup')).token).toBe('lha_backup');
    expect(api.onConfirmPassword).toHaveBeenCalledTimes(1);
    expect(sent).toEqual(['backup', 'backup']);
  });

  it('cancelled, throws the refusal as the server said it, sending nothing more', async () => {
    const sent: string[] = [];
    const api = new Api(conn, tokenServer(1, sent));
    api.onConfirmPassword = vi.fn(async () => false);
    const err = await api.addToken('olga', 'backup').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('password_confirmation_required');
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/^Your password is asked again: /);
    expect(sent).toEqual(['backup']);
  });

  it('a confirmer that fails counts as cancelled', async () => {
    const api = new Api(conn, tokenServer(1, []));
    api.onConfirmPassword = () => Promise.reject(new Error('dialog gone'));
    expect((await api.addToken('olga', 'backup').catch((e) => e)).code).toBe('password_confirmation_required');
  });

  it('without a confirmer, the refusal is thrown at once', async () => {
    const sent: string[] = [];
    const err = await new Api(conn, tokenServer(1, sent)).addToken('olga', 'backup').catch((e) => e);
    expect(err.code).toBe('password_confirmation_required');
    expect(sent).toEqual(['backup']);
  });

  it('calls refused together share one question, and each is sent again once', async () => {
    const sent: string[] = [];
    const api = new Api(conn, tokenServer(2, sent));
    const dialog = deferred<boolean>();
    api.onConfirmPassword = vi.fn(() => dialog.promise);
    const both = Promise.all([api.addToken('olga', 'a'), api.addToken('olga', 'b')]);
    await vi.waitFor(() => expect(sent).toEqual(['a', 'b']));
    await vi.waitFor(() => expect(api.onConfirmPassword).toHaveBeenCalled());
    // Both refusals read while the question is open.
    await new Promise((r) => setTimeout(r, 20));
    dialog.settle(true);
    expect((await both).map((t) => t.token)).toEqual(['lha_a', 'lha_b']);
    expect(api.onConfirmPassword).toHaveBeenCalledTimes(1);
    expect(sent.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('a second refusal after the password was given is thrown, not asked again', async () => {
    const sent: string[] = [];
    const api = new Api(conn, tokenServer(2, sent));
    api.onConfirmPassword = vi.fn(async () => true);
    const err = await api.addToken('olga', 'backup').catch((e) => e);
    expect(err.code).toBe('password_confirmation_required');
    expect(api.onConfirmPassword).toHaveBeenCalledTimes(1);
    expect(sent).toEqual(['backup', 'backup']);
    // The next call asks afresh (the question is not kept).
    expect((await api.addToken('olga', 'next')).token).toBe('lha_next');
  });

  it('a call sent before the password was given, refused after, is sent again without asking', async () => {
    const late = deferred<Response>();
    let calls = 0;
    const f = fakeFetch({
      'POST /admin/v1/accounts/olga/tokens': ({ body }) => (calls++ === 0 ? late.promise : made(label(body))),
      'POST /admin/v1/session/confirm': () => json({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true, confirmedUntil: 1 }),
    });
    const api = new Api(conn, f);
    api.onConfirmPassword = vi.fn(async () => true);
    const token = api.addToken('olga', 'backup');
    await vi.waitFor(() => expect(calls).toBe(1));
    await api.confirmPassword('correct horse battery');
    late.settle(refused());
    expect((await token).token).toBe('lha_backup');
    expect(api.onConfirmPassword).not.toHaveBeenCalled();
  });

  it('confirmPassword sends the password; a wrong one is the server’s sign_in_failed, not a session ended', async () => {
    const f = fakeFetch({
      'POST /admin/v1/session/confirm': ({ body }) => ((body as { password: string }).password === 'right'
        ? json({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true, confirmedUntil: 1_900_000 })
        : json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401)),
    });
    const api = new Api(conn, f);
    api.onConfirmPassword = vi.fn(async () => true);
    const err = await api.confirmPassword('wrong').catch((e) => e);
    expect(err.code).toBe('sign_in_failed');
    expect(err.isUnauthorized).toBe(false);
    expect(err.message).toBe('The account name or password is wrong.');
    expect((await api.confirmPassword('right')).confirmedUntil).toBe(1_900_000);
    expect(api.onConfirmPassword).not.toHaveBeenCalled();
    expect(f.mock.calls.map((c) => JSON.parse(String(c[1]?.body)))).toEqual([{ password: 'wrong' }, { password: 'right' }]);
  });
});
