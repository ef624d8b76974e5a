// A block of signed text to hand on (an activation request, a deactivation
// proof): shown read-only, with Copy and Save as file.
import { useEffect, useRef, type ReactNode } from 'react';
import { saveBlob } from '../download';
import { CopyNews, useCopy } from './Copy';

export function TextBlock(props: {
  /** The textarea's id (its label points at it). */
  id: string;
  label: string;
  text: string;
  /** "Copy request", "Copy proof". */
  copyLabel: string;
  /** The name "Save as file" suggests. */
  fileName: string;
  hint?: ReactNode;
  /** The dialog puts focus on the Copy button when it opens. */
  autoFocus?: boolean;
}) {
  const { id, label, text, copyLabel, fileName, hint, autoFocus } = props;
  const { state, copy, tries } = useCopy();
  const area = useRef<HTMLTextAreaElement>(null);
  // No clipboard here: the text is selected for the keys.
  useEffect(() => {
    if (state !== 'manual') return;
    area.current?.focus();
    area.current?.select();
  }, [state, tries]);
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>{label}</label>
      <textarea ref={area} id={id} className="code-input" value={text} readOnly rows={4} spellCheck={false} />
      <div className="button-row">
        <button type="button" className="button button-small" onClick={() => void copy(text)} data-autofocus={autoFocus || undefined}>{state === 'copied' ? 'Copied' : copyLabel}</button>
        <button type="button" className="button button-small" onClick={() => saveText(fileName, text)}>Save as file…</button>
        <CopyNews state={state} />
      </div>
      {hint && <span className="field-hint">{hint}</span>}
    </div>
  );
}

/** Offers `text` (and a final newline) as a download named `fileName`. */
function saveText(fileName: string, text: string) {
  saveBlob(fileName, new Blob([`${text}\n`], { type: 'text/plain' }));
}
