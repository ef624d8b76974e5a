// Policy: the admin's seat policy (policy.toml). What is in force and in which
// order rules apply, the file's text to edit, and a dry run of a checkout.
import { useCallback, useMemo, useRef, useState } from 'react';
import { describeError } from '../api';
import type { CodeEditorHandle } from '../components/CodeEditor';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PanelHead } from '../components/PanelHead';
import { Prose } from '../components/Prose';
import { ErrorState, Loading, StaleNotice } from '../components/States';
import { formatDateTime } from '../format';
import { useApp, useResource } from '../hooks';
import { PolicyDryRun } from './PolicyDryRun';
import { PolicyEditor } from './PolicyEditor';
import { Precedence, PolicyRules } from './PolicyInForce';
import { usePolicyDraft } from './policyDraft';
import { EXAMPLE_POLICY, errorLine, isEmptyPolicy } from './policyText';

const POLICY_EVENTS = new Set(['policy_changed', 'policy_rejected']);
const LICENSE_EVENTS = new Set(['license_added', 'license_removed', 'license_activated', 'license_deactivated']);

export function PolicyTab() {
  const { api } = useApp();
  // The server reads the file again within seconds of a change; so does this page.
  const res = useResource(api.policy, { key: 'policy', intervalMs: 3000, refreshOn: (e) => POLICY_EVENTS.has(e.kind) });
  const licenses = useResource(api.licenses, { key: 'licenses', intervalMs: 30_000, refreshOn: (e) => LICENSE_EVENTS.has(e.kind) });
  const draft = usePolicyDraft(`leasehold.policyDraft:${api.conn.baseUrl}`, res.data?.text);
  const editor = useRef<CodeEditorHandle>(null);
  const [decided, setDecided] = useState<number>();
  const [replacing, setReplacing] = useState(false);

  const s = res.data;
  const products = useMemo(() => {
    const names = new Set<string>();
    for (const l of licenses.data ?? []) names.add(l.product);
    for (const p of s?.policy.products ?? []) names.add(p.product);
    return [...names].sort((a, b) => a.localeCompare(b));
  }, [licenses.data, s]);
  const showLine = useCallback((line: number) => editor.current?.goToLine(line), []);

  if (res.loading && !s) return <section className="panel"><Loading label="Loading the seat policy…" /></section>;
  if (!s) return <section className="panel"><PanelHead title="Seat policy" /><ErrorState error={res.error} onRetry={res.reload} what="the seat policy" /></section>;

  const empty = isEmptyPolicy(s);
  // Lines of the policy in force can be shown while the editor holds that very text.
  const linesInEditor = !draft.dirty && !s.error ? showLine : undefined;
  const fileLine = errorLine(s.error);
  const insertExample = () => {
    draft.edit(EXAMPLE_POLICY);
    setReplacing(false);
    // After React has put the text in the editor.
    setTimeout(() => editor.current?.goToLine(1), 0);
  };

  return (
    <section className="panel">
      <PanelHead
        title="Seat policy"
        subtitle={empty ? 'No policy: the licences alone decide who gets a seat.' : <>Who may use what, from policy.toml{s.loadedAt ? <> · in force since {formatDateTime(s.loadedAt)}</> : null}</>}
      >
        {/* In one column the editor and the dry run are below the policy: a way there. */}
        <div className="panel-jumps">
          <button type="button" className="button button-small" onClick={() => editor.current?.focus()}>Edit policy.toml</button>
          <button type="button" className="button button-small" onClick={() => { const el = document.getElementById('policy-dry-run'); el?.scrollIntoView?.({ block: 'start' }); el?.focus(); }}>Dry run</button>
        </div>
      </PanelHead>
      <StaleNotice error={res.error} />
      {s.error && (
        <div className="notice notice-error policy-banner" role="alert">
          <strong>policy.toml is not in force:</strong> <Prose text={s.error.trim().replace(/\.$/, '')} />; the policy before stays in force until it is fixed.
          {fileLine !== undefined && draft.text === s.text && (
            <> <button type="button" className="link-button link-inline" onClick={() => showLine(fileLine)}>Show line {fileLine}</button></>
          )}
        </div>
      )}
      <div className="policy-layout">
        <div className="policy-col">
          <section className="card" aria-labelledby="policy-in-force">
            <h2 id="policy-in-force">{s.error ? 'In force (the policy before)' : 'In force'}</h2>
            {empty ? (
              <div className="policy-empty">
                <p>
                  Without a policy every user and computer may use every licensed product while seats are free. A policy names
                  groups of users and computers, and for each product who may use it (<code>include</code>, <code>exclude</code>),
                  how many seats one of them may hold (<code>max</code>) and seats kept for them (<code>reserve</code>). For example:
                </p>
                <figure className="example-figure" aria-label="Example policy">
                  <pre className="example">{EXAMPLE_POLICY}</pre>
                </figure>
                <button type="button" className="button" onClick={() => (draft.text.trim() ? setReplacing(true) : insertExample())}>Put the example in the editor</button>
              </div>
            ) : (
              <PolicyRules policy={s.policy} onShow={linesInEditor} />
            )}
          </section>
          <section className="card" aria-labelledby="policy-precedence">
            <h2 id="policy-precedence">Order of precedence</h2>
            <p className="muted small">Rules apply in this order, and the first that refuses decides. The policy applies to new seats: a renewal is never refused by it.</p>
            <Precedence steps={s.policy.precedence} decided={decided} />
          </section>
        </div>
        <div className="policy-col">
          <PolicyEditor status={s} draft={draft} editor={editor} onSaved={res.replace} />
          <PolicyDryRun products={products} precedence={s.policy.precedence} onShowLine={linesInEditor} unsaved={draft.dirty} onDecided={setDecided} />
          {licenses.error !== undefined && !licenses.data && <p className="field-hint">The products of the licences could not be loaded (<Prose text={describeError(licenses.error).replace(/\.$/, '')} />); type a product name.</p>}
        </div>
      </div>
      {replacing && (
        <ConfirmDialog title="Replace your text with the example?" confirmLabel="Replace" onClose={() => setReplacing(false)} onConfirm={async () => insertExample()}>
          <p>The editor holds text you have not saved. The example replaces it; nothing is saved until you press Save.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
