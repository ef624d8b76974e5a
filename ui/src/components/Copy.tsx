import { useEffect, useRef, useState } from 'react';

/**
 * Copies text to the clipboard; `copied` is true for a moment after it did.
 * Without a clipboard (plain http on another host) nothing happens and the
 * text stays on the page to select.
 */
export function useCopy(): { copied: boolean; copy: (text: string) => Promise<void> } {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      return;
    }
    setCopied(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), 1500);
  };
  return { copied, copy };
}

/** A value with a Copy button (addresses, paths, codes). */
export function CopyValue({ value, label, mono = true }: { value: string; label: string; mono?: boolean }) {
  const { copied, copy } = useCopy();
  return (
    <span className="copy-value">
      <span className={mono ? 'mono' : undefined}>{value}</span>
      <button type="button" className="link-button" onClick={() => void copy(value)} aria-label={`Copy ${label}`}>{copied ? 'Copied' : 'Copy'}</button>
    </span>
  );
}
