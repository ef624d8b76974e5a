// Server: is it running, where it listens, what it serves, and where its data is.
import { useState } from 'react';
import { adminUrlFor, type ServerStatus, type ServiceAttachment, type TlsInfo } from '../api';
import { Badge, SeatMeter } from '../components/Badge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyValue } from '../components/Copy';
import { PanelHead } from '../components/PanelHead';
import { ErrorState, Loading, StaleNotice } from '../components/States';
import { addressHost, formatDateTime, formatDuration, plural } from '../format';
import { isOffline, useApp, useNow, useResource, type TabSpot } from '../hooks';
import { AuthorityCard } from './AuthorityCard';
import { PortConflictNotice, PortDialog, ServerStartFailed, ServerStopped, useHost } from './ServerHost';
import { AttachedNotice, InstalledNotice, ServiceOffer, ServiceProblem, ServiceStopped, useInstalledNote } from './ServiceConsole';
import { ErrorProse, Prose } from '../components/Prose';
import { RoleNote } from '../components/RoleNote';
import { useNeeds } from '../roles';
import { AlertSettingsCard } from './AlertSettingsCard';
import { ExpiryCard } from './ExpiryCard';
import { VendorKeyDialog } from './VendorKeyDialog';

const MDNS_LABEL: Record<string, { text: string; tone: 'ok' | 'neutral' | 'bad' }> = {
  announcing: { text: 'Announcing on the local network', tone: 'ok' },
  off: { text: 'Clients need the address entered by hand', tone: 'neutral' },
  failed: { text: 'Could not announce', tone: 'bad' },
  starting: { text: 'Starting the announcement…', tone: 'neutral' },
};

function portOf(listen: string): string {
  const m = /:(\d+)$/.exec(listen);
  return m ? m[1] : '';
}

