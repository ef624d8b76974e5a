// The signed-in account's tokens for scripts: made with a label (the token is
// shown this once, with Copy: the server keeps only its digest), listed, and
// revoked, one or (when there are several) all at once. The data
// directory's admin-token is listed for the local admin but is not revoked
// here.
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, type TokenMade } from '../api';
import { CopyValue } from '../components/Copy';
import { Dialog } from '../components/Dialog';
import { ErrorProse } from '../components/Prose';
import { StaleNotice } from '../components/States';
import { useApp } from '../hooks';
import { RevokeAllTokensDialog, TokenList, revocable, useTokens } from './AccountTokens';

export function MyTokens({ account, localAdmin }: { account: string; localAdmin: boolean }) {
  const { api } = useApp();
  const ids = useId();
  const res = useTokens(account);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [made, setMade] = useState<TokenMade>();
  const [revokingAll, setRevokingAll] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // After a revoke took the focused button away (no token left to revoke), the focus goes to the new token's label.
  const revoked = useRef(false);
  const afterRevoke = () => { revoked.current = true; res.reload(); };
  useEffect(() => {
    if (!revoked.current) return;
    revoked.current = false;
    if (!document.activeElement?.isConnected || document.activeElement === document.body) input.current?.focus();
  }, [res.data]);

  const make = async () => {
    if (!label.trim()) { setError(new Error('Give the token a label: what it is for, e.g. “backup script”.')); return; }
    setBusy(true);
    setError(undefined);
    try {
      const t = await api.addToken(account, label.trim());
      setMade(t);
      setLabel('');
      res.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const tokens = res.data;
  const count = tokens ? revocable(tokens).length : 0;
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>My tokens</h2>
      <p className="muted small">For scripts and <code>leasehold admin</code> on other computers: each signs in as {account}, with your role, until it is revoked.</p>
      <StaleNotice error={res.error} offlineSaidAbove />
      {tokens === undefined ? (
        res.error ? <p className="muted"><ErrorProse error={res.error} /></p> : <p className="muted">Loading your tokens…</p>
      ) : tokens.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <TokenList account={account} own tokens={tokens} onRevoked={afterRevoke} />
      )}
      {count > 1 && (
        <p>
          <button type="button" className="button button-small button-quiet-danger" onClick={() => setRevokingAll(true)}>Revoke all my tokens…</button>
        </p>
      )}
      <form className="token-form" noValidate onSubmit={(e) => { e.preventDefault(); if (!busy) void make(); }}>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-label`}>New token’s label</label>
          <input id={`${ids}-label`} ref={input} type="text" value={label} onChange={(e) => { setLabel(e.target.value); setError(undefined); }} placeholder="what it is for, e.g. backup script" maxLength={80} autoComplete="off" />
        </div>
        <button type="submit" className="button" disabled={busy}>{busy ? 'Making…' : 'Make token'}</button>
      </form>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}><ErrorProse error={error} /></div>
      )}
      {made && <TokenShownOnce t={made} onClose={() => setMade(undefined)} />}
      {revokingAll && (
        <RevokeAllTokensDialog account={account} own localAdmin={localAdmin} count={count} onClose={() => setRevokingAll(false)} onRevoked={afterRevoke} />
      )}
    </section>
  );
}

/** The token just made, this once: the server keeps only its digest. */
function TokenShownOnce({ t, onClose }: { t: TokenMade; onClose: () => void }) {
  return (
    <Dialog
      title={`Token “${t.label}”`}
      onClose={onClose}
      wide
      closeOnBackdrop={false}
      footer={<button type="button" className="button button-primary" onClick={onClose}>Done</button>}
    >
      <div className="notice notice-warn" role="status"><strong>Copy it now: it is shown only this once.</strong> The server keeps only a digest of it.</div>
      <p className="token-once"><CopyValue value={t.token} label="token" autoFocus /></p>
      <p className="muted small">
        A script sends it as <code>Authorization: Bearer …</code>; <code>leasehold admin</code> takes it with <code>--token</code>.
        It signs in as your account, with your role, until you revoke it here.
      </p>
    </Dialog>
  );
}
