import { useState } from 'react';

/** A value with a Copy button (addresses, paths, codes). */
export function CopyValue({ value, label, mono = true }: { value: string; label: string; mono?: boolean }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    } catch {
      // No clipboard (plain http on another host): the value stays selectable.
    }
  };
  return (
    <span className="copy-value">
      <span className={mono ? 'mono' : undefined}>{value}</span>
      <button type="button" className="link-button" onClick={copy} aria-label={`Copy ${label}`}>{done ? 'Copied' : 'Copy'}</button>
    </span>
  );
}