/** Does `listen` (`127.0.0.1:7878`, `[::1]:7878`, `0.0.0.0:7878`) take connections from this computer only? */
export function listensOnLoopback(listen: string): boolean {
  const host = addressHost(listen).toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** `spot`: where another tab sent the admin (the activation authority's field). */
export function ServerTab({ spot }: { spot?: TabSpot } = {}) {
  const { api, notify, offline } = useApp();
  const res = useResource(api.status, { key: 'status', intervalMs: 3000, refreshOn: () => true });
  const now = useNow(1000);
  const [mdnsBusy, setMdnsBusy] = useState(false);
  const [mdnsError, setMdnsError] = useState<unknown>();
  const [stopping, setStopping] = useState(false);
  const [host, setHost] = useHost();
  const [choosingPort, setChoosingPort] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<unknown>();
  const [installed, dismissInstalled, showInstalled] = useInstalledNote();
  const [addingKey, setAddingKey] = useState(false);
  const needsAdmin = useNeeds('admin');
  const attached = host?.attached;

  const start = async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      setHost(await api.setServerRunning(true));
      notify(attached ? 'Service started.' : 'Server started.');
      res.reload();
    } catch (e) {
      setStartError(e);
    } finally {
      setStarting(false);
    }
  };
  const portDialog = choosingPort && (
    <PortDialog
      suggested={host?.portConflict?.wanted}
      onClose={() => setChoosingPort(false)}
      onMoved={(h) => { setHost(h); notify(`Leasehold now listens on port ${h.listen ? portOf(h.listen) : ''}.`); res.reload(); }}
    />
  );

  // Attached: what this window is the console of, and the service's problems.
  const notes = attached && (
    <>
      {installed && <InstalledNotice onDismiss={dismissInstalled} />}
      <AttachedNotice attached={attached} />
      {host.error && <ServiceProblem problem={host.error} attached={attached} />}
    </>
  );

  if (host && !host.running && attached) {
    return <ServiceStopped attached={attached} notes={notes} onStart={start} busy={starting} error={startError} />;
  }
  if (host && !host.running) {
    return (
      <>
        {host.error
          ? <ServerStartFailed problem={host.error} onRetry={start} onChoosePort={() => setChoosingPort(true)} busy={starting} error={startError} />
          : <ServerStopped listen={host.listen} onStart={start} busy={starting} error={startError} />}
        {portDialog}
      </>
    );
  }

  const s = res.data;
  if (res.loading && !s) return <section className="panel"><Loading label="Asking the server how it is…" /></section>;
  if (!s) {
    return (
      <section className="panel">
        <PanelHead title="Server"><Badge tone="bad">Not reachable</Badge></PanelHead>
        {notes}
        <ErrorState error={res.error} onRetry={res.reload} what="the server status" />
      </section>
    );
  }

  const running = !offline && !isOffline(res.error);
  const mdnsOn = s.mdns.state === 'announcing';
  const mdns = MDNS_LABEL[s.mdns.state] ?? { text: s.mdns.state, tone: 'neutral' as const };
  const uptime = running ? now - s.startedAt : s.uptimeSecs * 1000;
  const toggleMdns = async () => {
    setMdnsBusy(true);
    setMdnsError(undefined);
    try {
      await api.setMdns(!mdnsOn);
      res.reload();
    } catch (e) {
      setMdnsError(e);
    } finally {
      setMdnsBusy(false);
    }
  };

  return (
    <section className="panel">
      <PanelHead title="Server" subtitle={<>{s.serverName} · Leasehold {attached ? 'service ' : ''}{s.version}</>}>
        <ServerControl s={s} running={running} attached={attached} onStop={() => setStopping(true)} onStart={start} />
      </PanelHead>
      {notes}
      {host?.portConflict && <PortConflictNotice conflict={host.portConflict} onChoose={() => setChoosingPort(true)} />}
      <StaleNotice error={res.error} />
      <RoleNote need="admin" to="to change the server’s settings, vendor keys and the activation authority" id="server-role-note" />
      <div className="cards">
        <div className="card">
          <h2>Status</h2>
          <p className="big">
            <span className={`dot ${running ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
            {running ? 'Running' : 'Not reachable'}
          </p>
          <dl className="facts">
            <dt>Uptime</dt><dd>{formatDuration(uptime)}</dd>
            <dt>Started</dt><dd>{formatDateTime(s.startedAt)}</dd>
            <dt>Computers connected</dt><dd>{s.connectedClients.toLocaleString()}</dd>
            <dt>Seats in use</dt><dd>{s.leases.toLocaleString()}</dd>
          </dl>
        </div>
        <div className="card">
          <h2>Network</h2>
          <dl className="facts">
            <dt>Listening on</dt><dd><CopyValue value={s.listen} label="listen address" /></dd>
            {listensOnLoopback(s.listen)
              ? <><dt>Reachable from</dt><dd>This computer only. To serve the network, start the server with <code>--listen 0.0.0.0:{portOf(s.listen) || 'PORT'}</code>.</dd></>
              : <><dt>Firewall</dt><dd>Allow TCP port <strong>{portOf(s.listen) || '—'}</strong> for computers on this network</dd></>}
            <dt>Admin page</dt><dd><CopyValue value={adminUrlFor(api.conn, s.listen)} label="admin URL" /></dd>
            <dt>Remote admin</dt><dd>{s.adminRemote ? 'Allowed from other computers (with a password or token)' : 'Only from this computer'}</dd>
            <dt>HTTPS</dt><dd><Tls tls={s.tls} desktop={api.conn.desktop} /></dd>
          </dl>
          <div className="switch-row">
            <button
              type="button"
              role="switch"
              aria-checked={mdnsOn}
              className="switch"
              onClick={toggleMdns}
              disabled={mdnsBusy || needsAdmin.closed}
              title={needsAdmin.why}
              aria-describedby="mdns-state"
            >
              <span className="switch-knob" aria-hidden="true" />
              <span className="switch-label">Announce on the local network (mDNS)</span>
            </button>
            <p id="mdns-state" className="muted small"><Badge tone={mdns.tone}>{mdnsOn ? 'On' : s.mdns.state === 'failed' ? 'Failed' : 'Off'}</Badge> {mdns.text}{s.mdns.detail ? <>: <Prose text={s.mdns.detail} /></> : ''}{mdnsOn && s.mdns.addresses.length > 0 && <> · seen at <span className="mono">{s.mdns.addresses.join(', ')}</span></>}</p>
            {mdnsError !== undefined && <div className="notice notice-error" role="alert"><ErrorProse error={mdnsError} /></div>}
          </div>
        </div>
        <div className="card card-wide">
          <h2>Seats by product</h2>
          {s.products.length ? (
            <table className="table table-compact">
              <thead><tr><th scope="col">Product</th><th scope="col">In use</th><th scope="col">Most at once</th><th scope="col">Refused in the last hour</th></tr></thead>
              <tbody>
                {s.products.map((p) => (
                  <tr key={p.product}>
                    <td><strong>{p.product}</strong></td>
                    <td>{p.seats > 0 || p.inUse > 0 ? <SeatMeter inUse={p.inUse} seats={p.seats} /> : <span className="muted">No code counts now (the Licenses tab says why)</span>}</td>
                    <td>{p.highWater}</td>
                    <td>{p.denialsLastHour ? <span className="text-warn">{p.denialsLastHour}</span> : 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : <p className="muted">No product is licensed yet. Add a license code on the Licenses tab.</p>}
        </div>
        <div className="card card-wide">
          <h2>Storage and trust</h2>
          <dl className="facts">
            <dt>Data directory</dt><dd><CopyValue value={s.dataDir} label="data directory" /></dd>
            <dt>Server id</dt><dd className="mono">{s.serverId}</dd>
            <dt>Trusted vendor keys</dt>
            <dd>
              {s.trustedKeys.length ? (
                <ul className="plain-list">
                  {s.trustedKeys.map((k) => <li key={k.publicKey}><span className="mono">{k.fingerprint}</span> <span className="muted small">({KEY_SOURCE[k.source]})</span></li>)}
                </ul>
              ) : 'None: license codes cannot be verified until a vendor key is trusted.'}
              <div className="card-actions">
                <button type="button" className="button button-small" onClick={() => setAddingKey(true)} disabled={needsAdmin.closed} title={needsAdmin.why} aria-describedby={needsAdmin.why ? 'server-role-note' : undefined}>Add vendor key…</button>
              </div>
            </dd>
          </dl>
        </div>
        <ExpiryCard s={s} onChanged={res.reload} focus={spot === 'expiry'} />
        <AlertSettingsCard />
        <AuthorityCard current={s.authorityUrl} onChanged={res.replace} focus={spot === 'authority'} />
        {host && !attached && <ServiceOffer host={host} onInstalled={(h) => { showInstalled(); setHost(h); res.reload(); }} />}
      </div>
      {stopping && (
        <ConfirmDialog title={attached ? 'Stop the Leasehold service?' : 'Stop the license server?'} confirmLabel={attached ? 'Stop service' : 'Stop server'} danger onClose={() => setStopping(false)}
          onConfirm={async () => {
            const h = await api.setServerRunning(false);
            setHost(h);
            if (!h.running) notify(attached ? 'Service stopped.' : 'Server stopped.');
          }}>
          <p>{plural(s.leases, 'seat')} {s.leases === 1 ? 'is' : 'are'} in use. Applications cannot renew while the {attached ? 'service' : 'server'} is stopped; their seats are kept and counted again when it starts, unless their leases run out first.</p>
          {attached && <p className="muted small">The service manager stops it; the app may ask for an administrator’s password.</p>}
        </ConfirmDialog>
      )}
      {portDialog}
      {addingKey && <VendorKeyDialog onClose={() => setAddingKey(false)} onAdded={() => res.reload()} />}
    </section>
  );
}

/**
 * HTTPS on the server's port: the certificate's fingerprint to compare with
 * what the browser shows (a made certificate is not signed by anyone the
 * browser knows, so the fingerprint is how an admin knows it is this server's).
 */
function Tls({ tls, desktop }: { tls?: TlsInfo | null; desktop: boolean }) {
  if (!tls) return <>Off: plain HTTP only.{!desktop && <> Admin calls from other computers need HTTPS: <code>leasehold serve --tls</code> turns it on.</>}</>;
  return (
    <>
      <span className="tls-line">On the same port, with {tls.source === 'made' ? 'a certificate this server made' : 'the certificate given to the server'}. Certificate fingerprint (SHA‑256):</span>
      <span className="tls-fingerprint"><CopyValue value={tls.fingerprint} label="certificate fingerprint" /></span>
      <span className="muted small">Check that your browser shows the same fingerprint for this server’s certificate ({tls.certificate}).</span>
    </>
  );
}

const KEY_SOURCE = { builtIn: 'built in', commandLine: 'from the command line', dataDir: 'added here' } as const;

function ServerControl({ s, running, attached, onStop, onStart }: { s: ServerStatus; running: boolean; attached?: ServiceAttachment; onStop: () => void; onStart: () => void }) {
  const { api } = useApp();
  if (!api.conn.serverControl) {
    return <p className="muted small control-note" title={`Server ${s.serverName}`}>Start and Stop are in the desktop app. A headless server is started and stopped by its service manager.</p>;
  }
  if (attached?.manager === 'none') return null; // the attached notice says where it is started

  const what = attached ? 'service' : 'server';
  return running
    ? <button type="button" className="button button-danger" onClick={onStop}>Stop {what}</button>
    : <button type="button" className="button button-primary" onClick={onStart}>Start {what}</button>;
}
