// Signing in with a password or a token, who is signed in in the header,
// signing out, a session that ends, and what each role may press.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { conn, event, fakeFetch, json, license, renderWithApi, seat, seatServer, session, status } from './test/fixtures';
import { AccountsTab } from './tabs/AccountsTab';
import { ComputersTab } from './tabs/ComputersTab';
import { LicensesTab } from './tabs/LicensesTab';
import { Api, type Event, type TokenView } from './api';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

/** The routes the shell's first tab needs, and the session routes given. */
function shellRoutes(extra: Parameters<typeof fakeFetch>[0] = {}) {
  return {
    'GET /admin/v1/events': () => json({ events: [], lastSeq: 0 }),
    'GET /admin/v1/licenses': () => json([license()]),
    'GET /admin/v1/status': () => json(status()),
    ...extra,
  };
}

describe('signing in', () => {
  it('with a password: the header names the account and its role; Sign out ends the session and says so', async () => {
    const f = fakeFetch(shellRoutes({
      'POST /admin/v1/session': ({ body }) => ((body as { password: string }).password === 'right one'
        ? json(session({ account: 'ann', role: 'operator', by: 'session', localAdmin: false, hasPassword: true, token: 'lhs_ann' }), 201)
        : json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401)),
      'GET /admin/v1/session': ({ headers }) => (headers.Authorization === 'Bearer lhs_ann' ? json(session({ account: 'ann', role: 'operator', by: 'session', localAdmin: false, hasPassword: true })) : json({ code: 'unauthorized', message: 'authentication required' }, 401)),
      'DELETE /admin/v1/session': () => new Response(null, { status: 204 }),
    }));
    vi.stubGlobal('fetch', f);
    render(<App connection={{ ...conn, token: null }} />);
    await userEvent.type(screen.getByLabelText('Account name'), 'ann');
    await userEvent.type(screen.getByLabelText('Password'), 'wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The account name or password is wrong.');

    await userEvent.clear(screen.getByLabelText('Password'));
    await userEvent.type(screen.getByLabelText('Password'), 'right one{Enter}');
    const who = await screen.findByRole('group', { name: 'Signed in' });
    expect(who).toHaveTextContent('annOperator');
    expect(sessionStorage.getItem('leasehold.adminToken')).toBe('lhs_ann');

    await userEvent.click(within(who).getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in to the license server' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('You signed out.');
    expect(sessionStorage.getItem('leasehold.adminToken')).toBeNull();
    expect(f.mock.calls.some((c) => c[1]?.method === 'DELETE' && String(c[0]).endsWith('/admin/v1/session'))).toBe(true);
  });

  it('says how long to wait after too many wrong passwords, in the server’s words', async () => {
    vi.stubGlobal('fetch', fakeFetch({ 'POST /admin/v1/session': () => json({ code: 'too_many_sign_ins', message: 'too many wrong passwords for this account; try again in 30 s' }, 429) }));
    render(<App connection={{ ...conn, token: null }} />);
    await userEvent.type(screen.getByLabelText('Account name'), 'ann');
    await userEvent.type(screen.getByLabelText('Password'), 'x{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many wrong passwords for this account; try again in 30 s.');
  });

  it('with a token instead: checked with the server, then the shell; signing out forgets it without a call', async () => {
    const f = fakeFetch(shellRoutes({ 'GET /admin/v1/session': () => json(session({ account: 'ci', role: 'viewer', localAdmin: false })) }));
    vi.stubGlobal('fetch', f);
    render(<App connection={{ ...conn, token: null }} />);
    await userEvent.click(screen.getByRole('button', { name: 'Use a token instead' }));
    await userEvent.type(screen.getByLabelText('Admin token'), 'lha_123{Enter}');
    const who = await screen.findByRole('group', { name: 'Signed in' });
    expect(who).toHaveTextContent('ciViewer');
    await userEvent.click(within(who).getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('status')).toHaveTextContent('this page forgot the token');
    expect(f.mock.calls.some((c) => c[1]?.method === 'DELETE')).toBe(false);
  });

  it('a session that ends goes back to the sign-in page, saying so', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let ended = false;
    const f = fakeFetch(shellRoutes({
      'GET /admin/v1/session': () => (ended ? json({ code: 'unauthorized', message: 'authentication required' }, 401) : json(session({ account: 'ann', role: 'admin', by: 'session', localAdmin: false, hasPassword: true }))),
      'GET /admin/v1/licenses': () => (ended ? json({ code: 'unauthorized', message: 'authentication required' }, 401) : json([license()])),
    }));
    vi.stubGlobal('fetch', f);
    render(<App connection={{ ...conn, token: 'lhs_ann' }} />);
    await screen.findByRole('group', { name: 'Signed in' });
    ended = true;
    // The tab's next load, 5 s on, meets the 401.
    await act(async () => { await vi.advanceTimersByTimeAsync(5100); });
    vi.useRealTimers();
    expect(await screen.findByRole('alert')).toHaveTextContent('Your session has ended');
    expect(screen.getByLabelText('Account name')).toBeInTheDocument();
  });

  it('the desktop app’s local admin is shown, with nothing to sign out of', async () => {
    vi.stubGlobal('fetch', fakeFetch(shellRoutes({ 'GET /admin/v1/session': () => json(session()) })));
    render(<App connection={{ ...conn, desktop: true, serverControl: true, host: { running: true } }} />);
    const who = await screen.findByRole('group', { name: 'Signed in' });
    expect(who).toHaveTextContent('adminAdmin');
    expect(within(who).queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
  });
});

