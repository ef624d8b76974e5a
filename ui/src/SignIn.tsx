// Sign-in for a plain browser: the admin token the server printed.
import { useState, type FormEvent } from 'react';
import { Api, describeError, type Connection } from './api';
import { Prose } from './components/Prose';

export function SignIn({ conn, problem, onSignedIn }: { conn: Connection; problem?: string; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(problem);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) { setError('Enter the admin token.'); return; }
    setBusy(true);
    setError(undefined);
    try {
      await new Api({ ...conn, token: t }).status();
      onSignedIn(t);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };

  return (
    <div className="signin-page">
      <form className="signin" onSubmit={submit} aria-describedby="signin-help">
        <div className="brand brand-large">
          <svg width="36" height="36" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" className="brand-mark" /><path d="M10 8v16h12" stroke="#fff" strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" /></svg>
          <span className="brand-name">Leasehold</span>
        </div>
        <h1>Sign in to the license server</h1>
        <p id="signin-help" className="muted">
          Use the admin link that <code>leasehold serve</code> printed when it started (it carries the token), or paste the token here. The token is also kept in the server’s data directory, readable by its owner only.
        </p>
        <label className="field">
          <span className="field-label">Admin token</span>
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="current-password" autoFocus spellCheck={false} />
        </label>
        {error && <div className="notice notice-error" role="alert"><Prose text={error} /></div>}
        <button type="submit" className="button button-primary button-block" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
    </div>
  );
}
