// Copy to the clipboard, said aloud. The clipboard API is there only on a
// secure origin (https, or this computer): opened over plain http from
// another computer it is missing, so the text is selected in a read-only
// field instead, with "Press Ctrl+C to copy".
import { useEffect, useRef, useState } from 'react';

/** "Ctrl+C", or "⌘C" on a Mac. */
export function copyKeys(): string {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent) ? '⌘C' : 'Ctrl+C';
}

export type CopyState = 'idle' | 'copied' | 'manual';

/**
 * Copies text to the clipboard. `state` is 'copied' for a moment after it
 * did, and 'manual' when this page cannot (no clipboard here, or it refused):
 * the caller then selects the text for the admin to copy with the keys.
 */
export function useCopy(): { state: CopyState; copy: (text: string) => Promise<void>; reset: () => void; tries: number } {
  const [state, setState] = useState<CopyState>('idle');
  // Bumped at each copy that falls back, so the text is selected again each time Copy is pressed.
  const [tries, setTries] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async (text: string) => {
    clearTimeout(timer.current);
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard on this origin');
      await navigator.clipboard.writeText(text);
    } catch {
      setState('manual');
      setTries((n) => n + 1);
      return;
    }
    setState('copied');
    timer.current = setTimeout(() => setState('idle'), 2000);
  };
  return { state, copy, reset: () => setState('idle'), tries };
}

/** What a copy did, for screen readers (and the eye, when the text was only selected). */
export function CopyNews({ state, className }: { state: CopyState; className?: string }) {
  return (
    <span role="status" className={state === 'manual' ? `copy-manual ${className ?? ''}` : 'sr-only'}>
      {state === 'copied' ? 'Copied' : state === 'manual' ? `Selected: press ${copyKeys()} to copy.` : ''}
    </span>
  );
}

/** A value with a Copy button (addresses, paths, codes). */
export function CopyValue({ value, label, mono = true, autoFocus }: { value: string; label: string; mono?: boolean; /** A dialog focuses Copy first. */ autoFocus?: boolean }) {
  const { state, copy, reset, tries } = useCopy();
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state !== 'manual') return;
    field.current?.focus();
    field.current?.select();
  }, [state, tries]);
  return (
    <span className="copy-value">
      {state === 'manual' ? (
        <input
          ref={field}
          type="text"
          readOnly
          value={value}
          className={`copy-field${mono ? ' mono' : ''}`}
          aria-label={label}
          size={Math.min(Math.max(value.length, 8), 60)}
          onBlur={reset}
          onFocus={(e) => e.currentTarget.select()}
        />
      ) : (
        <span className={mono ? 'mono' : undefined}>{value}</span>
      )}
      <button type="button" className="link-button" onClick={() => void copy(value)} aria-label={`Copy ${label}`} data-autofocus={autoFocus || undefined}>{state === 'copied' ? 'Copied' : 'Copy'}</button>
      <CopyNews state={state} />
    </span>
  );
}
