// policy.toml's text, edited and saved whole. A refused save shows the
// server's reason next to the editor, marks its line and keeps the text.
import { useId, useState, type RefObject } from 'react';
import { ApiError, describeError, type PolicyStatus } from '../api';
import { Badge } from '../components/Badge';
import { CodeEditor, type CodeEditorHandle } from '../components/CodeEditor';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Prose } from '../components/Prose';
import { useApp } from '../hooks';
import { RoleNote } from '../components/RoleNote';
import { useNeeds } from '../roles';
import type { PolicyDraft } from './policyDraft';
import { errorLine, errorReason, isEmptyPolicy } from './policyText';

export function PolicyEditor({ status, draft, editor, onSaved }: {
  status: PolicyStatus;
  draft: PolicyDraft;
  editor: RefObject<CodeEditorHandle | null>;
  onSaved: (s: PolicyStatus) => void;
}) {
  const { api, notify } = useApp();
  const ids = useId();
  const [saving, setSaving] = useState(false);
  // The refusal, with the text it refused (its line is marked while the editor still holds that text).
  const [refused, setRefused] = useState<{ error: unknown; text: string }>();
  const [confirm, setConfirm] = useState<'empty' | 'discard'>();
  const needs = useNeeds('admin');

  const save = async () => {
    if (!draft.dirty || saving || needs.closed) return;
    if (!draft.text.trim() && !isEmptyPolicy(status) && confirm !== 'empty') { setConfirm('empty'); return; }
    const text = draft.text;
    setSaving(true);
    setRefused(undefined);
    try {
      const s = await api.setPolicy(text);
      onSaved(s);
      draft.saved();
      notify(s.text.trim() ? 'Seat policy saved. It is in force now.' : 'Seat policy removed: the licences alone decide.');
    } catch (error) {
      setRefused({ error, text });
      const line = error instanceof ApiError && error.code === 'invalid_policy' ? errorLine(error.message) : undefined;
      if (line) editor.current?.goToLine(line);
    } finally {
      setSaving(false);
    }
  };

  const refusedLine = refused && refused.error instanceof ApiError && refused.error.code === 'invalid_policy' ? errorLine(refused.error.message) : undefined;
  // The line to mark: the refused save's, else (the editor showing the file as it is) the file's own error.
  const markLine = refused
    ? (refused.text === draft.text ? refusedLine : undefined)
    : (status.error && draft.text === status.text ? errorLine(status.error) : undefined);
  const file = status.policy.file;

  return (
    <section className="card policy-editor" aria-labelledby={`${ids}-title`}>
      <div className="card-head">
        <h2 id={`${ids}-title`}>Edit policy.toml</h2>
        {draft.dirty && <Badge tone="warn">Unsaved changes</Badge>}
      </div>
      <label className="sr-only" htmlFor={`${ids}-text`}>Text of policy.toml</label>
      {draft.changedOnServer && (
        <div className="notice notice-warn notice-action" role="status">
          <span>policy.toml changed on the server while you were editing. Your text is kept; saving replaces the file with it.</span>
          <button type="button" className="button button-small" onClick={() => setConfirm('discard')}>Use the server’s text…</button>
        </div>
      )}
      <CodeEditor
        ref={editor}
        id={`${ids}-text`}
        value={draft.text}
        onChange={draft.edit}
        errorLine={markLine}
        onSave={() => void save()}
        describedBy={`${refused ? `${ids}-error ` : ''}${ids}-hint`}
        placeholder="No policy: every user may use every licensed product while seats are free."
      />
      {refused && (
        <div className="notice notice-error editor-error" role="alert" id={`${ids}-error`} data-error-code={refused.error instanceof ApiError ? refused.error.code : undefined}>
          <p>
            <strong>Not saved.</strong>{' '}
            {refusedLine !== undefined ? <>Line {refusedLine}: <Prose text={errorReason(describeError(refused.error))} /></> : <Prose text={describeError(refused.error)} />}
            {refusedLine !== undefined && refused.text === draft.text && (
              <> <button type="button" className="link-button link-inline" onClick={() => editor.current?.goToLine(refusedLine)}>Show line {refusedLine}</button></>
            )}
          </p>
          <p className="small">Your text is kept; the policy in force has not changed.</p>
        </div>
      )}
      <RoleNote need="admin" to="to save the seat policy (the dry run is open to all)" id={`${ids}-role`} />
      <div className="button-row editor-actions">
        <button type="button" className="button button-primary" onClick={() => void save()} disabled={!draft.dirty || saving || needs.closed} title={needs.why} aria-describedby={needs.why ? `${ids}-role` : undefined}>{saving ? 'Saving…' : 'Save'}</button>
        <button type="button" className="button" onClick={() => setConfirm('discard')} disabled={!draft.dirty || saving}>Discard changes…</button>
      </div>
      <p className="field-hint" id={`${ids}-hint`}>
        Save writes policy.toml and puts it in force at once (Ctrl+S in the editor); leases already out run to their end. Empty text means no policy.
        You can also edit the file directly in the server’s data directory{file ? <> (<code className="wrap-long">{file}</code>)</> : null}: the server reads it again within seconds.
      </p>
      {confirm === 'empty' && (
        <ConfirmDialog
          title="Remove the seat policy?"
          confirmLabel="Save empty policy"
          danger
          onClose={() => setConfirm(undefined)}
          onConfirm={save}
        >
          <p>The text is empty: saving it removes every group and rule. Every user may then use every licensed product while seats are free.</p>
        </ConfirmDialog>
      )}
      {confirm === 'discard' && (
        <ConfirmDialog
          title="Discard your changes?"
          confirmLabel="Discard changes"
          danger
          onClose={() => setConfirm(undefined)}
          onConfirm={async () => { draft.discard(); setRefused(undefined); }}
        >
          <p>The editor goes back to policy.toml as the server last read it. Your changes are lost.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
