// The vendor's activation authority, on the Server tab: where this server
// activates licences online (Activate online in the Licenses tab's Activate…)
// and sends deactivation proofs. Shown, set or forgotten; an address the
// server refuses gets the server's sentence.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type ServerStatus } from '../api';
import { useApp } from '../hooks';
import { ErrorProse } from '../components/Prose';
import { useNeeds } from '../roles';

export function AuthorityCard({ current, onChanged, focus }: {
  /** The address the server keeps, if any. */
  current?: string | null;
  /** The status the change answered. */
  onChanged: (s: ServerStatus) => void;
  /** Bring the address field into view and focus it (the Activate dialog sent the admin here). */
  focus?: boolean;
}) {
  const { api, notify } = useApp();
  // What the admin typed; until then the field shows the address kept.
  const [draft, setDraft] = useState<string>();
  const [busy, setBusy] = useState<'save' | 'forget'>();
  const [error, setError] = useState<{ e: unknown; forgetting: boolean }>();
  const input = useRef<HTMLInputElement>(null);
  const needs = useNeeds('admin');

  useEffect(() => {
    if (!focus) return;
    input.current?.scrollIntoView?.({ block: 'center' }); // jsdom has none
    input.current?.focus();
  }, [focus]);

  const value = draft ?? current ?? '';
  const wanted = value.trim();
  const change = async (url: string | null) => {
    setBusy(url === null ? 'forget' : 'save');
    setError(undefined);
    try {
      const s = await api.setAuthority(url);
      setDraft(undefined);
      onChanged(s);
      notify(s.authorityUrl
        ? `Licenses are now activated online through ${s.authorityUrl}.`
        : 'Activation authority forgotten. Licenses are activated offline, with a request and your vendor’s response.');
    } catch (e) {
      setError({ e, forgetting: url === null });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <div className="card card-wide" id="authority">
      <h2>Activation authority</h2>
      <p className="muted small">
        Your vendor’s service that activates licenses online: <em>Activate online</em> asks it for this server’s activation, and
        Deactivate… sends it the proof that frees one. Without it, licenses are activated offline, with a request and your vendor’s response.
      </p>
      <dl className="facts">
        <dt>In use</dt>
        <dd>{current ? <span className="mono">{current}</span> : <span className="muted">None</span>}</dd>
      </dl>
      <form className="authority-form" noValidate onSubmit={(e) => { e.preventDefault(); if (wanted && wanted !== current) void change(wanted); }}>
        <div className="field">
          <label className="field-label" htmlFor="authority-url">Authority address</label>
          <input
            ref={input}
            id="authority-url"
            type="text"
            inputMode="url"
            className="code-input"
            value={value}
            onChange={(e) => { setDraft(e.target.value); setError(undefined); }}
            placeholder="http://activation.vendor.example:7900"
            spellCheck={false}
            autoComplete="off"
            aria-describedby="authority-url-hint"
            aria-invalid={error !== undefined && !error.forgetting}
            readOnly={needs.closed}
          />
          <span id="authority-url-hint" className="field-hint">As your vendor gave it: http://host:port.</span>
        </div>
        <button type="submit" className="button button-primary" disabled={needs.closed || busy !== undefined || !wanted || wanted === current} title={needs.why}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
        {current && (
          <button type="button" className="button" onClick={() => void change(null)} disabled={needs.closed || busy !== undefined} title={needs.why}>
            {busy === 'forget' ? 'Forgetting…' : 'Forget'}
          </button>
        )}
      </form>
      {error !== undefined && (
        <div className="notice notice-error authority-error" role="alert" data-error-code={error.e instanceof ApiError ? error.e.code : undefined}>
          <strong>{error.forgetting ? 'Not forgotten.' : 'Not saved.'}</strong> <ErrorProse error={error.e} />
        </div>
      )}
    </div>
  );
}
