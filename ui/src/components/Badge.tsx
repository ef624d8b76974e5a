import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'info';

export function Badge({ tone, children, title, className }: { tone: Tone; children: ReactNode; title?: string; className?: string }) {
  return <span className={`badge badge-${tone}${className ? ` ${className}` : ''}`} title={title}>{children}</span>;
}

/** "3 of 10" with a bar; with a `label`, what is counted ("render 2 of 4"). */
export function SeatMeter({ inUse, seats, label }: { inUse: number; seats: number; label?: string }) {
  const pct = seats > 0 ? Math.min(100, Math.round((inUse / seats) * 100)) : inUse > 0 ? 100 : 0;
  const tone = inUse > seats ? 'bad' : pct >= 90 ? 'warn' : 'ok';
  return (
    <span className={`meter${label ? ' meter-labelled' : ''}`} title={`${label ? `${label}: ` : ''}${inUse.toLocaleString()} of ${seats.toLocaleString()} seats in use`}>
      <span className="meter-text">
        {label ? (
          <><span className="meter-label">{label}</span> <span className="meter-count">{inUse.toLocaleString()} of {seats.toLocaleString()}</span></>
        ) : (
          <>{inUse.toLocaleString()} of {seats.toLocaleString()}</>
        )}
      </span>
      <span className="meter-bar" aria-hidden="true"><span className={`meter-fill meter-${tone}`} style={{ width: `${pct}%` }} /></span>
    </span>
  );
}
