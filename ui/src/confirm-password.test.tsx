// The password asked again: the dialog alone (a wrong password keeps it open
// with the server's sentence, too many say how long to wait, the right one
// closes it; Cancel and Esc give up), and in the shell's place over a tab:
// a token refused for a password given too long ago is made once it is
// given; cancelled, the action shows the refusal; over another dialog, Esc
// closes the question only.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ConfirmPasswordDialog, PasswordConfirmer } from './components/ConfirmPasswordDialog';
import { AccountsTab } from './tabs/AccountsTab';
import { fakeFetch, json, renderWithApi, session } from './test/fixtures';

const PASSWORD = 'correct horse battery';
const olga = session({ account: 'olga', role: 'admin', by: 'session', localAdmin: false, hasPassword: true });
const REFUSAL = {
  code: 'password_confirmation_required',
  message: "your password is asked again: a session makes accounts, changes roles, sets another account's password and makes tokens only within 15 minutes of giving its password. Give it again (the admin page asks for it; over the API, POST /admin/v1/session/confirm), or use a token for scripts",
};

/** The server's confirm: `PASSWORD` is right; after `tries` wrong ones it says to wait. Each password sent is kept. */
function confirmRoute(sent: string[], tries = 3) {
  return ({ body }: { body: unknown }) => {
    const { password } = body as { password: string };
    sent.push(password);
    if (password === PASSWORD) return json({ ...olga, confirmedUntil: Date.now() + 900_000 });
    if (sent.length > tries) return json({ code: 'too_many_sign_ins', message: 'too many wrong passwords for this account; try again in 30 s' }, 429);
    return json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401);
  };
}

describe('ConfirmPasswordDialog', () => {
  it('says why, names the account for password managers, and keeps a wrong password’s sentence until the right one', async () => {
    const sent: string[] = [];
    const onDone = vi.fn();
    renderWithApi(<ConfirmPasswordDialog account="olga" onDone={onDone} />, fakeFetch({ 'POST /admin/v1/session/confirm': confirmRoute(sent) }), { me: olga });
    const dialog = screen.getByRole('dialog', { name: 'Confirm your password' });
    expect(dialog).toHaveTextContent('You gave your password more than 15 minutes ago.');
    const field = within(dialog).getByLabelText<HTMLInputElement>('Your password');
    expect(field).toHaveFocus();
    expect(field).toHaveAttribute('autocomplete', 'current-password');
    expect(field).toHaveAccessibleDescription(/a page left signed in cannot hand out access/);
    const user = dialog.querySelector('input[autocomplete="username"]');
    expect(user).toHaveValue('olga');
    expect(user).not.toBeVisible();

    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Enter your password.');
    expect(sent).toEqual([]);

    await userEvent.type(field, 'not it{Enter}');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The account name or password is wrong.');
    expect(onDone).not.toHaveBeenCalled();
    // Selected, to be typed again at once: what is typed replaces it.
    await waitFor(() => expect([field.selectionStart, field.selectionEnd]).toEqual([0, 6]));
    expect(field).toHaveFocus();
    await userEvent.keyboard(`${PASSWORD}{Enter}`);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(true));
    expect(onDone).toHaveBeenCalledTimes(1);
    expect(sent).toEqual(['not it', PASSWORD]);
  });

  it('too many wrong passwords: the server’s sentence says how long to wait', async () => {
    const sent: string[] = [];
    renderWithApi(<ConfirmPasswordDialog account="olga" onDone={vi.fn()} />, fakeFetch({ 'POST /admin/v1/session/confirm': confirmRoute(sent, 0) }), { me: olga });
    await userEvent.type(screen.getByLabelText('Your password'), 'guess{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many wrong passwords for this account; try again in 30 s.');
    expect(screen.getByRole('dialog', { name: 'Confirm your password' })).toBeInTheDocument();
  });

  it('its refusals go to the shell’s reportError, which goes back to sign in for a session ended meanwhile (unauthorized) only', async () => {
    const reportError = vi.fn();
    let ended = false;
    const f = fakeFetch({ 'POST /admin/v1/session/confirm': () => (ended
      ? json({ code: 'unauthorized', message: 'authentication required' }, 401)
      : json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401)) });
    renderWithApi(<ConfirmPasswordDialog account="olga" onDone={vi.fn()} />, f, { me: olga, reportError });
    await userEvent.type(screen.getByLabelText('Your password'), 'not it{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('The account name or password is wrong.');
    expect(reportError).toHaveBeenCalledWith(expect.objectContaining({ code: 'sign_in_failed', isUnauthorized: false }));
    ended = true;
    await userEvent.keyboard('{Enter}');
    await waitFor(() => expect(reportError).toHaveBeenLastCalledWith(expect.objectContaining({ code: 'unauthorized', isUnauthorized: true })));
  });

  it('Cancel and Esc give up, sending nothing', async () => {
    const f = fakeFetch({});
    const onDone = vi.fn();
    const { unmount } = renderWithApi(<ConfirmPasswordDialog account="olga" onDone={onDone} />, f, { me: olga });
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onDone).toHaveBeenLastCalledWith(false);
    unmount();
    renderWithApi(<ConfirmPasswordDialog account="olga" onDone={onDone} />, f, { me: olga });
    await userEvent.keyboard('{Escape}');
    expect(onDone).toHaveBeenCalledTimes(2);
    expect(onDone).toHaveBeenLastCalledWith(false);
    expect(f).not.toHaveBeenCalled();
  });
});