describe('what a role may press', () => {
  it('a viewer: Add, Remove and Activate are disabled, with the role needed in sight; Details stays', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': () => json([license({ state: 'needsActivation' })]) }), { me: session({ account: 'vic', role: 'viewer', localAdmin: false }) });
    expect(await screen.findByText('Needs the admin role to add, remove, activate or deactivate license codes (you are a viewer).')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: /^Remove the cad license/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Add license code' })).toBeDisabled();
    expect(screen.getByRole('button', { name: /^Activate the cad license/ })).toBeDisabled();
    expect(screen.getByRole('button', { name: /^Details of the cad license/ })).toBeEnabled();
  });

  it('an operator may disconnect; an admin sees no note', async () => {
    const routes = { 'GET /admin/v1/computers': seatServer([seat(1)]), 'GET /admin/v1/queue': () => json({ waiters: [] }) };
    const { unmount } = renderWithApi(<ComputersTab />, fakeFetch(routes), { me: session({ account: 'op', role: 'operator', localAdmin: false }) });
    expect(await screen.findByRole('button', { name: 'Disconnect user1 on ws-1 from cad' })).toBeEnabled();
    expect(screen.queryByText(/Needs the/)).not.toBeInTheDocument();
    unmount();
    renderWithApi(<ComputersTab />, fakeFetch(routes), { me: session({ account: 'vic', role: 'viewer', localAdmin: false }) });
    const button = await screen.findByRole('button', { name: 'Disconnect user1 on ws-1 from cad' });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute('title', 'Needs the operator role');
  });

  it('after a reload, closes what needs a role until the session answers, quietly; then opens it for an admin', async () => {
    let answer: (r: Response) => void = () => {};
    const asked = new Promise<Response>((resolve) => { answer = resolve; });
    vi.stubGlobal('fetch', fakeFetch(shellRoutes({ 'GET /admin/v1/session': () => asked })));
    // A reload: the tab's token is kept, who it signs in as is not known yet.
    render(<App connection={{ ...conn, token: 'lhs_olga' }} />);
    const add = await screen.findByRole('button', { name: 'Add license code' });
    const remove = await screen.findByRole('button', { name: /^Remove the cad license/ });
    expect(add).toBeDisabled();
    expect(remove).toBeDisabled();
    // No reason said while the role is not known: it would be wrong for an admin.
    expect(add).not.toHaveAttribute('title');
    expect(screen.queryByText(/Needs the/)).not.toBeInTheDocument();

    await act(async () => { answer(json(session({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true }))); });
    await waitFor(() => expect(add).toBeEnabled());
    expect(remove).toBeEnabled();
    expect(screen.queryByText(/Needs the/)).not.toBeInTheDocument();
  });

  it('after a reload, a viewer’s closed actions say why once the session answers', async () => {
    let answer: (r: Response) => void = () => {};
    const asked = new Promise<Response>((resolve) => { answer = resolve; });
    vi.stubGlobal('fetch', fakeFetch(shellRoutes({ 'GET /admin/v1/session': () => asked })));
    render(<App connection={{ ...conn, token: 'lhs_vic' }} />);
    const add = await screen.findByRole('button', { name: 'Add license code' });
    expect(add).toBeDisabled();
    expect(screen.queryByText(/Needs the/)).not.toBeInTheDocument();
    await act(async () => { answer(json(session({ account: 'vic', role: 'viewer', by: 'session', localAdmin: false, hasPassword: true }))); });
    expect(await screen.findByText('Needs the admin role to add, remove, activate or deactivate license codes (you are a viewer).')).toBeInTheDocument();
    expect(add).toBeDisabled();
    expect(add).toHaveAttribute('title', 'Needs the admin role');
  });

  it('a refusal the page did not foresee (403 forbidden) shows the server’s sentence', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({
      'GET /admin/v1/licenses': () => json([license()]),
      [`DELETE /admin/v1/licenses/${license().licenseId}`]: () => json({ code: 'forbidden', message: '`ann` is an operator; this needs the admin role (an admin can change the account\'s role)' }, 403),
    }), { me: session({ account: 'ann', role: 'admin', localAdmin: false }) });
    await userEvent.click(await screen.findByRole('button', { name: /^Remove the cad license/ }));
    const dialog = screen.getByRole('dialog', { name: 'Remove the cad license?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Remove license' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('ann is an operator; this needs the admin role (an admin can change the account\'s role).');
  });
});

