// Paste a code, see what it adds (or the server's exact reason it won't), then add it.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type LicenseView } from '../api';
import { Badge } from '../components/Badge';
import { Dialog } from '../components/Dialog';
import { useApp } from '../hooks';
import { formatDuration, plural } from '../format';
import { stateBadge, stateReasonText, validity } from './licenseText';
import { ErrorProse, Prose } from '../components/Prose';
import { useNeeds } from '../roles';
import { VendorKeyDialog } from './VendorKeyDialog';

type Check =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'ok'; code: string; preview: LicenseView }
  | { kind: 'bad'; code: string; error: unknown };

export function AddLicenseDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (l: LicenseView) => void }) {
  const { api } = useApp();
  const [code, setCode] = useState('');
  const [check, setCheck] = useState<Check>({ kind: 'idle' });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [addingKey, setAddingKey] = useState(false);
  const keyNeeds = useNeeds('admin');
  const seq = useRef(0);
  const trimmed = code.trim();

  const runCheck = async (text: string) => {
    const my = ++seq.current;
    setCheck({ kind: 'checking' });
    try {
      const preview = await api.previewLicense(text);
      if (my === seq.current) setCheck({ kind: 'ok', code: text, preview });
    } catch (error) {
      if (my === seq.current) setCheck({ kind: 'bad', code: text, error });
    }
  };

  useEffect(() => {
    setSaveError(undefined);
    if (!trimmed) { seq.current++; setCheck({ kind: 'idle' }); return; }
    const t = setTimeout(() => void runCheck(trimmed), 400);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [trimmed]);

  const ready = check.kind === 'ok' && check.code === trimmed;
  const add = async () => {
    if (!ready) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      const added = await api.addLicense(trimmed);
      onAdded(added);
      onClose();
    } catch (e) {
      setSaveError(e);
      setSaving(false);
    }
  };

  const untrusted = check.kind === 'bad' && check.error instanceof ApiError && check.error.code === 'untrusted_vendor';
  return (
    <>
    <Dialog
      title="Add a license code"
      onClose={onClose}
      busy={saving}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={saving}>Cancel</button>
          <button type="button" className="button button-primary" onClick={add} disabled={!ready || saving}>
            {saving ? 'Adding…' : ready ? `Add ${check.preview.seats} ${check.preview.seats === 1 ? 'seat' : 'seats'} of ${check.preview.product}` : 'Add license'}
          </button>
        </>
      }
    >
      <div className="field">
        <label className="field-label" htmlFor="license-code">License code</label>
        <textarea
          id="license-code"
          className="code-input"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          rows={5}
          spellCheck={false}
          autoComplete="off"
          placeholder="Paste the code your vendor sent, e.g. LHC1-ABCD-EFGH-…"
          data-autofocus
          aria-describedby="license-code-hint license-check"
        />
        <span className="field-hint" id="license-code-hint">The code is checked as you paste it. Nothing is saved until you press Add.</span>
      </div>
      <div id="license-check" aria-live="polite" className="check-result">
        {check.kind === 'checking' && <p className="muted"><span className="spinner spinner-small" aria-hidden="true" /> Checking the code with the server…</p>}
        {check.kind === 'bad' && (
          // The server's machine-readable code stays out of the text (people read
          // the sentence); it is on the element for support and for tests.
          <div className="notice notice-error" role="alert" data-error-code={check.error instanceof ApiError ? check.error.code : undefined}>
            <strong>This code cannot be added.</strong> <ErrorProse error={check.error} />
            {untrusted && (
              <p className="notice-next">
                If the code is from a vendor you buy from, trust the vendor’s key, then add the code:{' '}
                <button type="button" className="link-button link-inline" onClick={() => setAddingKey(true)} disabled={keyNeeds.closed} title={keyNeeds.why}>Add vendor key…</button>
                {keyNeeds.why && <span className="muted"> ({keyNeeds.why.toLowerCase()})</span>}
              </p>
            )}
          </div>
        )}
        {check.kind === 'ok' && <Preview l={check.preview} />}
      </div>
      {saveError !== undefined && <div className="notice notice-error" role="alert"><ErrorProse error={saveError} /></div>}
    </Dialog>
    {addingKey && (
      <VendorKeyDialog
        why="The code is signed by a vendor key this server does not trust yet. Paste that vendor’s public key; the code is checked again once it is trusted."
        onClose={() => setAddingKey(false)}
        onAdded={() => { if (trimmed) void runCheck(trimmed); }}
      />
    )}
    </>
  );
}

function Preview({ l }: { l: LicenseView }) {
  const s = stateBadge(l);
  return (
    <div className="preview">
      <p className="preview-title">
        <strong>{l.product}</strong> · {plural(l.seats, 'seat')} <Badge tone={s.tone}>{s.label}</Badge>
      </p>
      <dl className="facts">
        <dt>Customer</dt><dd>{l.customer || '—'}</dd>
        <dt>Valid</dt><dd>{validity(l)}</dd>
        <dt>Features</dt><dd>{l.features.length ? l.features.join(', ') : 'None'}</dd>
        <dt>Lease length</dt><dd>{formatDuration(l.leaseSecs * 1000)}</dd>
      </dl>
      {l.stateReason && <p className="muted"><Prose text={stateReasonText(l.stateReason)} /></p>}
    </div>
  );
}
