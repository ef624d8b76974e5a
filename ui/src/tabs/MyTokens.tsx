// The signed-in account's tokens for scripts: made with a label (the token is
// shown this once, with Copy: the server keeps only its digest), listed, and
// revoked. The data directory's admin-token is listed for the local admin
// but is not revoked here.
import { useId, useState } from 'react';
import { ApiError, type TokenMade, type TokenView } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyValue } from '../components/Copy';
import { Dialog } from '../components/Dialog';
import { Prose, ErrorProse } from '../components/Prose';
import { StaleNotice } from '../components/States';
import { formatDateTime } from '../format';
import { useApp, useResource } from '../hooks';

export function MyTokens({ account }: { account: string }) {
  const { api, notify } = useApp();
  const ids = useId();
  const res = useResource(() => api.tokens(account), { key: `tokens ${account}`, intervalMs: 30_000, refreshOn: (e) => e.kind === 'account_changed' });
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [made, setMade] = useState<TokenMade>();
  const [revoking, setRevoking] = useState<TokenView>();

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
        <ul className="token-list" aria-label="Your tokens">
          {tokens.map((t) => (
            <li key={t.id} className="token-row">
              <div className="token-what">
                <span className="token-label"><Prose text={t.label} /></span>
                <span className="muted small">made {formatDateTime(t.createdAt)} · id <span className="mono">{t.id}</span></span>
              </div>
              {t.dataDir
                ? <span className="muted small token-fixed">In the data directory: not revoked here</span>
                : <button type="button" className="button button-small button-quiet-danger" onClick={() => setRevoking(t)} aria-label={`Revoke the token ${t.label}`}>Revoke…</button>}
            </li>
          ))}
        </ul>
      )}
      <form className="token-form" noValidate onSubmit={(e) => { e.preventDefault(); if (!busy) void make(); }}>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-label`}>New token’s label</label>
          <input id={`${ids}-label`} type="text" value={label} onChange={(e) => { setLabel(e.target.value); setError(undefined); }} placeholder="what it is for, e.g. backup script" maxLength={80} autoComplete="off" />
        </div>
        <button type="submit" className="button" disabled={busy}>{busy ? 'Making…' : 'Make token'}</button>
      </form>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}><ErrorProse error={error} /></div>
      )}
      {made && <TokenShownOnce t={made} onClose={() => setMade(undefined)} />}
      {revoking && (
        <ConfirmDialog
          title={`Revoke the token “${revoking.label}”?`}
          confirmLabel="Revoke token"
          danger
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await api.revokeToken(account, revoking.id);
            notify(`Token “${revoking.label}” revoked.`);
            res.reload();
          }}
        >
          <p>Calls with it are refused from now on: a script that uses it stops working until it is given another.</p>
        </ConfirmDialog>
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
