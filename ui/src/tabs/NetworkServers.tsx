// License Mode, network: discovery on/off, the server list (add, remove,
// reorder), the certificates trusted for https:// servers, "Find servers" and
// "Test connection".
import { useState } from 'react';
import {
  describeError, discoverServers, isHttpsAddress, looksLikeAddress, testClientConnection, type FoundServer, type TestedServer,
} from '../api';
import { Clip } from '../components/Clip';
import { ErrorText } from '../components/States';
import { useApp } from '../hooks';
import { Prose } from '../components/Prose';
import { TrustedCertificates } from './TrustedCertificates';

/** What this part edits of the network settings. */
export interface NetworkDraft { auto: boolean; servers: string[]; tlsFingerprints: string[] }

type TestResult = { address: string } & ({ ok: true; server: TestedServer } | { ok: false; message: string; code?: string });

export function NetworkServers({ value, onChange }: { value: NetworkDraft; onChange: (patch: Partial<NetworkDraft>) => void }) {
  const { api } = useApp();
  const { auto, servers, tlsFingerprints } = value;
  const [adding, setAdding] = useState('');
  const [found, setFound] = useState<FoundServer[]>();
  const [finding, setFinding] = useState(false);
  const [findError, setFindError] = useState<unknown>();
  const [testing, setTesting] = useState(false);
  const [results, setResults] = useState<TestResult[]>();

  const addable = adding.trim() !== '' && looksLikeAddress(adding) && !servers.includes(adding.trim());
  const add = (addr: string) => { if (!servers.includes(addr)) onChange({ servers: [...servers, addr] }); };
  const move = (i: number, by: number) => {
    const next = [...servers];
    const [it] = next.splice(i, 1);
    next.splice(i + by, 0, it);
    onChange({ servers: next });
  };
  const find = async () => {
    setFinding(true);
    setFindError(undefined);
    setFound(undefined);
    try { setFound(await discoverServers(api, 3)); } catch (e) { setFindError(e); } finally { setFinding(false); }
  };
  const test = async () => {
    setTesting(true);
    setResults(undefined);
    const out: TestResult[] = [];
    for (const address of servers) {
      try {
        out.push({ address, ok: true, server: await testClientConnection(api, address, tlsFingerprints) });
      } catch (e) {
        out.push({ address, ok: false, message: describeError(e), code: (e as { code?: string }).code });
      }
    }
    setResults(out);
    setTesting(false);
  };

  return (
    <>
      <div className="card">
        <h2>Finding the server</h2>
        <label className="choice">
          <input id="auto-discover" type="checkbox" checked={auto} onChange={(e) => onChange({ auto: e.target.checked })} />
          <span><strong>Find servers automatically</strong><br /><span className="muted">Look for servers announced on the local network (mDNS){servers.length ? ', then try the addresses below' : ''}.</span></span>
        </label>
        <h3 className="list-title">Server addresses {auto ? <span className="muted small">(used when none is found)</span> : <span className="muted small">(tried in order)</span>}</h3>
        {servers.length ? (
          <ol className="server-list">
            {servers.map((s, i) => (
              <li key={s} className="server-row">
                <Clip text={s} className="mono" />
                <span className="row-actions">
                  <button type="button" className="icon-button" aria-label={`Move ${s} up`} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                  <button type="button" className="icon-button" aria-label={`Move ${s} down`} disabled={i === servers.length - 1} onClick={() => move(i, 1)}>↓</button>
                  <button type="button" className="button button-small button-quiet-danger" aria-label={`Remove ${s}`} onClick={() => onChange({ servers: servers.filter((x) => x !== s) })}>Remove</button>
                </span>
              </li>
            ))}
          </ol>
        ) : <p className="muted small">{auto ? 'None: only servers found on the network are used.' : 'None yet. Add the server’s address, or turn on finding servers automatically.'}</p>}
        <form className="add-server" onSubmit={(e) => { e.preventDefault(); if (addable) { add(adding.trim()); setAdding(''); } }}>
          <div className="field">
            <label className="field-label" htmlFor="server-address">Add a server</label>
            <input id="server-address" aria-describedby="server-address-hint" className="code-input" value={adding} onChange={(e) => setAdding(e.target.value)} placeholder="licenses.example.lan:7878" spellCheck={false} aria-invalid={adding.trim() !== '' && !looksLikeAddress(adding)} />
            <span id="server-address-hint" className="field-hint">
              {adding.trim() !== '' && !looksLikeAddress(adding) ? 'Write it as host:port (for example 192.168.1.20:7878), or https://host:port for a server with TLS.' : servers.includes(adding.trim()) ? 'Already in the list.' : 'host:port, or https://host:port for a server with TLS; the port is 7878 unless the server was set up otherwise.'}
            </span>
          </div>
          <button id="add-server" type="submit" className="button" disabled={!addable}>Add</button>
        </form>
        {(servers.some(isHttpsAddress) || tlsFingerprints.length > 0) && (
          <TrustedCertificates servers={servers} fingerprints={tlsFingerprints} onChange={(next) => onChange({ tlsFingerprints: next })} />
        )}
      </div>
      <div className="card">
        <h2>Servers on this network</h2>
        <p className="muted small">Looks for Leasehold servers announced on the local network for 3 seconds.</p>
        <button id="find-servers" type="button" className="button" onClick={find} disabled={finding}>{finding ? 'Looking…' : 'Find servers'}</button>
        <div aria-live="polite" className="found">
          <ErrorText error={findError} />
          {found && (found.length ? (
            <ul className="plain-list found-list">
              {found.map((f) => (
                <li key={f.serverId}>
                  <strong>{f.name}</strong> <span className="muted small">protocol {f.protocolVersion}</span>
                  <span className="chips">
                    {f.addresses.map((a) => (
                      <button key={a} type="button" className="chip chip-button" disabled={servers.includes(a)} onClick={() => add(a)} title="Add this address to the list">
                        {a}{servers.includes(a) ? ' ✓' : ' +'}
                      </button>
                    ))}
                  </span>
                </li>
              ))}
            </ul>
          ) : <p className="muted">No Leasehold server answered. A server behind a router or VPN is not announced here: add its address by hand.</p>)}
        </div>
      </div>
      <div className="card">
        <h2>Test connection</h2>
        <p className="muted small">{servers.length ? 'Asks each address in the list who it is.' : 'Add an address to test it.'}</p>
        <button id="test-connection" type="button" className="button button-primary" onClick={test} disabled={testing || !servers.length}>{testing ? 'Testing…' : 'Test connection'}</button>
        <div aria-live="polite" className="test-result found">
          {results?.map((r) => (
            <div key={r.address} className={`notice ${r.ok ? 'notice-ok' : 'notice-error'}`}>
              <span className="mono">{r.address}</span>{': '}
              {r.ok
                ? <><strong>Connected.</strong> Found “{r.server.serverName}”, Leasehold {r.server.version} (protocol {r.server.protocolVersion}), in {r.server.elapsedMs} ms.</>
                : <><strong>Not connected.</strong> <Prose text={r.message} />{r.code === 'untrusted_certificate' && ' In this app: add the fingerprint the server’s Server tab shows under Trusted certificates.'}</>}
            </div>
          ))}
        </div>
      </div>
    </>
  );
}
