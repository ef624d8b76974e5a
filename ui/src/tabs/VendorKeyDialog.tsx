// Trust another vendor's key (`LHPK-…`), so this server accepts the codes it
// signs: from the Server tab, and from the Add license dialog when a code is
// signed by a key this server does not trust. A key the server refuses gets
// its sentence (which letter is wrong, or that this build trusts only its own).
import { useState } from 'react';
import { ApiError, type TrustedKeyView } from '../api';
import { Dialog } from '../components/Dialog';
import { ErrorProse } from '../components/Prose';
import { useApp, useSubmit } from '../hooks';

export function VendorKeyDialog({ onClose, onAdded, why }: {
  onClose: () => void;
  /** The key the server now trusts. */
  onAdded: (k: TrustedKeyView) => void;
  /** Why the admin is asked (the code that could not be added), above the field. */
  why?: string;
}) {
  const { api, notify } = useApp();
  const [key, setKey] = useState('');
  const wanted = key.trim();
  const { busy, error, setError, run } = useSubmit(async () => {
    const k = await api.addTrustedKey(wanted);
    notify(`Codes signed by the vendor key ${k.fingerprint} are now accepted.`);
    onAdded(k);
  }, onClose);
  const add = () => {
    if (wanted) run();
  };

  return (
    <Dialog
      title="Add a vendor key"
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>Cancel</button>
          <button type="submit" form="vendor-key-form" className="button button-primary" disabled={!wanted || busy}>{busy ? 'Adding…' : 'Trust this key'}</button>
        </>
      }
    >
      {why && <p>{why}</p>}
      <form id="vendor-key-form" noValidate onSubmit={(e) => { e.preventDefault(); add(); }}>
        <div className="field">
          <label className="field-label" htmlFor="vendor-key">Vendor public key</label>
          <textarea
            id="vendor-key"
            className="code-input"
            rows={3}
            value={key}
            onChange={(e) => { setKey(e.target.value); setError(undefined); }}
            placeholder="LHPK-…"
            spellCheck={false}
            autoComplete="off"
            data-autofocus
            aria-describedby="vendor-key-hint"
            aria-invalid={error !== undefined}
          />
          <span className="field-hint" id="vendor-key-hint">The <code>LHPK-…</code> line your vendor sent with its codes. Only trust a key you got from the vendor itself: this server then accepts every code it signs.</span>
        </div>
      </form>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}>
          <strong>This key was not added.</strong> <ErrorProse error={error} />
        </div>
      )}
    </Dialog>
  );
}
