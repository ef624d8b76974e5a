// A modal dialog: traps focus, closes on Esc, gives focus back on close.
// One may open over another (Add a vendor key from Add a license code): only
// the one on top answers the keys.
import { useEffect, useId, useRef, type ReactNode } from 'react';

/** The dialogs open, the last on top. */
const stack: HTMLElement[] = [];

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** While true, Esc and the backdrop do not close (a request is running). */
  busy?: boolean;
  /** False: a click beside the dialog does not close it (it shows something only once). */
  closeOnBackdrop?: boolean;
}) {
  const { title, onClose, children, footer, wide, busy, closeOnBackdrop = true } = props;
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  const busyRef = useRef(busy);
  busyRef.current = busy;

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const node = ref.current;
    const first = node?.querySelector<HTMLElement>('[data-autofocus]') ?? node?.querySelector<HTMLElement>(FOCUSABLE);
    (first ?? node)?.focus();
    if (node) stack.push(node);
    const onKey = (e: KeyboardEvent) => {
      if (node && stack[stack.length - 1] !== node) return;
      if (e.key === 'Escape') {
        e.stopPropagation();
        if (!busyRef.current) closeRef.current();
      } else if (e.key === 'Tab' && node) {
        const items = Array.from(node.querySelectorAll<HTMLElement>(FOCUSABLE));
        if (!items.length) { e.preventDefault(); return; }
        const firstEl = items[0];
        const lastEl = items[items.length - 1];
        if (e.shiftKey && (document.activeElement === firstEl || !node.contains(document.activeElement))) {
          e.preventDefault(); lastEl.focus();
        } else if (!e.shiftKey && (document.activeElement === lastEl || !node.contains(document.activeElement))) {
          // Also when the focused element went away (a row removed): back into the dialog, not to the page behind.
          e.preventDefault(); firstEl.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      if (node) stack.splice(stack.indexOf(node), 1);
      before?.focus?.();
    };
  }, []);

  return (
    <div className="backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget && !busy && closeOnBackdrop) onClose(); }}>
      <div ref={ref} className={`dialog${wide ? ' dialog-wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1}>
        <header className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={onClose} disabled={busy}>×</button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer && <footer className="dialog-foot">{footer}</footer>}
      </div>
    </div>
  );
}
