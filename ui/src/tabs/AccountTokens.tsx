// An account's tokens for scripts: each with what it is for and when it was
// made, revoked one at a time or all at once, each after a question. One's
// own are on the Accounts tab (MyTokens); an admin opens any account's from
// the account list (AccountTokensDialog). The data directory's admin-token
// is listed for the local admin but never revoked here.
import { useEffect, useRef, useState } from 'react';
import type { TokenView } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog } from '../components/Dialog';
import { ErrorProse, Prose } from '../components/Prose';
import { StaleNotice } from '../components/States';
import { formatDateTime, plural } from '../format';
import { useApp, useResource } from '../hooks';

/** The tokens that revoking all of them revokes: every one but the data directory's. */
export function revocable(tokens: TokenView[]): TokenView[] {
  return tokens.filter((t) => !t.dataDir);
}

/** `account`'s tokens, loaded and kept fresh (the same list for MyTokens and an admin's dialog). */
export function useTokens(account: string) {
  const { api } = useApp();
  return useResource(() => api.tokens(account), { key: `tokens ${account}`, intervalMs: 30_000, refreshOn: (e) => e.kind === 'account_changed' });
}

/**
 * `account`'s tokens, each with Revoke… (asked first); the data directory's
 * says why it has none. `own`: the signed-in account's, in its words.
 */
export function TokenList({ account, own, tokens, onRevoked }: { account: string; own: boolean; tokens: TokenView[]; onRevoked: () => void }) {
  const { api, notify } = useApp();
  const [revoking, setRevoking] = useState<TokenView>();
  const list = useRef<HTMLUListElement>(null);
  // Where the revoked token's row was: once the list has lost it, the focus goes to the Revoke… now there.
  const refocus = useRef<number>(undefined);
  const of = own ? '' : ` of ${account}`;
  useEffect(() => {
    const at = refocus.current;
    const buttons = list.current?.querySelectorAll('button');
    if (at === undefined || !buttons || document.activeElement?.isConnected && document.activeElement !== document.body) return;
    refocus.current = undefined;
    buttons[Math.min(at, buttons.length - 1)]?.focus();
  }, [tokens]);
  return (
    <>
      <ul className="token-list" ref={list} aria-label={own ? 'Your tokens' : `Tokens of ${account}`}>
        {tokens.map((t) => (
          <li key={t.id} className="token-row">
            <div className="token-what">
              <span className="token-label"><Prose text={t.label} /></span>
              <span className="muted small">made {formatDateTime(t.createdAt)} · id <span className="mono">{t.id}</span></span>
            </div>
            {t.dataDir
              ? <span className="muted small token-fixed">In the data directory: not revoked here</span>
              : <button type="button" className="button button-small button-quiet-danger" onClick={() => setRevoking(t)} aria-label={`Revoke the token ${t.label}${of}`}>Revoke…</button>}
          </li>
        ))}
      </ul>
      {revoking && (
        <ConfirmDialog
          title={`Revoke the token “${revoking.label}”${of}?`}
          confirmLabel="Revoke token"
          danger
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await api.revokeToken(account, revoking.id);
            notify(`Token “${revoking.label}”${of} revoked.`);
            refocus.current = revocable(tokens).findIndex((t) => t.id === revoking.id);
            onRevoked();
          }}
        >
          <p>Calls with it are refused from now on: a script that uses it stops working until it is given another.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

/**
 * Asks before revoking every token of `account` at once (`count`: as many
 * as listed, more than one), then says how many the server revoked. Its
 * password and sessions stay; so does the data directory's admin-token
 * (`localAdmin`). `own`: the signed-in account's, in its words.
 */
export function RevokeAllTokensDialog({ account, own, localAdmin, count, onClose, onRevoked }: {
  account: string;
  own: boolean;
  localAdmin: boolean;
  count: number;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const { api, me, notify } = useApp();
  // This page may be signed in with one of them (not with the data directory's admin-token, which stays).
  const pageMayGo = me !== undefined && me.account === account && me.by === 'token' && !me.dataDirToken;
  return (
    <ConfirmDialog
      title={own ? `Revoke all ${count} of your tokens?` : `Revoke all ${count} tokens of ${account}?`}
      confirmLabel="Revoke all tokens"
      danger
      onClose={onClose}
      onConfirm={async () => {
        const { revoked } = await api.revokeAllTokens(account);
        if (revoked === 0) notify(own ? 'You had no tokens left to revoke.' : `${account} had no tokens left to revoke.`);
        else notify(own ? `${plural(revoked, 'token')} of yours revoked.` : `${plural(revoked, 'token')} of ${account} revoked.`);
        onRevoked();
      }}
    >
      <p>
        Calls with any of them are refused from now on: every script that uses one stops working until it is given a new token.
        {' '}{own ? 'Your' : `${account}’s`} password and sessions stay{localAdmin ? ', and so does the data directory’s admin-token' : ''}.
      </p>
      {pageMayGo && <p className="notice notice-warn">This page signed in with a token: if it is one of these, the page is signed out at once.</p>}
    </ConfirmDialog>
  );
}

/**
 * An admin's look at `account`'s tokens (label, when made), from the account
 * list: revoke one, or all at once (said with the account's name, even one's
 * own). `onChanged`: after a revoke (the list's counts change).
 */
export function AccountTokensDialog({ account, localAdmin, onClose, onChanged }: { account: string; localAdmin: boolean; onClose: () => void; onChanged: () => void }) {
  const res = useTokens(account);
  const [revokingAll, setRevokingAll] = useState(false);
  const close = useRef<HTMLButtonElement>(null);
  const tokens = res.data;
  const count = tokens ? revocable(tokens).length : 0;
  const changed = () => { res.reload(); onChanged(); };
  // A revoke that took the focused button away (the last token, or all): the focus goes to Done, not out of the dialog.
  useEffect(() => {
    const dialog = close.current?.closest('[role="dialog"]');
    if (dialog && !dialog.contains(document.activeElement)) close.current?.focus();
  }, [tokens]);
  return (
    <Dialog
      title={`Tokens of ${account}`}
      onClose={onClose}
      wide
      footer={
        <>
          {count > 1 && <button type="button" className="button button-quiet-danger" onClick={() => setRevokingAll(true)}>Revoke all {count} tokens…</button>}
          <button type="button" className="button button-primary" onClick={onClose} ref={close} data-autofocus>Done</button>
        </>
      }
    >
      <p className="muted small">Tokens for scripts and <code>leasehold admin</code> on other computers: each signs in as {account}, with its role, until it is revoked. A new password does not end them.</p>
      <StaleNotice error={res.error} />
      {tokens === undefined ? (
        res.error ? <p className="muted"><ErrorProse error={res.error} /></p> : <p className="muted">Loading the tokens…</p>
      ) : tokens.length === 0 ? (
        <p>{account} has no tokens.</p>
      ) : (
        <TokenList account={account} own={false} tokens={tokens} onRevoked={changed} />
      )}
      {revokingAll && (
        <RevokeAllTokensDialog account={account} own={false} localAdmin={localAdmin} count={count} onClose={() => setRevokingAll(false)} onRevoked={changed} />
      )}
    </Dialog>
  );
}
