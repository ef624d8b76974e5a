// Sign-in for a plain browser: an admin account's name and password, or the
// admin token (the link `leasehold serve` prints carries it and signs in at
// once, as the local admin; so does the desktop app).
import { useState, type FormEvent } from 'react';
import { Api, ApiError, describeError, signIn, type Connection, type SessionView } from './api';
import { Prose } from './components/Prose';

/** Why the page is here: a session that ended, a token refused, a sign-out. */
export interface SignInNotice {
  text: string;
  /** 'info' for what the admin did (signed out), 'error' for what went wrong. */
  tone: 'info' | 'error';
  /** How to sign in again: a refused token opens the token field. */
  mode?: 'password' | 'token';
}

export function SignIn({ conn, notice, onSignedIn }: {
  conn: Connection;
  notice?: SignInNotice;
  /** The token to call with from now on, and who it signs in as. */
  onSignedIn: (token: string, who: SessionView) => void;
}) {
  const [mode, setMode] = useState<'password' | 'token'>(notice?.mode ?? 'password');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const shown = error ?? (notice?.tone === 'error' ? notice.text : undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'password' && (!name.trim() || !password)) { setError('Enter the account name and its password.'); return; }
    const t = token.trim();
    if (mode === 'token' && !t) { setError('Enter the admin token.'); return; }
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'password') {
        const who = await signIn(conn, name.trim(), password);
        if (!who.token) throw new ApiError('bad_response', 'The server signed in but sent no session. The server and this page may be different versions.', 201);
        onSignedIn(who.token, who);
      } else {
        onSignedIn(t, await new Api({ ...conn, token: t }).session());
      }
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  const switchTo = (m: 'password' | 'token') => { setMode(m); setError(undefined); };

  return (
    <div className="signin-page">
      {/* The page's one landmark: the form is all there is. */}
      <main className="signin-main">
        <form className="signin" onSubmit={submit} aria-labelledby="signin-title" aria-describedby="signin-help" noValidate>
          <div className="brand brand-large">
            <svg width="36" height="36" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" className="brand-mark" /><path d="M10 8v16h12" stroke="#fff" strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" /></svg>
            <span className="brand-name">Leasehold</span>
          </div>
          <h1 id="signin-title">Sign in to the license server</h1>
          {notice?.tone === 'info' && !error && <div className="notice notice-info" role="status">{notice.text}</div>}
          {mode === 'password' ? (
            <>
              <p id="signin-help" className="muted">
                With your Leasehold admin account. On the server’s own computer, the link <code>leasehold serve</code> prints
                (or <code>leasehold admin url</code>) signs in without one.
              </p>
              <label className="field">
                <span className="field-label">Account name</span>
                <input type="text" name="username" value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" autoCapitalize="none" autoFocus spellCheck={false} aria-invalid={!!error} />
              </label>
              <label className="field">
                <span className="field-label">Password</span>
                <input type="password" name="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" aria-invalid={!!error} />
              </label>
            </>
          ) : (
            <>
              <p id="signin-help" className="muted">
                An admin token: the one in the link <code>leasehold serve</code> printed (kept in the server’s data directory,
                readable by its owner only), or a token made for your account on the Accounts tab.
              </p>
              <label className="field">
                <span className="field-label">Admin token</span>
                <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" autoFocus spellCheck={false} aria-invalid={!!error} />
              </label>
            </>
          )}
          {shown && <div className="notice notice-error" role="alert"><Prose text={shown} /></div>}
          <button type="submit" className="button button-primary button-block" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
          <p className="signin-switch">
            {mode === 'password'
              ? <button type="button" className="link-button" onClick={() => switchTo('token')}>Use a token instead</button>
              : <button type="button" className="link-button" onClick={() => switchTo('password')}>Use an account name and password</button>}
          </p>
        </form>
      </main>
    </div>
  );
}
