// Every admin account: its role, how it signs in, the local admin marked.
// Admins add accounts, change roles (with Save), set passwords, look at and
// revoke each account's tokens, and remove accounts; the other roles see
// the list with those actions closed.
import { useEffect, useId, useState } from 'react';
import { ApiError, type AccountView, type Role } from '../api';
import { Badge } from '../components/Badge';
import { Clip } from '../components/Clip';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorProse } from '../components/Prose';
import { RoleNote } from '../components/RoleNote';
import { StaleNotice } from '../components/States';
import { plural } from '../format';
import { useApp, useResource } from '../hooks';
import { ROLE_LABEL, useNeeds } from '../roles';
import { AddAccountDialog, PasswordDialog } from './AccountDialogs';
import { AccountTokensDialog } from './AccountTokens';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];

/**
 * An account's role, changed with Save: arrowing through a closed select
 * changes its value at each key in some browsers, which must not give the
 * account each role on the way.
 */
function RolePicker({ account, busy, disabled, onSave }: { account: AccountView; busy: boolean; disabled: boolean; onSave: (role: Role) => void }) {
  const [draft, setDraft] = useState<Role>(account.role);
  // The server's word wins once it answers (or another admin changed it).
  useEffect(() => setDraft(account.role), [account.role]);
  return (
    <span className="role-picker">
      <select value={draft} onChange={(e) => setDraft(e.target.value as Role)} disabled={disabled} aria-label={`Role of ${account.name}`}>
        {ROLES.map((r) => <option key={r} value={r}>{ROLE_LABEL[r]}</option>)}
      </select>
      {draft !== account.role && (
        <button type="button" className="button button-small" onClick={() => onSave(draft)} disabled={disabled} aria-label={`Save the role of ${account.name}`}>{busy ? 'Saving…' : 'Save'}</button>
      )}
    </span>
  );
}

/** "password and 2 tokens", "tokens only (1)", "nothing yet". */
export function signsInWith(a: Pick<AccountView, 'hasPassword' | 'tokens'>): string {
  if (a.hasPassword && a.tokens) return `password and ${plural(a.tokens, 'token')}`;
  if (a.hasPassword) return 'password';
  if (a.tokens) return plural(a.tokens, 'token');
  return 'nothing yet: set a password';
}

export function AccountList() {
  const { api, me, notify } = useApp();
  const ids = useId();
  const needs = useNeeds('admin');
  const res = useResource(api.accounts, { key: 'accounts', intervalMs: 30_000, refreshOn: (e) => e.kind === 'account_changed' });
  const [adding, setAdding] = useState(false);
  const [password, setPassword] = useState<AccountView>();
  const [removing, setRemoving] = useState<AccountView>();
  const [tokens, setTokens] = useState<AccountView>();
  const [roleError, setRoleError] = useState<{ name: string; error: unknown }>();
  const [changing, setChanging] = useState<string>();
  const accounts = res.data;
  const note = needs.why ? `${ids}-role` : undefined;

  const changeRole = async (a: AccountView, role: Role) => {
    setChanging(a.name);
    setRoleError(undefined);
    try {
      const after = await api.setRole(a.name, role);
      notify(`${after.name} is now ${after.role === 'viewer' ? 'a' : 'an'} ${after.role}.`);
      res.reload();
    } catch (error) {
      setRoleError({ name: a.name, error });
    } finally {
      setChanging(undefined);
    }
  };

  return (
    <section className="card card-wide" aria-labelledby={`${ids}-title`}>
      <div className="card-head">
        <h2 id={`${ids}-title`}>All accounts</h2>
        <button type="button" className="button button-small" onClick={() => setAdding(true)} disabled={needs.closed} title={needs.why} aria-describedby={note}>Add account…</button>
      </div>
      <RoleNote need="admin" to="to add accounts, change their roles, set their passwords, revoke their tokens or remove them" id={note} />
      <StaleNotice error={res.error} offlineSaidAbove />
      {accounts === undefined ? (
        res.error ? <p className="muted"><ErrorProse error={res.error} /></p> : <p className="muted">Loading the accounts…</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact accounts-table">
            <thead>
              <tr><th scope="col">Account</th><th scope="col">Role</th><th scope="col">Signs in with</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {accounts.map((a) => {
                const you = a.name === me?.account;
                return (
                  <tr key={a.name}>
                    <td className="account-cell">
                      <Clip className="cell-strong account-name" text={a.name} />
                      {you && <span className="muted small"> (you)</span>}
                      {a.localAdmin && <div><Badge tone="info" title="The data directory's admin-token signs in as this account (the desktop app, `leasehold admin` on the server's computer): it stays an admin and cannot be removed.">Local admin</Badge></div>}
                    </td>
                    <td>
                      {a.localAdmin || needs.closed ? (
                        <span title={a.localAdmin ? 'The local admin stays an admin.' : needs.why}>{ROLE_LABEL[a.role]}</span>
                      ) : (
                        <RolePicker account={a} busy={changing === a.name} disabled={changing !== undefined} onSave={(role) => void changeRole(a, role)} />
                      )}
                      {roleError?.name === a.name && (
                        <div className="notice notice-error role-error" role="alert" data-error-code={roleError.error instanceof ApiError ? roleError.error.code : undefined}>
                          <ErrorProse error={roleError.error} />
                        </div>
                      )}
                    </td>
                    <td>{signsInWith(a)}</td>
                    <td className="actions">
                      <div className="action-buttons">
                        <button type="button" className="button button-small" onClick={() => setTokens(a)} disabled={needs.closed} title={needs.why} aria-label={`Tokens of ${a.name}`}>Tokens…</button>
                        <button type="button" className="button button-small" onClick={() => setPassword(a)} disabled={needs.closed} title={needs.why} aria-label={`Set password for ${a.name}`}>Set password…</button>
                        <button
                          type="button"
                          className="button button-small button-quiet-danger"
                          onClick={() => setRemoving(a)}
                          disabled={needs.closed || a.localAdmin}
                          title={a.localAdmin ? 'The local admin cannot be removed.' : needs.why}
                          aria-label={`Remove the account ${a.name}`}
                        >
                          Remove…
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {adding && <AddAccountDialog onClose={() => setAdding(false)} onAdded={() => res.reload()} />}
      {password && <PasswordDialog account={password.name} own={password.name === me?.account} hasPassword={password.hasPassword} onClose={() => { setPassword(undefined); res.reload(); }} />}
      {tokens && <AccountTokensDialog account={tokens.name} localAdmin={tokens.localAdmin} onClose={() => setTokens(undefined)} onChanged={res.reload} />}
      {removing && (
        <ConfirmDialog
          title={`Remove the account ${removing.name}?`}
          confirmLabel="Remove account"
          danger
          onClose={() => setRemoving(undefined)}
          onConfirm={async () => {
            await api.removeAccount(removing.name);
            notify(`Account ${removing.name} removed.`);
            res.reload();
          }}
        >
          <p>
            <strong>{removing.name}</strong> ({removing.role}) can no longer sign in: its sessions and its {plural(removing.tokens, 'token')} end at once.
          </p>
          {removing.name === me?.account && <p className="notice notice-warn">This is your own account: this page is signed out at once.</p>}
        </ConfirmDialog>
      )}
    </section>
  );
}
