// A server sentence as the page shows it: its `quoted` names (keys, codes,
// commands) set as code, its timestamps in the page's date format, and never
// a bare backtick (an unpaired one is dropped).
import { describeError } from '../api';
import { withLocalTimes } from '../format';

/** The words `Prose` shows, as plain text (a tooltip's). */
export function proseText(text: string): string {
  return withLocalTimes(text.replace(/`/g, ''));
}

export function Prose({ text }: { text: string }) {
  const parts = text.split(/(`[^`\n]+`)/);
  return <>{parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p.slice(1, -1)}</code> : withLocalTimes(p.replace(/`/g, ''))))}</>;
}

/** What went wrong, whatever it is, as a sentence (`describeError`) set as Prose. */
export function ErrorProse({ error }: { error: unknown }) {
  return <Prose text={describeError(error)} />;
}
