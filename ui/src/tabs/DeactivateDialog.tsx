// Deactivate a licence on this server, to move it to another computer: say
// what happens, then show the server-signed proof for the vendor (copy it or
// save it as a file) and what to do next.
import { useState } from 'react';
import { ApiError, sentence, type Deactivated, type LicenseView } from '../api';
import { Dialog } from '../components/Dialog';
import { TextBlock } from '../components/TextBlock';
import { plural } from '../format';
import { useApp } from '../hooks';
import { removalEffect } from './licenseText';
import { ErrorProse, Prose } from '../components/Prose';

export function DeactivateDialog({ l, onClose, onDeactivated }: { l: LicenseView; onClose: () => void; onDeactivated: (d: Deactivated) => void }) {
  const { api } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<Deactivated>();

  const deactivate = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const d = await api.deactivate(l.licenseId);
      setDone(d);
      onDeactivated(d);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  // A dialog of its own, so focus moves to the proof when it opens.
  if (done) return <ProofDialog d={done} onClose={onClose} />;

  const seats = l.seats === 1 ? `its 1 seat of ${l.product} goes away` : `its ${l.seats.toLocaleString()} seats of ${l.product} go away`;
  return (
    <Dialog
      title={`Deactivate the ${l.product} license?`}
      onClose={onClose}
      busy={busy}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus>Cancel</button>
          <button type="button" className="button button-danger" onClick={deactivate} disabled={busy}>
            {busy ? 'Deactivating…' : 'Deactivate license'}
          </button>
        </>
      }
    >
      <p>
        The code for <strong>{l.customer || 'this customer'}</strong> stops counting on this server at once: {seats}.
      </p>
      <p>{removalEffect(l)}</p>
      <p>
        You then get a deactivation proof. It must reach your vendor's activation authority (this server sends it there at
        once when one is set) or your vendor, who checks it with <code>leasehold vendor deactivate</code>: that frees the
        activation, so the license can be activated on another computer.
      </p>
      <p className="muted">The code stays on this list as Needs activation. To count it here again, it has to be activated here again.</p>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}>
          <strong>Not deactivated.</strong> <ErrorProse error={error} />
        </div>
      )}
    </Dialog>
  );
}

function ProofDialog({ d, onClose }: { d: Deactivated; onClose: () => void }) {
  const over = d.inUse - d.seatsNow;
  const freed = d.authority?.freed === true;
  return (
    <Dialog
      title={`The ${d.product} license is deactivated here`}
      onClose={onClose}
      wide
      closeOnBackdrop={false}
      footer={<button type="button" className="button button-primary" onClick={onClose}>Done</button>}
    >
      <div className="notice notice-ok" role="status">
        It no longer counts on this server: {d.product} now has {plural(d.seatsNow, 'seat')}, {d.inUse.toLocaleString()} in use.
        {over > 0 && ` ${plural(over, 'lease')} ${over === 1 ? 'runs' : 'run'} to ${over === 1 ? 'its' : 'their'} end and ${over === 1 ? 'is' : 'are'} not renewed.`}
        {freed && ` The activation authority at ${d.authority!.url} freed the activation: the license may be activated on another computer now.`}
      </div>
      {d.authority && !freed && (
        <div className="notice notice-warn" role="alert">
          <strong>The activation authority did not take the proof.</strong> {d.authority.url}: <Prose text={sentence(d.authority.error ?? 'no reason given')} /> Send the proof to your vendor instead.
        </div>
      )}
      <TextBlock
        id="deactivation-proof"
        label="Deactivation proof"
        text={d.proof}
        copyLabel="Copy proof"
        fileName={`deactivation-proof-${d.product}-${d.licenseId.slice(0, 8)}.txt`}
        hint={freed
          ? "Signed by this server's key; it holds no secret. Keep a copy: it is shown only this once, and your vendor may ask for it."
          : "Signed by this server's key; it holds no secret. Copy it or save it now: it is shown only this once."}
        autoFocus
      />
      <h3 className="step-title">What to do next</h3>
      <ol className="next-steps">
        {!freed && (
          <li>Send the proof to your vendor, by email or on a USB stick. They check it with <code>leasehold vendor deactivate</code> (or their activation authority takes it), which frees the activation.</li>
        )}
        <li>On the other computer, add the same license code to its Leasehold server and activate it there with <em>Activate…</em> on its Licenses tab.</li>
      </ol>
    </Dialog>
  );
}