describe('asked for by any action', () => {
  /** The Accounts tab with the shell's confirmer, signed in as olga; her first `refusals` tokens and accounts are refused. */
  function accountsWithConfirmer(refusals: number, confirms: string[]) {
    let left = refusals;
    const tokenCalls: string[] = [];
    const refuse = () => (left-- > 0 ? json(REFUSAL, 403) : undefined);
    const f = fakeFetch({
      'GET /admin/v1/accounts': () => json([{ name: 'olga', role: 'admin', hasPassword: true, localAdmin: false, tokens: 0, createdAt: 1 }]),
      'GET /admin/v1/accounts/olga/tokens': () => json([]),
      'POST /admin/v1/accounts/olga/tokens': ({ body }) => {
        const { label } = body as { label: string };
        tokenCalls.push(label);
        return refuse() ?? json({ id: 't1', label, createdAt: 2, dataDir: false, token: 'lha_secret' }, 201);
      },
      'POST /admin/v1/accounts': () => refuse() ?? json({ name: 'pat', role: 'viewer', hasPassword: false, localAdmin: false, tokens: 0, createdAt: 3 }, 201),
      'POST /admin/v1/session/confirm': confirmRoute(confirms),
    });
    const r = renderWithApi(<><AccountsTab /><PasswordConfirmer /></>, f, { me: olga });
    return { ...r, tokenCalls };
  }

  it('a token refused is made once the password is given again: one dialog, the call sent again', async () => {
    const confirms: string[] = [];
    const { tokenCalls } = accountsWithConfirmer(1, confirms);
    await userEvent.type(await screen.findByLabelText('New token’s label'), 'backup{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Confirm your password' });
    await userEvent.type(within(dialog).getByLabelText('Your password'), 'not it{Enter}');
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('The account name or password is wrong.');
    await userEvent.clear(within(dialog).getByLabelText('Your password'));
    await userEvent.type(within(dialog).getByLabelText('Your password'), `${PASSWORD}{Enter}`);
    const shown = await screen.findByRole('dialog', { name: 'Token “backup”' });
    expect(shown).toHaveTextContent('lha_secret');
    expect(screen.queryByRole('dialog', { name: 'Confirm your password' })).not.toBeInTheDocument();
    expect(tokenCalls).toEqual(['backup', 'backup']);
    expect(confirms).toEqual(['not it', PASSWORD]);
  });

  it('cancelled, the action shows the refusal in the server’s words', async () => {
    const { tokenCalls } = accountsWithConfirmer(1, []);
    await userEvent.type(await screen.findByLabelText('New token’s label'), 'backup{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Confirm your password' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/^Your password is asked again: a session makes accounts/);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(tokenCalls).toEqual(['backup']);
  });

  it('over another dialog, Esc closes the question only; that dialog shows the refusal', async () => {
    accountsWithConfirmer(1, []);
    await userEvent.click(await screen.findByRole('button', { name: 'Add account…' }));
    const add = screen.getByRole('dialog', { name: 'Add an account' });
    await userEvent.type(within(add).getByLabelText('Name'), 'pat{Enter}');
    await screen.findByRole('dialog', { name: 'Confirm your password' });
    expect(screen.getByLabelText('Your password')).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(await within(add).findByRole('alert')).toHaveTextContent(/^Your password is asked again/);
    expect(screen.queryByRole('dialog', { name: 'Confirm your password' })).not.toBeInTheDocument();
    expect(screen.getByRole('dialog', { name: 'Add an account' })).toBeInTheDocument();
  });
});
