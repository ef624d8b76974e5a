// License Mode: how this computer's Leasehold client gets its license.
import { useEffect, useState } from 'react';
import { describeError, loadClientSettings, testServer, type ClientSettingsAccess, type ConnectionTest } from '../api';
import { Badge } from '../components/Badge';
import { ErrorState, Loading } from '../components/States';
import { useApp } from '../hooks';

export function LicenseModeTab() {
  const { api } = useApp();
  const [access, setAccess] = useState<ClientSettingsAccess>();
  const [error, setError] = useState<unknown>();
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ConnectionTest>();

  useEffect(() => {
    loadClientSettings(api).then(setAccess, setError);
  }, [api]);

  if (error) return <section className="panel"><ErrorState error={error} what="the license mode" /></section>;
  if (!access) return <section className="panel"><Loading label="Reading this computer’s license settings…" /></section>;

  const { settings, writable, note } = access;
  const test = async () => {
    setTesting(true);
    setResult(undefined);
    try { setResult(await testServer(api)); } catch (e) { setResult({ ok: false, target: '', message: describeError(e), elapsedMs: 0 }); }
    setTesting(false);
  };

  return (
    <section className="panel">
      <div className="panel-head">
        <div>
          <h1>License Mode</h1>
          <p className="subtitle">How applications on this computer get their license</p>
        </div>
        {!writable && <Badge tone="neutral">Read only</Badge>}
      </div>
      {note && <div className="notice notice-info">{note}</div>}
      <div className="cards">
        <fieldset className="card" disabled={!writable}>
          <legend className="card-legend">Mode</legend>
          <label className="choice">
            <input type="radio" name="mode" checked={settings.mode === 'network'} readOnly />
            <span><strong>Network</strong><br /><span className="muted">Borrow a seat from a Leasehold server on this network while the application runs.</span></span>
          </label>
          <label className="choice">
            <input type="radio" name="mode" checked={settings.mode === 'standalone'} readOnly />
            <span><strong>Standalone</strong><br /><span className="muted">Use a license locked to this computer; no server needed.</span></span>
          </label>
        </fieldset>
        <fieldset className="card" disabled={!writable || settings.mode !== 'network'}>
          <legend className="card-legend">Finding the server</legend>
          <label className="choice">
            <input type="radio" name="discover" checked={settings.discover} readOnly />
            <span><strong>Automatically</strong><br /><span className="muted">Look for servers announced on the local network (mDNS).</span></span>
          </label>
          <label className="choice">
            <input type="radio" name="discover" checked={!settings.discover} readOnly />
            <span><strong>These addresses</strong><br /><span className="muted">Use when the server is behind a router or VPN, where announcements do not reach.</span></span>
          </label>
          <label className="field">
            <span className="field-label">Servers (host:port, one a line, tried in order)</span>
            <textarea rows={3} className="code-input" value={settings.servers.join('\n')} readOnly placeholder="licenses.example.lan:7878" />
          </label>
        </fieldset>
      </div>
      <div className="card test-card">
        <div>
          <h2>Test connection</h2>
          <p className="muted">{api.conn.desktop ? 'Asks the configured servers who they are.' : 'Asks the server this page is connected to who it is.'}</p>
        </div>
        <button type="button" className="button button-primary" onClick={test} disabled={testing}>{testing ? 'Testing…' : 'Test connection'}</button>
        <div aria-live="polite" className="test-result">
          {result && (
            <div className={`notice ${result.ok ? 'notice-ok' : 'notice-error'}`}>
              <strong>{result.ok ? 'Connected.' : 'Not connected.'}</strong> {result.message}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
