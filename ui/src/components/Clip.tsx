// Text cut to its box ("ws-engineering-0…") that can still be read whole: on
// hover and on keyboard focus a tooltip shows all of it. Only text that is
// cut takes a place in the Tab order (measured, and again when the box
// resizes); Esc hides the tooltip. Screen readers read the whole text, which
// is all in the page. `lines` cuts after that many lines instead of one.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export function Clip(props: {
  text: string;
  children?: ReactNode;
  className?: string;
  lines?: 2;
  /** False where the keyboard reads the text another way (a log line, picked with the arrow keys): no Tab stop then. */
  tabbable?: boolean;
}) {
  const { text, children, className, lines, tabbable = true } = props;
  const ref = useRef<HTMLSpanElement>(null);
  const [cut, setCut] = useState(false);
  const [tip, setTip] = useState<DOMRect>();

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setCut(el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [text]);

  const show = useCallback(() => { if (cut && ref.current) setTip(ref.current.getBoundingClientRect()); }, [cut]);
  const hide = useCallback(() => setTip(undefined), []);
  // A tooltip stays where it was put: it goes when what it belongs to scrolls away.
  useEffect(() => {
    if (!tip) return;
    window.addEventListener('scroll', hide, true);
    return () => window.removeEventListener('scroll', hide, true);
  }, [tip, hide]);

  return (
    <>
      <span
        ref={ref}
        className={`clip${lines ? ' clip-lines' : ''}${cut ? ' clip-cut' : ''}${className ? ` ${className}` : ''}`}
        tabIndex={cut && tabbable ? 0 : undefined}
        onMouseEnter={show}
        onMouseLeave={hide}
        onFocus={show}
        onBlur={hide}
        onKeyDown={(e) => { if (e.key === 'Escape' && tip) { e.stopPropagation(); hide(); } }}
      >
        {children ?? text}
      </span>
      {tip && <Tooltip text={text} at={tip} />}
    </>
  );
}

/** The whole text by `at` (below it, or above when there is no room below), inside the window. */
function Tooltip({ text, at }: { text: string; at: DOMRect }) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ left: at.left, top: at.bottom + 4 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const { width, height } = el.getBoundingClientRect();
    const left = Math.max(8, Math.min(at.left, window.innerWidth - width - 8));
    const below = at.bottom + 4;
    const top = below + height <= window.innerHeight - 8 ? below : Math.max(8, at.top - height - 4);
    setPos({ left, top });
  }, [at]);
  // Beside the text it repeats (which screen readers read already): hidden from them.
  return createPortal(<div ref={ref} className="tooltip" aria-hidden="true" style={pos}>{text}</div>, document.body);
}
