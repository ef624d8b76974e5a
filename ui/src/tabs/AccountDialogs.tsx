// The Accounts tab's dialogs: make an account, set a password (one's own
// with the current one, admins included; anyone else's as an admin). Each
// shows the server's sentence when it refuses (a name taken, a password too
// short, the current password wrong).
import { useId, useState } from 'react';
import type { AccountView, Role } from '../api';
import { FormDialog } from '../components/FormDialog';
import { useApp, useSubmit } from '../hooks';
import { ROLE_HELP, ROLE_LABEL } from '../roles';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

export function AddAccountDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (a: AccountView) => void }) {
  const { api, notify } = useApp();
  const ids = useId();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const s = useSubmit(async () => {
    if (!name.trim()) throw new Error('Enter a name for the account.');
    const a = await api.addAccount({ name: name.trim(), role, ...(password ? { password } : {}) });
    notify(`Account ${a.name} made (${a.role}).${a.hasPassword ? '' : ' It has no password yet: set one, or make it a token, before it can sign in.'}`);
    onAdded(a);
  }, onClose);

  return (
    <FormDialog title="Add an account" submit="Add account" busyLabel="Adding…" onSubmit={s.run} onClose={onClose} busy={s.busy} error={s.error}>
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-name`}>Name</label>
        <input id={`${ids}-name`} type="text" value={name} onChange={(e) => { setName(e.target.value); s.setError(undefined); }} autoComplete="off" autoCapitalize="none" spellCheck={false} data-autofocus aria-describedby={`${ids}-name-hint`} maxLength={64} />
        <span className="field-hint" id={`${ids}-name-hint`}>Letters, digits and <code>. _ - @</code>, starting with a letter or digit: e.g. ann or ann@example.com.</span>
      </div>
      <fieldset className="field role-choice">
        <legend className="field-label">Role</legend>
        {ROLES.map((r) => (
          <label key={r} className="radio-row">
            <input type="radio" name={`${ids}-role`} value={r} checked={role === r} onChange={() => setRole(r)} />
            <span><strong>{ROLE_LABEL[r]}</strong> <span className="muted">— {ROLE_HELP[r]}</span></span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-password`}>Password <span className="muted">(optional)</span></label>
        <input id={`${ids}-password`} type="password" value={password} onChange={(e) => { setPassword(e.target.value); s.setError(undefined); }} autoComplete="new-password" aria-describedby={`${ids}-password-hint`} />
        <span className="field-hint" id={`${ids}-password-hint`}>8 to 128 characters. Without one the account cannot sign in with a password until one is set.</span>
      </div>
    </FormDialog>
  );
}

/**
 * Sets `account`'s password. `own`: the signed-in account's own, which asks
 * for the current one whenever it has one (`hasPassword`), admins included,
 * as the server does: a session left open must not hand the account over.
 * Only the holder of the data directory's admin-token (the machine's owner,
 * `me.dataDirToken`, as the server says) is not asked. An admin sets another
 * account's password without it (a session whose password was given long
 * ago is asked for it again by the shell, as for any such call).
 */
export function PasswordDialog({ account, own, hasPassword, onClose }: { account: string; own: boolean; hasPassword: boolean; onClose: () => void }) {
  const { api, me, notify } = useApp();
  const ids = useId();
  const askCurrent = own && hasPassword && !me?.dataDirToken;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const s = useSubmit(async () => {
    if (askCurrent && !current) throw new Error('Enter your current password.');
    if (!next) throw new Error('Enter the new password.');
    if (next !== again) throw new Error('The new password and its repetition differ. Type them again.');
    await api.setPassword(account, next, askCurrent ? current : undefined);
    notify(own ? 'Your password is changed. Your other sessions have ended.' : `${account}’s password is set. Their sessions have ended.`);
  }, onClose);
  const title = own ? (hasPassword ? 'Change my password' : 'Set my password') : `Set ${account}’s password`;

  return (
    <FormDialog title={title} submit={hasPassword ? 'Change password' : 'Set password'} busyLabel="Saving…" onSubmit={s.run} onClose={onClose} busy={s.busy} error={s.error}>
      {/* For the browser's password manager: whose password this is. */}
      <input type="text" name="username" value={account} autoComplete="username" readOnly hidden />
      {askCurrent && (
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-current`}>Current password</label>
          <input id={`${ids}-current`} type="password" value={current} onChange={(e) => { setCurrent(e.target.value); s.setError(undefined); }} autoComplete="current-password" data-autofocus aria-describedby={`${ids}-current-hint`} />
          <span className="field-hint" id={`${ids}-current-hint`}>Asked of every account, admins too: a page left signed in cannot change the password.</span>
        </div>
      )}
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-new`}>New password</label>
        <input id={`${ids}-new`} type="password" value={next} onChange={(e) => { setNext(e.target.value); s.setError(undefined); }} autoComplete="new-password" aria-describedby={`${ids}-hint`} data-autofocus={askCurrent ? undefined : true} />
        <span className="field-hint" id={`${ids}-hint`}>
          8 to 128 characters.{own ? ' Your other sessions end; this one stays.' : ` ${account}’s sessions end; their tokens stay.`}
          {own && hasPassword && !askCurrent && ' Signed in with the data directory’s admin-token, you set it without the current one.'}
        </span>
      </div>
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-again`}>New password again</label>
        <input id={`${ids}-again`} type="password" value={again} onChange={(e) => { setAgain(e.target.value); s.setError(undefined); }} autoComplete="new-password" />
      </div>
    </FormDialog>
  );
}
