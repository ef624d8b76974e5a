// A fixed-row-height virtual list: only the rows in view (plus a margin) are in
// the DOM, so 10,000 rows scroll as smoothly as 10.
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type UIEvent } from 'react';

export function VirtualRows<T>(props: {
  items: T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  rowKey: (item: T) => string | number;
  className?: string;
  label: string;
  /** Keep the view pinned to the end while the user is there (log tail). */
  stickToEnd?: boolean;
  overscan?: number;
  /** Called when the rows in view reach the last few (load the next page). */
  onNearEnd?: () => void;
  /** The list itself takes the keyboard (in every browser): a list whose rows hold no button of their own. */
  focusable?: boolean;
  onKeyDown?: (e: KeyboardEvent<HTMLDivElement>) => void;
  /** A row picked (with the keys): marked, and scrolled into view. */
  activeIndex?: number;
}) {
  const { items, rowHeight, renderRow, rowKey, className, label, stickToEnd, overscan = 8, onNearEnd, focusable, onKeyDown, activeIndex } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  const atEnd = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 480);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (stickToEnd && el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [items.length, stickToEnd]);

  useEffect(() => {
    const el = ref.current;
    if (!el || activeIndex === undefined) return;
    const top = activeIndex * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  }, [activeIndex, rowHeight]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    setScrollTop(el.scrollTop);
    atEnd.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
  };

  const total = items.length * rowHeight;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const visible = items.slice(first, last);
  const nearEnd = items.length > 0 && last >= items.length - overscan;

  useEffect(() => {
    if (nearEnd) onNearEnd?.();
  }, [nearEnd, items.length, onNearEnd]);

  return (
    <div ref={ref} className={`vlist ${className ?? ''}`} onScroll={onScroll} role="rowgroup" aria-label={label} tabIndex={focusable ? 0 : undefined} onKeyDown={onKeyDown}>
      <div style={{ height: total, position: 'relative' }}>
        <div style={{ transform: `translateY(${first * rowHeight}px)` }}>
          {visible.map((item, i) => (
            <div key={rowKey(item)} className={`vrow${first + i === activeIndex ? ' vrow-active' : ''}`} style={{ height: rowHeight }} role="row" aria-rowindex={first + i + 2} aria-current={first + i === activeIndex || undefined}>
              {renderRow(item, first + i)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
