// License Mode, network: the SHA-256 fingerprints of the certificates trusted
// for https:// servers (`tls_fingerprints` in client.toml). Shown while a
// server is https:// or a fingerprint is set; a fingerprint is checked here
// as leasehold-client will check it, and added as the server shows it.
import { useRef, useState, type FormEvent } from 'react';
import { checkFingerprint, isHttpsAddress, sameFingerprint } from '../api';
import { Clip } from '../components/Clip';
import { Prose } from '../components/Prose';

const EXPLAINED = 'For https:// servers: the certificate’s SHA-256 fingerprint, as the server’s Server tab or `leasehold admin status` shows it. Without one, the certificate must be trusted by this computer.';

export function TrustedCertificates({ servers, fingerprints, onChange }: { servers: string[]; fingerprints: string[]; onChange: (next: string[]) => void }) {
  const [typed, setTyped] = useState('');
  // Set by an Add that was refused, so a fingerprint still being typed is not called short before then.
  const [tried, setTried] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const https = servers.filter(isHttpsAddress);

  const check = typed.trim() ? checkFingerprint(typed) : undefined;
  const listed = check?.ok === true && fingerprints.some((f) => sameFingerprint(f, check.fingerprint));
  const problem = !check ? undefined
    : !check.ok ? (check.short && !tried ? undefined : check.problem)
    : listed ? 'Already in the list.' : undefined;

  const add = (e: FormEvent) => {
    e.preventDefault();
    if (check?.ok && !listed) {
      onChange([...fingerprints, check.fingerprint]);
      setTyped('');
      setTried(false);
    } else {
      setTried(true);
    }
  };
  const remove = (at: number) => {
    onChange(fingerprints.filter((_, i) => i !== at));
    input.current?.focus();
  };

  return (
    <div role="group" aria-labelledby="trusted-title">
      <h3 id="trusted-title" className="list-title">Trusted certificates</h3>
      <p className="muted small"><Prose text={EXPLAINED} /></p>
      {fingerprints.length > 0 ? (
        <ul className="server-list">
          {fingerprints.map((f, i) => {
            const shown = shownFingerprint(f);
            return (
              <li key={`${i}-${f}`} className="server-row">
                <Clip text={shown} lines={2} className="mono">{withBreaks(shown)}</Clip>
                <button type="button" className="button button-small button-quiet-danger" aria-label={`Remove fingerprint ${shown.slice(0, 11)}…`} onClick={() => remove(i)}>Remove</button>
              </li>
            );
          })}
        </ul>
      ) : https.length > 0 && (
        <p className="muted small">
          None, so {https.length === 1 ? <><span className="mono">{https[0]}</span> must show a certificate</> : 'the https:// servers must show certificates'} that this computer’s system trusts.
        </p>
      )}
      {fingerprints.length > 0 && https.length === 0 && <p className="muted small">Used only for https:// addresses; none is listed now.</p>}
      <form className="add-server" onSubmit={add}>
        <div className="field">
          <label className="field-label" htmlFor="tls-fingerprint">Add a fingerprint</label>
          <input ref={input} id="tls-fingerprint" aria-describedby="tls-fingerprint-hint" className="code-input" value={typed}
            onChange={(e) => { setTyped(e.target.value); setTried(false); }} placeholder="AB:CD:EF:…" spellCheck={false} autoComplete="off" aria-invalid={problem !== undefined} />
          <span id="tls-fingerprint-hint" className="field-hint" aria-live="polite">{problem ?? '64 hex digits, with or without colons.'}</span>
        </div>
        <button id="add-fingerprint" type="submit" className="button" aria-label="Add fingerprint" disabled={!check}>Add</button>
      </form>
    </div>
  );
}

/** As the server's Server tab shows it (`AB:CD:…`), whatever way the settings file has it. */
function shownFingerprint(f: string): string {
  const c = checkFingerprint(f);
  return c.ok ? c.fingerprint : f;
}

/** Lines may break after each colon, never inside a byte. */
function withBreaks(f: string) {
  return f.split(':').map((b, i) => (i === 0 ? b : <span key={i}>:<wbr />{b}</span>));
}
