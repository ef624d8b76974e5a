// A plain-text editor for a small file (policy.toml): a textarea with line
// numbers, a line marked (the one an error names), and a way to put the
// cursor on a line. Lines never wrap, so line N is always row N.
import { useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';

export interface CodeEditorHandle {
  /** Focuses the editor with the cursor at the start of `line` (1 first), scrolled into view and marked. */
  goToLine: (line: number) => void;
  /** Focuses the editor where its cursor was. */
  focus: () => void;
}

/** Must match `.code-editor` in styles.css. */
const LINE_PX = 20;
const PAD_PX = 8;

export function CodeEditor(props: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  /** The line an error names: marked, and the editor is aria-invalid. */
  errorLine?: number;
  /** Ctrl+S / ⌘S. */
  onSave?: () => void;
  /** Rows shown: the text's lines and two more, within these bounds (the admin may drag it taller). */
  minRows?: number;
  maxRows?: number;
  describedBy?: string;
  placeholder?: string;
  ref?: Ref<CodeEditorHandle>;
}) {
  const { id, value, onChange, errorLine, onSave, minRows = 12, maxRows = 24, describedBy, placeholder, ref } = props;
  const area = useRef<HTMLTextAreaElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  // A line shown on request (a rule's "line 8"), until the text changes.
  const [shown, setShown] = useState<number>();
  const count = value.split('\n').length;
  // A line shown stops meaning anything once the text changes (typed, or replaced from outside).
  useEffect(() => setShown(undefined), [value]);

  useImperativeHandle(ref, () => ({
    focus: () => area.current?.focus(),
    goToLine: (line: number) => {
      const el = area.current;
      if (!el) return;
      const lines = el.value.split('\n');
      const n = Math.min(Math.max(1, line), lines.length);
      let at = 0;
      for (let i = 0; i < n - 1; i++) at += lines[i].length + 1;
      el.focus();
      el.setSelectionRange(at, at);
      el.scrollTop = Math.max(0, (n - 1) * LINE_PX - el.clientHeight / 3);
      el.scrollLeft = 0;
      setScrollTop(el.scrollTop);
      el.scrollIntoView?.({ block: 'nearest' });
      setShown(n);
    },
  }), []);

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (onSave && (e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') {
      e.preventDefault();
      onSave();
    }
  };

  const mark = (line: number | undefined, tone: 'error' | 'shown') =>
    line !== undefined && line <= count && (
      <div className={`code-mark code-mark-${tone}`} aria-hidden="true" style={{ top: PAD_PX + (line - 1) * LINE_PX - scrollTop }} />
    );

  return (
    <div className={`code-editor${errorLine ? ' code-editor-invalid' : ''}`}>
      {mark(shown !== errorLine ? shown : undefined, 'shown')}
      {mark(errorLine, 'error')}
      <div className="code-gutter" aria-hidden="true">
        <div style={{ transform: `translateY(${-scrollTop}px)` }}>
          {Array.from({ length: count }, (_, i) => (
            <div key={i} className={i + 1 === errorLine ? 'code-gutter-error' : undefined}>{i + 1}</div>
          ))}
        </div>
      </div>
      <textarea
        ref={area}
        id={id}
        className="code-area"
        value={value}
        rows={Math.min(maxRows, Math.max(minRows, count + 2))}
        wrap="off"
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        autoCorrect="off"
        placeholder={placeholder}
        aria-invalid={errorLine ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
