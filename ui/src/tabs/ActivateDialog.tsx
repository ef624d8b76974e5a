// Activate a licence on this server: show the request to send the vendor
// (copy it or save it as a file), take the vendor's response (paste it or
// open the file), and say in words what happened.
import { useEffect, useState } from 'react';
import { ApiError, describeError, type LicenseView } from '../api';
import { Dialog } from '../components/Dialog';
import { TextBlock } from '../components/TextBlock';
import { useApp } from '../hooks';
import { licensedFor } from './licenseText';

type Request = { kind: 'loading' } | { kind: 'ok'; text: string } | { kind: 'bad'; error: unknown };

export function ActivateDialog({ l, onClose, onActivated }: { l: LicenseView; onClose: () => void; onActivated: (l: LicenseView) => void }) {
  const { api } = useApp();
  const [request, setRequest] = useState<Request>({ kind: 'loading' });
  const [response, setResponse] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    let live = true;
    api.activationRequest(l.licenseId).then(
      (r) => live && setRequest({ kind: 'ok', text: r.request }),
      (e) => live && setRequest({ kind: 'bad', error: e }),
    );
    return () => { live = false; };
  }, [api, l.licenseId]);

  const open = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > 64 * 1024) {
      setError(new ApiError('bad_activation', `${file.name} is ${file.size.toLocaleString()} bytes, far longer than an activation response. Choose the file the vendor sent.`, 0));
      return;
    }
    setError(undefined);
    try {
      setResponse(await readText(file));
    } catch {
      setError(new ApiError('bad_activation', `${file.name} cannot be read. Choose the file the vendor sent, or paste its text.`, 0));
    }
  };

  const activate = async () => {
    setSaving(true);
    setError(undefined);
    try {
      const activated = await api.importActivation(response.trim());
      onActivated(activated);
      onClose();
    } catch (e) {
      setError(e);
      setSaving(false);
    }
  };

  return (
    <Dialog
      title={`Activate the ${l.product} license`}
      onClose={onClose}
      busy={saving}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={saving}>Cancel</button>
          <button type="button" className="button button-primary" onClick={activate} disabled={!response.trim() || saving}>
            {saving ? 'Activating…' : 'Activate'}
          </button>
        </>
      }
    >
      <p>
        This code ({licensedFor(l.seats).toLowerCase()} of {l.product}) counts on this server once its vendor activates it here.
        Activation binds it to this server: the same code on another server counts nothing there.
      </p>
      <h3 className="step-title">1. Send this request to your vendor</h3>
      {request.kind === 'loading' && <p className="muted"><span className="spinner spinner-small" aria-hidden="true" /> Making the request…</p>}
      {request.kind === 'bad' && <div className="notice notice-error" role="alert">{describeError(request.error)}</div>}
      {request.kind === 'ok' && (
        <TextBlock
          id="activation-request"
          label="Activation request"
          text={request.text}
          copyLabel="Copy request"
          fileName={`activation-request-${l.product}-${l.licenseId.slice(0, 8)}.txt`}
          hint="It names this license, this server and this computer. It holds no secret: send it by email or on a USB stick."
        />
      )}
      <h3 className="step-title">2. Paste the vendor's response</h3>
      <div className="field">
        <label className="field-label" htmlFor="activation-response">Activation response</label>
        <textarea
          id="activation-response"
          className="code-input"
          value={response}
          onChange={(e) => { setResponse(e.target.value); setError(undefined); }}
          rows={4}
          spellCheck={false}
          autoComplete="off"
          placeholder="Paste the block the vendor sent back, or open the file"
          data-autofocus
        />
        <label className="button button-small file-button">
          Open file…
          <input type="file" accept=".txt,text/plain" className="sr-only" onChange={(e) => void open(e.target.files?.[0])} />
        </label>
      </div>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}>
          <strong>Not activated.</strong> {describeError(error)}
        </div>
      )}
    </Dialog>
  );
}

/** A small text file's contents (FileReader: every webview has it). */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsText(file);
  });
}
