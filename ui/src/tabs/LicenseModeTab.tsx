// License Mode: how this computer's Leasehold client gets its license. In the
// desktop app it reads and writes the client's settings file; in a browser it
// explains where to change it and can test the server of this page.
import { useEffect, useState } from 'react';
import {
  clientSettings, DEFAULT_CLIENT_SETTINGS, describeError, saveClientSettings, testServer,
  type ClientSettings, type ClientSettingsView, type ConnectionTest, type LicenseCheck,
} from '../api';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PanelHead } from '../components/PanelHead';
import { ErrorState, ErrorText, Loading } from '../components/States';
import { formatLastDay } from '../format';
import { useApp } from '../hooks';
import { NetworkServers, type NetworkDraft } from './NetworkServers';
import { Prose } from '../components/Prose';

export function LicenseModeTab() {
  const { api } = useApp();
  return api.conn.desktop ? <DesktopLicenseMode /> : <BrowserLicenseMode />;
}

/**
 * Draft form state: both modes' fields are kept while switching, and every
 * field of the settings file is in it (a field left out would be dropped on Save).
 */
interface Draft extends NetworkDraft { mode: 'standalone' | 'network'; licenseFile: string }

function draftOf(s: ClientSettings | null): Draft {
  const v = s ?? DEFAULT_CLIENT_SETTINGS;
  return v.mode === 'standalone'
    ? { mode: 'standalone', licenseFile: v.licenseFile, auto: true, servers: [], tlsFingerprints: [] }
    : { mode: 'network', licenseFile: '', auto: v.auto, servers: v.servers, tlsFingerprints: v.tlsFingerprints ?? [] };
}

function settingsOf(d: Draft): ClientSettings {
  return d.mode === 'standalone'
    ? { mode: 'standalone', licenseFile: d.licenseFile.trim() }
    : { mode: 'network', auto: d.auto, servers: d.servers, tlsFingerprints: d.tlsFingerprints };
}

/** Whether `a` is what `b` says (both read the way a draft reads them: a field the host left out is its default). */
const same = (a: ClientSettings, b: ClientSettings | null) => b !== null && JSON.stringify(a) === JSON.stringify(settingsOf(draftOf(b)));

