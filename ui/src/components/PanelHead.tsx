import type { ReactNode } from 'react';

/** A tab's heading: its title, an optional line under it, and what sits on the right (a badge, actions). */
export function PanelHead({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <div className="panel-head">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="subtitle">{subtitle}</p> : null}
      </div>
      {children}
    </div>
  );
}