describe('Accounts tab', () => {
  const accounts = [
    { name: 'admin', role: 'admin', hasPassword: false, localAdmin: true, tokens: 1, createdAt: 1 },
    { name: 'ann', role: 'operator', hasPassword: true, localAdmin: false, tokens: 2, createdAt: 2 },
  ];

  it('lists the accounts; an admin changes a role and makes a token shown once', async () => {
    let push: (e: Event[]) => void = () => {};
    const f = fakeFetch({
      'GET /admin/v1/accounts': () => json(accounts),
      'PUT /admin/v1/accounts/ann': ({ body }) => json({ ...accounts[1], role: (body as { role: string }).role }),
      'GET /admin/v1/accounts/admin/tokens': () => json([{ id: 'admin-token', label: 'the data directory\'s admin-token', createdAt: 1, dataDir: true }]),
      'POST /admin/v1/accounts/admin/tokens': ({ body }) => json({ id: 't1', label: (body as { label: string }).label, createdAt: 3, dataDir: false, token: 'lha_secret' }, 201),
    });
    const { ctx } = renderWithApi(<AccountsTab />, f, { me: session(), subscribe: (fn) => { push = fn; return () => {}; } });
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('row')[1]).toHaveTextContent('admin (you)Local adminAdmin1 token');
    expect(within(table).getAllByRole('row')[2]).toHaveTextContent('password and 2 tokens');
    expect(within(table).getByRole('button', { name: 'Remove the account admin' })).toBeDisabled();
    expect(await screen.findByText('In the data directory: not revoked here')).toBeInTheDocument();

    // Picking a role changes nothing until Save.
    fireEvent.change(screen.getByLabelText('Role of ann'), { target: { value: 'viewer' } });
    fireEvent.change(screen.getByLabelText('Role of ann'), { target: { value: 'admin' } });
    expect(f.mock.calls.some((c) => c[1]?.method === 'PUT')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Save the role of ann' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('ann is now an admin.'));
    expect(JSON.parse(String(f.mock.calls.find((c) => c[1]?.method === 'PUT')?.[1]?.body))).toEqual({ role: 'admin' });

    await userEvent.type(screen.getByLabelText('New token’s label'), 'backup{Enter}');
    const shown = await screen.findByRole('dialog', { name: 'Token “backup”' });
    expect(shown).toHaveTextContent('lha_secret');
    expect(within(shown).getByRole('button', { name: 'Copy token' })).toHaveFocus();
    await userEvent.click(within(shown).getByRole('button', { name: 'Done' }));
    expect(screen.queryByText('lha_secret')).not.toBeInTheDocument();
    act(() => push([event(1, { kind: 'account_changed' })]));
  });

  it('a viewer sees the list with every change closed, but changes its own password with the current one', async () => {
    const f = fakeFetch({
      'GET /admin/v1/accounts': () => json(accounts),
      'GET /admin/v1/accounts/vic/tokens': () => json([]),
      'PUT /admin/v1/accounts/vic/password': ({ body }) => ((body as { currentPassword?: string }).currentPassword === 'old password'
        ? new Response(null, { status: 204 })
        : json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401)),
    });
    const reportError = vi.fn();
    renderWithApi(<AccountsTab />, f, { me: session({ account: 'vic', role: 'viewer', localAdmin: false, hasPassword: true, by: 'session' }), reportError });
    expect(await screen.findByText('Needs the admin role to add accounts, change their roles, set their passwords, revoke their tokens or remove them (you are a viewer).')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add account…' })).toBeDisabled();
    expect(await screen.findByRole('button', { name: 'Set password for ann' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Tokens of ann' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Tokens of ann' })).toHaveAttribute('title', 'Needs the admin role');
    expect(screen.queryByLabelText('Role of ann')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Change my password…' }));
    const dialog = screen.getByRole('dialog', { name: 'Change my password' });
    await userEvent.type(within(dialog).getByLabelText('Current password'), 'not it');
    await userEvent.type(within(dialog).getByLabelText('New password'), 'a new password');
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'a new password{Enter}');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The account name or password is wrong.');
    expect(reportError).not.toHaveBeenCalled();
    await userEvent.clear(within(dialog).getByLabelText('Current password'));
    await userEvent.type(within(dialog).getByLabelText('Current password'), 'old password{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });
  /** The password dialog's routes: `name`'s current password is `old password`; each body is kept. */
  function passwordRoutes(name: string, bodies: unknown[]) {
    return {
      'GET /admin/v1/accounts': () => json([...accounts, { name: 'olga', role: 'admin', hasPassword: true, localAdmin: false, tokens: 0, createdAt: 3 }]),
      [`GET /admin/v1/accounts/${name}/tokens`]: () => json([]),
      [`PUT /admin/v1/accounts/${name}/password`]: ({ body }: { body: unknown }) => {
        bodies.push(body);
        const current = (body as { currentPassword?: string }).currentPassword;
        return current === 'old password' || (name !== 'olga' && current === undefined)
          ? new Response(null, { status: 204 })
          : json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401);
      },
    };
  }

  it('an admin changing their own password is asked for the current one too; a wrong one gets the server’s words', async () => {
    const bodies: unknown[] = [];
    const reportError = vi.fn();
    const { ctx } = renderWithApi(<AccountsTab />, fakeFetch(passwordRoutes('olga', bodies)), { me: session({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true }), reportError });
    await userEvent.click(screen.getByRole('button', { name: 'Change my password…' }));
    const dialog = screen.getByRole('dialog', { name: 'Change my password' });
    expect(within(dialog).getByLabelText('Current password')).toHaveFocus();
    expect(dialog).toHaveTextContent('Asked of every account, admins too');
    await userEvent.type(within(dialog).getByLabelText('New password'), 'a new password');
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'a new password{Enter}');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Enter your current password.');
    expect(bodies).toEqual([]);

    await userEvent.type(within(dialog).getByLabelText('Current password'), 'not it{Enter}');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The account name or password is wrong.');
    expect(reportError).not.toHaveBeenCalled();
    await userEvent.clear(within(dialog).getByLabelText('Current password'));
    await userEvent.type(within(dialog).getByLabelText('Current password'), 'old password{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(bodies).toEqual([
      { currentPassword: 'not it', password: 'a new password' },
      { currentPassword: 'old password', password: 'a new password' },
    ]);
    expect(ctx.notify).toHaveBeenCalledWith('Your password is changed. Your other sessions have ended.');
  });

  it('an admin sets another account’s password without the current one', async () => {
    const bodies: unknown[] = [];
    renderWithApi(<AccountsTab />, fakeFetch(passwordRoutes('ann', bodies)), { me: session({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true }) });
    await userEvent.click(await screen.findByRole('button', { name: 'Set password for ann' }));
    const dialog = screen.getByRole('dialog', { name: 'Set ann’s password' });
    expect(within(dialog).queryByLabelText('Current password')).not.toBeInTheDocument();
    await userEvent.type(within(dialog).getByLabelText('New password'), 'ann password');
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'ann password{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(bodies).toEqual([{ password: 'ann password' }]);
  });

  it('the data directory’s token is not asked, as the server says; the local admin’s token for scripts is', async () => {
    const bodies: unknown[] = [];
    const routes = { ...passwordRoutes('admin', bodies), 'PUT /admin/v1/accounts/admin/password': ({ body }: { body: unknown }) => { bodies.push(body); return new Response(null, { status: 204 }); } };
    const owner = session({ account: 'admin', role: 'admin', by: 'token', localAdmin: true, hasPassword: true, dataDirToken: true });
    const { unmount } = renderWithApi(<AccountsTab />, fakeFetch(routes), { me: owner });
    await userEvent.click(screen.getByRole('button', { name: 'Change my password…' }));
    let dialog = screen.getByRole('dialog', { name: 'Change my password' });
    expect(within(dialog).queryByLabelText('Current password')).not.toBeInTheDocument();
    expect(dialog).toHaveTextContent('Signed in with the data directory’s admin-token, you set it without the current one.');
    expect(within(dialog).getByLabelText('New password')).toHaveFocus();
    await userEvent.type(within(dialog).getByLabelText('New password'), 'machine owner');
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'machine owner{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(bodies).toEqual([{ password: 'machine owner' }]);
    unmount();

    // Another token of the same account (for scripts): the current password is asked, and needed.
    bodies.length = 0;
    renderWithApi(<AccountsTab />, fakeFetch(routes), { me: { ...owner, dataDirToken: false } });
    await userEvent.click(screen.getByRole('button', { name: 'Change my password…' }));
    dialog = screen.getByRole('dialog', { name: 'Change my password' });
    expect(within(dialog).getByLabelText('Current password')).toHaveAccessibleDescription('Asked of every account, admins too: a page left signed in cannot change the password.');
    await userEvent.type(within(dialog).getByLabelText('New password'), 'machine owner');
    await userEvent.type(within(dialog).getByLabelText('New password again'), 'machine owner{Enter}');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Enter your current password.');
    await userEvent.type(within(dialog).getByLabelText('Current password'), 'old password{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(bodies).toEqual([{ currentPassword: 'old password', password: 'machine owner' }]);
  });
});

describe('an account’s tokens', () => {
  const olga = session({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true });
  const token = (id: string, label: string, over: Partial<TokenView> = {}): TokenView => ({ id, label, createdAt: Date.UTC(2026, 10, 3, 9, 30), dataDir: false, ...over });

  /** A server whose accounts' tokens are `held` (revoked ones taken out); each DELETE is counted in `calls`. */
  function tokenServer(held: Record<string, TokenView[]>, calls: string[]) {
    const routes: Parameters<typeof fakeFetch>[0] = {
      'GET /admin/v1/accounts': () => json(Object.keys(held).map((name, i) => ({ name, role: name === 'ann' ? 'operator' : 'admin', hasPassword: true, localAdmin: name === 'admin', tokens: held[name].length, createdAt: i }))),
    };
    for (const name of Object.keys(held)) {
      routes[`GET /admin/v1/accounts/${name}/tokens`] = () => json(held[name]);
      routes[`DELETE /admin/v1/accounts/${name}/tokens`] = () => {
        calls.push(`all of ${name}`);
        const gone = held[name].filter((t) => !t.dataDir).length;
        held[name] = held[name].filter((t) => t.dataDir);
        return json({ revoked: gone });
      };
      for (const t of held[name]) {
        routes[`DELETE /admin/v1/accounts/${name}/tokens/${t.id}`] = () => {
          calls.push(`${t.id} of ${name}`);
          held[name] = held[name].filter((x) => x.id !== t.id);
          return new Response(null, { status: 204 });
        };
      }
    }
    return routes;
  }

  it('an admin opens another account’s tokens, revokes one, then all, the confirmation naming the account and how many', async () => {
    const held = { olga: [], ann: [token('t1', 'backup'), token('t2', 'nightly report'), token('t3', 'ci')] };
    const calls: string[] = [];
    const { ctx } = renderWithApi(<AccountsTab />, fakeFetch(tokenServer(held, calls)), { me: olga });
    await userEvent.click(await screen.findByRole('button', { name: 'Tokens of ann' }));
    const dialog = screen.getByRole('dialog', { name: 'Tokens of ann' });
    const list = await within(dialog).findByRole('list', { name: 'Tokens of ann' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^backupmade .*2026.* · id t1Revoke…$/),
      expect.stringMatching(/^nightly reportmade /),
      expect.stringMatching(/^cimade /),
    ]);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke the token backup of ann' }));
    const one = screen.getByRole('dialog', { name: 'Revoke the token “backup” of ann?' });
    await userEvent.click(within(one).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('Token “backup” of ann revoked.'));
    await waitFor(() => expect(within(dialog).getAllByRole('listitem')).toHaveLength(2));
    // The tokens dialog stays, the focus on the next token's Revoke.
    await waitFor(() => expect(within(dialog).getByRole('button', { name: 'Revoke the token nightly report of ann' })).toHaveFocus());

    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke all 2 tokens…' }));
    const all = screen.getByRole('dialog', { name: 'Revoke all 2 tokens of ann?' });
    expect(all).toHaveTextContent('ann’s password and sessions stay.');
    expect(within(all).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(within(all).getByRole('button', { name: 'Revoke all tokens' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('2 tokens of ann revoked.'));
    expect(await within(dialog).findByText('ann has no tokens.')).toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: /^Revoke all/ })).not.toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Done' })).toHaveFocus();
    expect(calls).toEqual(['t1 of ann', 'all of ann']);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('the local admin’s data-directory token is listed, not counted nor revoked; a refusal keeps the server’s words', async () => {
    const held = { olga: [], admin: [token('admin-token', 'the data directory’s admin-token', { dataDir: true }), token('t1', 'backup'), token('t2', 'ci')] };
    const routes = { ...tokenServer(held, []), 'DELETE /admin/v1/accounts/admin/tokens': () => json({ code: 'storage_full', message: 'the disk holding the database is full' }, 507) };
    renderWithApi(<AccountsTab />, fakeFetch(routes), { me: olga });
    await userEvent.click(await screen.findByRole('button', { name: 'Tokens of admin' }));
    const dialog = screen.getByRole('dialog', { name: 'Tokens of admin' });
    expect(await within(dialog).findByText('In the data directory: not revoked here')).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke all 2 tokens…' }));
    const all = screen.getByRole('dialog', { name: 'Revoke all 2 tokens of admin?' });
    expect(all).toHaveTextContent('admin’s password and sessions stay, and so does the data directory’s admin-token.');
    await userEvent.click(within(all).getByRole('button', { name: 'Revoke all tokens' }));
    expect(await within(all).findByText('The disk holding the database is full.')).toBeInTheDocument();
  });

  it('Revoke all my tokens shows with more than one token to revoke, and warns a page signed in with a token', async () => {
    const vic = session({ account: 'vic', role: 'viewer', by: 'token', localAdmin: false, hasPassword: true });
    const held: Record<string, TokenView[]> = { vic: [token('t1', 'backup')] };
    const calls: string[] = [];
    const f = fakeFetch(tokenServer(held, calls));
    const { ctx, unmount } = renderWithApi(<AccountsTab />, f, { me: vic });
    await screen.findByRole('list', { name: 'Your tokens' });
    expect(screen.queryByRole('button', { name: 'Revoke all my tokens…' })).not.toBeInTheDocument();
    unmount();

    held.vic = [token('t1', 'backup'), token('t2', 'ci'), token('t3', 'report')];
    renderWithApi(<AccountsTab />, f, { me: vic, notify: ctx.notify });
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke all my tokens…' }));
    const all = screen.getByRole('dialog', { name: 'Revoke all 3 of your tokens?' });
    expect(all).toHaveTextContent('Your password and sessions stay.');
    expect(all).toHaveTextContent('This page signed in with a token: if it is one of these, the page is signed out at once.');
    await userEvent.click(within(all).getByRole('button', { name: 'Revoke all tokens' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('3 tokens of yours revoked.'));
    expect(await screen.findByText('None yet.')).toBeInTheDocument();
    expect(screen.getByLabelText('New token’s label')).toHaveFocus();
    expect(calls).toEqual(['all of vic']);
  });

  it('a page holding the data directory’s admin-token is not warned (it stays), in the desktop app or not; the local admin’s token for scripts is', async () => {
    const held = { admin: [token('admin-token', 'the data directory’s admin-token', { dataDir: true }), token('t1', 'backup'), token('t2', 'ci')] };
    const f = fakeFetch(tokenServer(held, []));
    const warning = 'This page signed in with a token: if it is one of these, the page is signed out at once.';
    for (const [api, me, warned] of [
      [new Api({ ...conn, desktop: true }, f), session(), false],
      [new Api(conn, f), session(), false],
      [new Api(conn, f), session({ dataDirToken: false }), true],
    ] as const) {
      const { unmount } = renderWithApi(<AccountsTab />, f, { api, me });
      await userEvent.click(await screen.findByRole('button', { name: 'Revoke all my tokens…' }));
      const all = screen.getByRole('dialog', { name: 'Revoke all 2 of your tokens?' });
      expect(all).toHaveTextContent('Your password and sessions stay, and so does the data directory’s admin-token.');
      if (warned) expect(all).toHaveTextContent(warning);
      else expect(all).not.toHaveTextContent(warning);
      unmount();
    }
  });
});
