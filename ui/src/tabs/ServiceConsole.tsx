// The desktop app as the console of the Leasehold service on this computer:
// what the window is attached to, the service's problems in words, the
// service stopped, and installing the service from the app.
import { useState, type ReactNode } from 'react';
import { ApiError, describeError, sentence, type HostProblem, type HostState, type ServiceAttachment } from '../api';
import { Badge } from '../components/Badge';
import { Dialog } from '../components/Dialog';
import { PanelHead } from '../components/PanelHead';
import { Prose } from '../components/Prose';
import { useApp, useSubmit } from '../hooks';

const MANAGER: Record<ServiceAttachment['manager'], string> = {
  systemd: 'systemd',
  launchd: 'launchd',
  windows: 'Windows service',
  none: 'no service manager',
};

/** The group whose members may read the service's admin token. */
function adminGroup(a?: ServiceAttachment): string {
  return a?.manager === 'launchd' ? 'admin' : 'leasehold-admin';
}

/** "This window is the console of the Leasehold service on this computer (systemd, data in …)." */
export function AttachedStatement({ attached }: { attached: ServiceAttachment }) {
  const where = <>{MANAGER[attached.manager] ?? attached.manager}, data in <span className="mono">{attached.dataDir}</span></>;
  return attached.manager === 'none'
    ? <>This window is the console of the Leasehold service on this computer ({where}). It was started outside this app: start and stop it where it was started.</>
    : <>This window is the console of the Leasehold service on this computer ({where}). Start and Stop control the service.</>;
}

/** The notice at the top of the Server tab while attached. */
export function AttachedNotice({ attached }: { attached: ServiceAttachment }) {
  return (
    <div className="notice notice-info service-notice" role="status" id="service-console">
      <p><AttachedStatement attached={attached} /></p>
      <p className="small">Closing or quitting this app leaves the service running; it serves seats whether or not anyone is logged in.</p>
    </div>
  );
}

const PROBLEMS: Record<string, { title: string; hint?: (a?: ServiceAttachment) => string }> = {
  service_token_unreadable: {
    title: 'Your account may not manage the service yet',
    hint: (a) => `Only members of the ${adminGroup(a)} group may read the service’s admin token, and a new group counts from the next login. If this app just installed the service, your account was added already: log out and in again.`,
  },
  service_not_permitted: {
    title: 'Administrator rights needed',
    hint: () => 'Try again and give an administrator’s password when asked, or ask an administrator to run the `sudo leasehold service …` command in a terminal.',
  },
  service_control_failed: {
    title: 'The service manager refused',
    hint: () => '`leasehold service status` says how the service is; on Linux, `journalctl -u leasehold` has its log.',
  },
  service_not_answering: {
    title: 'The service does not answer',
    hint: () => 'It may still be starting, or it stopped with an error: `leasehold service status` and `journalctl -u leasehold` say more.',
  },
  service_unsupported: { title: 'This app cannot control the service here' },
  service_cli_missing: { title: 'The leasehold command is missing' },
  service_port: { title: 'The service’s port is set where it is installed' },
};

/** A problem with the service, in words: what happened and what to do. */
export function ServiceProblem({ problem, attached }: { problem: HostProblem; attached?: ServiceAttachment }) {
  const p = PROBLEMS[problem.code];
  return (
    <div className="notice notice-error service-problem" role="alert" data-code={problem.code}>
      <p>{p ? <><strong>{p.title}.</strong>{' '}</> : null}<Prose text={sentence(problem.message)} /></p>
      {p?.hint ? <p className="small"><Prose text={p.hint(attached)} /></p> : null}
    </div>
  );
}

/** Any error from a service command: titled when the host named it, else in plain words. */
export function ServiceErrorText({ error, attached }: { error: unknown; attached?: ServiceAttachment }) {
  if (!error) return null;
  if (error instanceof ApiError && PROBLEMS[error.code]) return <ServiceProblem problem={{ code: error.code, message: error.message }} attached={attached} />;
  return <div className="notice notice-error" role="alert"><Prose text={describeError(error)} /></div>;
}

/** The service is stopped: a state, not an error. Start runs the service manager. */
export function ServiceStopped({ attached, notes, onStart, busy, error }: { attached: ServiceAttachment; notes: ReactNode; onStart: () => void; busy: boolean; error?: unknown }) {
  const manual = attached.manager === 'none';
  return (
    <section className="panel">
      <PanelHead title="Server" subtitle={<>The Leasehold service on this computer{attached.version ? ` · Leasehold ${attached.version}` : ''}</>}>
        <Badge tone="neutral">Stopped</Badge>
      </PanelHead>
      {notes}
      <div className="state state-stopped">
        <span className="dot dot-off" aria-hidden="true" />
        <h2 className="state-title">The Leasehold service is stopped</h2>
        <p>
          Applications cannot get or renew seats while it is stopped. Seats already granted are kept and counted again
          when it starts, unless their leases run out first.
        </p>
        {!manual && <button type="button" className="button button-primary" onClick={onStart} disabled={busy}>{busy ? 'Starting the service…' : 'Start service'}</button>}
        {busy && <p className="muted small">The app may ask for an administrator’s password.</p>}
        <ServiceErrorText error={error} attached={attached} />
      </div>
    </section>
  );
}

