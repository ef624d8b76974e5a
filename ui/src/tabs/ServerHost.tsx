// The Server tab's desktop parts: the embedded server stopped, failed to
// start, or listening on another port than asked, and the port dialog.
import { useEffect, useState } from 'react';
import { describeError, hostState, onHostChange, type HostState, type PortConflict } from '../api';
import { Badge } from '../components/Badge';
import { Dialog } from '../components/Dialog';
import { PanelHead } from '../components/PanelHead';
import { ErrorText } from '../components/States';
import { useApp, useSubmit } from '../hooks';
import { Prose } from '../components/Prose';

/**
 * The desktop app's word on its server: from the connection, then from each
 * command's answer and each change the app reports. Undefined in a browser.
 */
export function useHost(): [HostState | undefined, (h: HostState) => void] {
  const { api } = useApp();
  const [host, setHost] = useState<HostState | undefined>(api.conn.host);
  useEffect(() => setHost(api.conn.host), [api]);
  useEffect(() => (api.conn.desktop ? onHostChange((h) => setHost(hostState(h))) : undefined), [api]);
  return [host, setHost];
}

export function PortConflictNotice({ conflict, onChoose }: { conflict: PortConflict; onChoose: () => void }) {
  return (
    <div className="notice notice-warn notice-action" role="status">
      <span>
        <strong>Port {conflict.wanted} was in use by another program;</strong> Leasehold is listening on {conflict.got}.
        Clients configured for {conflict.wanted} won’t find it.
      </span>
      <button type="button" className="button button-small" onClick={onChoose}>Use another port…</button>
    </div>
  );
}

/** Asks for a port and moves the server there; a refused port is explained in the dialog. */
export function PortDialog({ suggested, onClose, onMoved }: { suggested?: number; onClose: () => void; onMoved: (h: HostState) => void }) {
  const { api } = useApp();
  const [text, setText] = useState(suggested ? String(suggested) : '');
  const port = Number(text);
  const valid = /^\d+$/.test(text.trim()) && port >= 1 && port <= 65535;
  const { busy, error, run: go } = useSubmit(async () => onMoved(await api.restartServerOnPort(port)), onClose);
  return (
    <Dialog
      title="Listen on another port"
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>Cancel</button>
          <button type="submit" form="port-form" className="button button-primary" disabled={busy || !valid}>{busy ? 'Moving…' : 'Use this port'}</button>
        </>
      }
    >
      <form id="port-form" onSubmit={(e) => { e.preventDefault(); if (valid) go(); }}>
        <div className="field">
          <label className="field-label" htmlFor="server-port">Port</label>
          <input id="server-port" aria-describedby="port-hint" className="code-input" inputMode="numeric" value={text} onChange={(e) => setText(e.target.value)} data-autofocus aria-invalid={text !== '' && !valid} />
          <span id="port-hint" className="field-hint">
            {text !== '' && !valid ? 'A port is a whole number from 1 to 65535.' : 'The server restarts on this port. Seats in use are kept; applications find it again at their next renewal if they are configured for this port.'}
          </span>
        </div>
      </form>
      <ErrorText error={error} />
    </Dialog>
  );
}

/** The server is stopped on purpose: a state, not an error. */
export function ServerStopped({ listen, onStart, busy, error }: { listen?: string; onStart: () => void; busy: boolean; error?: unknown }) {
  return (
    <section className="panel">
      <PanelHead title="Server" subtitle="The license server in this app">
        <Badge tone="neutral">Stopped</Badge>
      </PanelHead>
      <div className="state state-stopped">
        <span className="dot dot-off" aria-hidden="true" />
        <h2 className="state-title">The license server is stopped</h2>
        <p>
          Applications cannot get or renew seats while it is stopped. Seats already granted are kept and counted again
          when it starts, unless their leases run out first.{listen ? <> It will listen on <span className="mono">{listen}</span> again.</> : null}
        </p>
        <button type="button" className="button button-primary" onClick={onStart} disabled={busy}>{busy ? 'Starting…' : 'Start server'}</button>
        <ErrorText error={error} />
      </div>
    </section>
  );
}

/** The server did not start: what went wrong, in words, and what to do. */
export function ServerStartFailed({ problem, onRetry, onChoosePort, busy, error }: {
  problem: { code: string; message: string };
  onRetry: () => void;
  onChoosePort: () => void;
  busy: boolean;
  error?: unknown;
}) {
  const portProblem = problem.code === 'port_in_use' || problem.code === 'bind_failed';
  return (
    <section className="panel">
      <PanelHead title="Server" subtitle="The license server in this app">
        <Badge tone="bad">Did not start</Badge>
      </PanelHead>
      <div className="state state-error" role="alert">
        <h2 className="state-title">The license server did not start</h2>
        <p><Prose text={describeError(new Error(problem.message))} /></p>
        <p className="muted small">
          {portProblem
            ? 'Choose a port no other program uses, or stop the program that holds this one and try again.'
            : 'If another Leasehold server uses the same data directory, stop it first. The app’s log says more.'}
        </p>
        <div className="state-actions">
          <button type="button" className="button button-primary" onClick={onRetry} disabled={busy}>{busy ? 'Starting…' : 'Try again'}</button>
          {portProblem && <button type="button" className="button" onClick={onChoosePort} disabled={busy}>Use another port…</button>}
        </div>
        <ErrorText error={error} />
      </div>
    </section>
  );
}
