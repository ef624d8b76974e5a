// The header's account: who is signed in, with which role, and Sign out. A
// session is ended on the server; a token has nothing to end there (it works
// until revoked), so signing out forgets it on this page. The desktop app
// signs in as the local admin by itself: it shows who, with no Sign out.
import { useState } from 'react';
import { ApiError } from './api';
import { Badge } from './components/Badge';
import { useApp } from './hooks';
import { ROLE_LABEL } from './roles';

export function WhoIsSignedIn({ onSignedOut }: { onSignedOut: (notice: string) => void }) {
  const { api, me, showTab } = useApp();
  const [busy, setBusy] = useState(false);
  if (!me) return null;
  const canSignOut = !(api.conn.desktop && me.by === 'token');

  const signOut = async () => {
    setBusy(true);
    if (me.by === 'session') {
      try {
        await api.signOut();
      } catch (e) {
        // Already ended on the server: signed out all the same.
        if (!(e instanceof ApiError && e.isUnauthorized)) {
          onSignedOut('Signed out on this page. The server could not be told, so the session stays valid until it times out (12 hours unused).');
          return;
        }
      }
      onSignedOut('You signed out.');
    } else {
      onSignedOut('You signed out: this page forgot the token. The token itself works until it is revoked.');
    }
  };

  return (
    <div className="who" role="group" aria-label="Signed in">
      <button
        type="button"
        className="who-name"
        onClick={() => showTab('accounts')}
        title={`Signed in as ${me.account} (${me.role}${me.localAdmin ? ', the local admin' : ''}) ${me.by === 'session' ? 'with a password' : 'with a token'}. Your tokens and password are on the Accounts tab.`}
      >
        <span className="who-account">{me.account}</span>
        <Badge tone={me.role === 'admin' ? 'info' : 'neutral'}>{ROLE_LABEL[me.role]}</Badge>
      </button>
      {canSignOut && <button type="button" className="button button-small" onClick={() => void signOut()} disabled={busy}>{busy ? 'Signing out…' : 'Sign out'}</button>}
    </div>
  );
}
