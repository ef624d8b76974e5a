// Activate a licence on this server: online through the vendor's activation
// authority when the server has one, or by the offline exchange: show the
// request to send the vendor (copy it or save it as a file), take the
// vendor's response (paste it or open the file). Either way, say in words
// what happened.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type LicenseView } from '../api';
import { Dialog } from '../components/Dialog';
import { TextBlock } from '../components/TextBlock';
import { plural } from '../format';
import { useApp } from '../hooks';
import { STATE_LABEL, stateReasonText } from './licenseText';
import { ErrorProse, Prose } from '../components/Prose';

type Request = { kind: 'loading' } | { kind: 'ok'; text: string } | { kind: 'bad'; error: unknown };
/** The server's activation authority: unknown while its status is asked for (or when it cannot be read). */
type Authority = { kind: 'unknown' } | { kind: 'none' } | { kind: 'set'; url: string };

export function ActivateDialog({ l, onClose, onActivated }: { l: LicenseView; onClose: () => void; onActivated: (l: LicenseView) => void }) {
  const { api, notify, showTab } = useApp();
  const [request, setRequest] = useState<Request>({ kind: 'loading' });
  const [authority, setAuthority] = useState<Authority>({ kind: 'unknown' });
  const [response, setResponse] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [online, setOnline] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const [activated, setActivated] = useState<{ l: LicenseView; authority: string }>();
  const onlineButton = useRef<HTMLButtonElement>(null);
  const responseBox = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    let live = true;
    api.activationRequest(l.licenseId).then(
      (r) => live && setRequest({ kind: 'ok', text: r.request }),
      (e) => live && setRequest({ kind: 'bad', error: e }),
    );
    // Without the status the offline exchange still works: no online part then.
    api.status().then(
      (s) => live && setAuthority(s.authorityUrl ? { kind: 'set', url: s.authorityUrl } : { kind: 'none' }),
      () => {},
    );
    return () => { live = false; };
  }, [api, l.licenseId]);

  // Activate online is the first thing to do once it is known to be there
  // (the dialog opened with focus on the response box, before the status came).
  useEffect(() => {
    if (authority.kind === 'set' && document.activeElement === responseBox.current && !responseBox.current?.value) onlineButton.current?.focus();
  }, [authority.kind]);

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
      const done = await api.importActivation(response.trim());
      notify(`Activated. ${done.product} now has ${plural(done.productSeats, 'seat')}.`);
      onActivated(done);
      onClose();
    } catch (e) {
      setError(e);
      setSaving(false);
    }
  };

  const activateOnline = async (url: string) => {
    setOnline({ busy: true });
    try {
      const done = await api.activateOnline(l.licenseId);
      setActivated({ l: done, authority: url });
      onActivated(done);
    } catch (e) {
      setOnline({ busy: false, error: e });
    }
  };

  // A dialog of its own, so focus moves to its Done button.
  if (activated) return <ActivatedDialog l={activated.l} authority={activated.authority} onClose={onClose} />;

  const busy = saving || online.busy;
  const hasAuthority = authority.kind === 'set';
  return (
    <Dialog
      title={`Activate the ${l.product} license`}
      onClose={onClose}
      busy={busy}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>Cancel</button>
          <button type="button" className={`button${hasAuthority ? '' : ' button-primary'}`} onClick={activate} disabled={!response.trim() || busy}>
            {saving ? 'Activating…' : 'Activate'}
          </button>
        </>
      }
    >
      <p>
        This code ({plural(l.seats, 'seat')} of {l.product}) counts on this server once its vendor activates it here.
        Activation binds it to this server: the same code on another server counts nothing there.
      </p>
      {authority.kind === 'none' && (
        <p className="muted">
          To activate online, set your vendor's activation authority on the{' '}
          <button type="button" className="link-button link-inline" onClick={() => { onClose(); showTab('server', 'authority'); }}>Server tab</button>.
        </p>
      )}
      {authority.kind === 'set' && (
        <section className="online-activation" aria-labelledby="activate-online-title">
          <h3 className="step-title" id="activate-online-title">Activate online</h3>
          <p>Your vendor's activation authority at <span className="mono">{authority.url}</span> activates it for this server at once.</p>
          <button ref={onlineButton} type="button" className="button button-primary" onClick={() => void activateOnline(authority.url)} disabled={busy}>
            {online.busy ? 'Activating online…' : 'Activate online'}
          </button>
          {online.error !== undefined && (
            <div className="notice notice-error online-error" role="alert" data-error-code={online.error instanceof ApiError ? online.error.code : undefined}>
              <strong>Not activated.</strong> <ErrorProse error={online.error} />
            </div>
          )}
        </section>
      )}
      {hasAuthority && <h3 className="section-title">Or activate offline, through your vendor</h3>}
      <h3 className="step-title">1. Send this request to your vendor</h3>
      {request.kind === 'loading' && <p className="muted"><span className="spinner spinner-small" aria-hidden="true" /> Making the request…</p>}
      {request.kind === 'bad' && <div className="notice notice-error" role="alert"><ErrorProse error={request.error} /></div>}
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
          ref={responseBox}
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
          <strong>Not activated.</strong> <ErrorProse error={error} />
        </div>
      )}
    </Dialog>
  );
}

/** What the online activation did, in words. */
function ActivatedDialog({ l, authority, onClose }: { l: LicenseView; authority: string; onClose: () => void }) {
  const counts = l.state === 'active';
  return (
    <Dialog
      title={`The ${l.product} license is activated`}
      onClose={onClose}
      wide
      footer={<button type="button" className="button button-primary" onClick={onClose} data-autofocus>Done</button>}
    >
      {counts ? (
        <div className="notice notice-ok" role="status">
          <strong>Activated: adds {plural(l.seats, 'seat')} of {l.product}.</strong> {l.product} now has {plural(l.productSeats, 'seat')}, {l.productInUse.toLocaleString()} in use.
        </div>
      ) : (
        // Activated, but not counting (a code not valid yet, the clock set back): say why.
        <div className="notice notice-warn" role="status">
          <strong>Activated, but it does not count now ({STATE_LABEL[l.state].label.toLowerCase()}).</strong> {l.stateReason ? <Prose text={stateReasonText(l.stateReason)} /> : ''}
        </div>
      )}
      <p>
        Your vendor's activation authority at <span className="mono">{authority}</span> activated it for this server
        {counts ? ': it counts here, and on no other server, until it is deactivated here.' : '.'}
      </p>
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