// Installing replaces this window's connection (new address and token), which
// remounts the tabs; the outcome is kept here so the new Server tab shows it.
let installedNote = false;

/** [shown, dismiss, show]: whether to say that the service was just installed. */
export function useInstalledNote(): [boolean, () => void, () => void] {
  const [shown, setShown] = useState(installedNote);
  return [shown, () => { installedNote = false; setShown(false); }, () => { installedNote = true; setShown(true); }];
}

/** Outcome of an install, shown above the attached service. */
export function InstalledNotice({ onDismiss }: { onDismiss: () => void }) {
  return (
    <div className="notice notice-ok notice-action" role="status">
      <span><strong>Leasehold is installed as a service.</strong> It now runs when nobody is logged in and starts with the computer.</span>
      <button type="button" className="button button-small" onClick={onDismiss}>Dismiss</button>
    </div>
  );
}

/** The desktop app runs its own server: offer the service, or say how to install it by hand. */
export function ServiceOffer({ host, onInstalled }: { host: HostState; onInstalled: (h: HostState) => void }) {
  const [asking, setAsking] = useState(false);
  return (
    <div className="card card-wide service-offer">
      <h2>Run as a service</h2>
      {host.canInstallService ? (
        <div className="offer-row">
          <p className="muted">
            Now the license server runs inside this app, while you are logged in. Installed as a service it runs
            when nobody is logged in and survives reboots; this window becomes its console.
          </p>
          <button type="button" className="button" onClick={() => setAsking(true)}>Install as a service…</button>
        </div>
      ) : (
        <p className="muted">
          To serve seats when nobody is logged in (or on a computer without a desktop), install the service by hand in a
          terminal: <code>sudo leasehold service install</code>. This app then opens as its console.
        </p>
      )}
      {asking && <InstallServiceDialog onClose={() => setAsking(false)} onInstalled={onInstalled} />}
    </div>
  );
}

/** Explains what installing does, runs it, and shows the progress and the outcome. */
export function InstallServiceDialog({ onClose, onInstalled }: { onClose: () => void; onInstalled: (h: HostState) => void }) {
  const { api, notify } = useApp();
  const { busy, error, run: go } = useSubmit(async () => {
    const h = await api.installService();
    notify('Leasehold is installed as a service.');
    onInstalled(h);
  }, onClose);
  return (
    <Dialog
      title="Install Leasehold as a service?"
      onClose={onClose}
      busy={busy}
      wide
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy} data-autofocus>Cancel</button>
          <button type="button" className="button button-primary" onClick={go} disabled={busy}>
            {busy ? 'Installing…' : error ? 'Try again' : 'Install'}
          </button>
        </>
      }
    >
      <p>The license server then runs as a system service on this computer:</p>
      <ul className="install-points">
        <li>It runs when nobody is logged in, and starts again after a reboot.</li>
        <li>Installing needs administrator rights: the app asks for an administrator’s password.</li>
        <li>This app stops its own server, and its window becomes the console of the service: Start and Stop then control the service, and quitting the app leaves it running.</li>
        <li>The service keeps its own data (<span className="mono">/var/lib/leasehold</span> on Linux). Licenses added in this app are not moved: add their codes again in the console.</li>
        <li>Your account joins the <span className="mono">leasehold-admin</span> group, which may manage the service. That counts from your next login: you may have to log out and in again first.</li>
      </ul>
      {busy && (
        <p className="muted install-progress" role="status">
          <span className="spinner spinner-small" aria-hidden="true" />
          Installing the service and waiting for it to answer. Give an administrator’s password when asked.
        </p>
      )}
      <ServiceErrorText error={error} />
      {error !== undefined && (
        <p className="muted small">
          {error instanceof ApiError && (error.code === 'service_not_permitted' || error.code === 'service_cli_missing') ? 'Nothing was installed. ' : ''}
          This app’s own server runs again.
        </p>
      )}
    </Dialog>
  );
}

/**
 * The whole window when the service runs but this account cannot read its
 * admin token: no tab could show anything, so say what to do instead.
 */
export function ServiceLocked({ host }: { host: HostState }) {
  const attached = host.attached;
  const [installed] = useInstalledNote();
  return (
    <div className="signin-page">
      <div className="signin service-locked">
        <div className="brand brand-large">
          <svg width="36" height="36" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" className="brand-mark" /><path d="M10 8v16h12" stroke="#fff" strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" /></svg>
          <span className="brand-name">Leasehold</span>
        </div>
        <h1>The Leasehold service console</h1>
        {installed && <div className="notice notice-ok" role="status"><strong>Leasehold is installed as a service</strong> and runs.</div>}
        {attached && <p className="muted"><AttachedStatement attached={attached} /></p>}
        <ServiceProblem
          problem={host.error ?? { code: 'service_token_unreadable', message: 'this window was not given the service’s admin token' }}
          attached={attached}
        />
        <p className="muted small">The service itself keeps running and serving seats; only this window cannot show it yet. Open Leasehold again after logging in.</p>
      </div>
    </div>
  );
}