function DesktopLicenseMode() {
  const { api, notify } = useApp();
  const [view, setView] = useState<ClientSettingsView>();
  const [loadError, setLoadError] = useState<unknown>();
  const [draft, setDraft] = useState<Draft>(draftOf(null));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [confirmReplace, setConfirmReplace] = useState(false);

  const load = () => {
    setLoadError(undefined);
    clientSettings(api).then((v) => { setView(v); setDraft(draftOf(v.settings)); }, setLoadError);
  };
  useEffect(load, [api]);

  if (loadError) return <section className="panel"><ErrorState error={loadError} what="this computer’s license settings" onRetry={load} /></section>;
  if (!view) return <section className="panel"><Loading label="Reading this computer’s license settings…" /></section>;

  const wanted = settingsOf(draft);
  const dirty = !same(wanted, view.settings) || !view.exists;
  const save = async (replaceInvalid: boolean) => {
    setSaving(true);
    setSaveError(undefined);
    try {
      const v = await saveClientSettings(api, wanted, replaceInvalid);
      setView(v);
      setDraft(draftOf(v.settings));
      notify('License settings saved.');
    } catch (e) {
      if (!replaceInvalid && (e as { code?: string }).code === 'settings_invalid_existing') setConfirmReplace(true);
      else setSaveError(e);
      if (replaceInvalid) throw e;
    } finally {
      setSaving(false);
    }
  };
  const set = (patch: Partial<Draft>) => { setDraft((d) => ({ ...d, ...patch })); setSaveError(undefined); };

  return (
    <section className="panel">
      <PanelHead title="License Mode" subtitle="How applications on this computer get their license">
        <div className="head-actions">
          {view.error ? <Badge tone="bad">Settings file invalid</Badge> : dirty ? <Badge tone="warn">{view.exists ? 'Unsaved changes' : 'Not saved yet'}</Badge> : <Badge tone="ok">Saved</Badge>}
          <button id="save-settings" type="button" className="button button-primary" disabled={saving || (!dirty && !view.error)}
            onClick={() => (view.error ? setConfirmReplace(true) : void save(false))}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </PanelHead>
      <ErrorText error={saveError} />
      {view.error && (
        <div className="notice notice-error" role="alert">
          <strong>This computer’s settings file cannot be used.</strong> <Prose text={describeError(new Error(view.error.message))} /> Saving replaces it; you will be asked first.
        </div>
      )}
      <p className="muted small settings-path">
        Settings file <span className="mono">{view.path}</span>{view.exists ? '' : ' (not created yet: the defaults are shown)'}
      </p>
      <div className="cards">
        <fieldset className="card">
          <legend className="card-legend">Mode</legend>
          <label className="choice">
            <input id="mode-network" type="radio" name="mode" checked={draft.mode === 'network'} onChange={() => set({ mode: 'network' })} />
            <span><strong>Network</strong><br /><span className="muted">Borrow a seat from a Leasehold server on this network while the application runs.</span></span>
          </label>
          <label className="choice">
            <input id="mode-standalone" type="radio" name="mode" checked={draft.mode === 'standalone'} onChange={() => set({ mode: 'standalone' })} />
            <span><strong>Standalone</strong><br /><span className="muted">Use a license file locked to this computer; no server needed.</span></span>
          </label>
        </fieldset>
        {draft.mode === 'standalone' ? (
          <div className="card">
            <h2>License file</h2>
            <div className="field">
              <label className="field-label" htmlFor="license-file">Path of the license file</label>
              <input id="license-file" aria-describedby="license-file-hint" className="code-input" value={draft.licenseFile} onChange={(e) => set({ licenseFile: e.target.value })} placeholder="/opt/designer/designer.lic" spellCheck={false} />
              <span id="license-file-hint" className="field-hint">The file the vendor sent, locked to this computer.</span>
            </div>
            <LicenseValidity check={view.settings?.mode === 'standalone' && view.settings.licenseFile === draft.licenseFile.trim() ? view.license : null} typed={draft.licenseFile.trim() !== ''} />
          </div>
        ) : (
          <NetworkServers value={draft} onChange={set} />
        )}
      </div>
      {confirmReplace && (
        <ConfirmDialog title="Replace the invalid settings file?" confirmLabel="Replace it" danger onClose={() => setConfirmReplace(false)} onConfirm={() => save(true)}>
          <p>The settings file <span className="mono">{view.path}</span> cannot be read as Leasehold settings{view.error ? <>: <Prose text={view.error.message.replace(/\.$/, '')} /></> : ''}.</p>
          <p>Saving writes the settings shown here in its place. What the file holds now is lost.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function LicenseValidity({ check, typed }: { check: LicenseCheck | null; typed: boolean }) {
  if (!check) return <p className="muted small">{typed ? 'Save to check this file.' : 'Enter the path of the license file.'}</p>;
  if (check.state === 'valid') {
    return (
      <div className="notice notice-ok" role="status">
        <strong>Valid on this computer.</strong> {check.product} for {check.customer}
        {check.validUntil ? `, until ${formatLastDay(check.validUntil)}` : ', with no end date'}.
      </div>
    );
  }
  if (check.state === 'unknown') return <div className="notice notice-info" role="status"><strong>Not checked here.</strong> <Prose text={check.message} /></div>;
  return <div className="notice notice-error" role="alert"><strong>This license cannot be used.</strong> <Prose text={describeError(new Error(check.message))} /></div>;
}

function BrowserLicenseMode() {
  const { api } = useApp();
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ConnectionTest>();
  const test = async () => {
    setTesting(true);
    setResult(undefined);
    setResult(await testServer(api));
    setTesting(false);
  };
  return (
    <section className="panel">
      <PanelHead title="License Mode" subtitle="How applications on this computer get their license">
        <Badge tone="neutral">Desktop app only</Badge>
      </PanelHead>
      <div className="state">
        <h2 className="state-title">Set up in the Leasehold desktop app</h2>
        <p>
          License Mode configures this computer’s applications: whether they use a license file locked to this computer
          (standalone) or borrow a seat from a Leasehold server (network), and how they find it. It changes a file on the
          computer itself, so it is available in the Leasehold desktop app, not in a browser.
        </p>
        <p className="small">On a computer without the app: <span className="mono">leasehold client mode network --server HOST:PORT</span></p>
      </div>
      <div className="card test-card">
        <div>
          <h2>Test connection</h2>
          <p className="muted">Asks the server this page is connected to who it is.</p>
        </div>
        <button type="button" className="button button-primary" onClick={test} disabled={testing}>{testing ? 'Testing…' : 'Test connection'}</button>
        <div aria-live="polite" className="test-result">
          {result && (
            <div className={`notice ${result.ok ? 'notice-ok' : 'notice-error'}`}>
              <strong>{result.ok ? 'Connected.' : 'Not connected.'}</strong> <Prose text={result.message} />
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
