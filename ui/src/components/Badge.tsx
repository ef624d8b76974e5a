import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'info';

export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return <span className={`badge badge-${tone}`} title={title}>{children}</span>;
}

/** "3 of 10" with a bar. */
export function SeatMeter({ inUse, seats }: { inUse: number; seats: number }) {
  const pct = seats > 0 ? Math.min(100, Math.round((inUse / seats) * 100)) : inUse > 0 ? 100 : 0;
  const tone = inUse > seats ? 'bad' : pct >= 90 ? 'warn' : 'ok';
  return (
    <span className="meter" title={`${inUse.toLocaleString()} of ${seats.toLocaleString()} seats in use`}>
      <span className="meter-text">{inUse.toLocaleString()} of {seats.toLocaleString()}</span>
      <span className="meter-bar" aria-hidden="true"><span className={`meter-fill meter-${tone}`} style={{ width: `${pct}%` }} /></span>
    </span>
  );
}
