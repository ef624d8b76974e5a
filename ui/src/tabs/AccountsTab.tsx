// Accounts: who is signed in here and how (with its password and its tokens
// for scripts, which every account manages for itself), and every admin
// account with its role, which admins manage.
import { useState } from 'react';
import { Badge } from '../components/Badge';
import { PanelHead } from '../components/PanelHead';
import { Loading, StaleNotice } from '../components/States';
import { useApp } from '../hooks';
import { ROLE_HELP, ROLE_LABEL } from '../roles';
import { PasswordDialog } from './AccountDialogs';
import { AccountList } from './AccountList';
import { MyTokens } from './MyTokens';

export function AccountsTab() {
  const { me } = useApp();
  const [changing, setChanging] = useState(false);
  if (!me) return <section className="panel"><PanelHead title="Accounts" /><Loading label="Asking the server who is signed in…" /></section>;

  return (
    <section className="panel">
      <PanelHead title="Accounts" subtitle={<span>Signed in as <strong>{me.account}</strong>, {me.role === 'viewer' ? 'a' : 'an'} {me.role}</span>} />
      {/* Offline, said once here for the cards below. */}
      <StaleNotice error={undefined} />
      <div className="cards">
        <section className="card" aria-labelledby="my-account-title">
          <h2 id="my-account-title">My account</h2>
          <dl className="facts">
            <dt>Account</dt>
            <dd><span className="cell-strong">{me.account}</span> {me.localAdmin && <Badge tone="info">Local admin</Badge>}</dd>
            <dt>Role</dt>
            <dd>{ROLE_LABEL[me.role]} <span className="muted">— {ROLE_HELP[me.role]}</span></dd>
            <dt>Signed in</dt>
            <dd>
              {me.by === 'session'
                ? <>With a password <span className="muted">(the session ends after 12 hours unused, 7 days at most)</span></>
                : me.localAdmin ? 'With the data directory’s admin token' : 'With a token'}
            </dd>
            <dt>Password</dt>
            <dd>{me.hasPassword ? 'Set' : 'None: this account signs in with tokens only'}</dd>
          </dl>
          <div className="card-actions">
            <button type="button" className="button" onClick={() => setChanging(true)}>{me.hasPassword ? 'Change my password…' : 'Set my password…'}</button>
          </div>
          {!me.hasPassword && me.localAdmin && (
            <p className="muted small">With a password, this account can also sign in from a browser on another computer.</p>
          )}
        </section>
        <MyTokens account={me.account} localAdmin={me.localAdmin} />
        <AccountList />
      </div>
      {changing && <PasswordDialog account={me.account} own hasPassword={me.hasPassword} onClose={() => setChanging(false)} />}
    </section>
  );
}
