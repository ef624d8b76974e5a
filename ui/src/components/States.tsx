// Loading, empty and error states, designed rather than blank.
import type { ReactNode } from 'react';
import { isOffline, useApp } from '../hooks';
import { ErrorProse } from './Prose';

export function Loading({ label }: { label: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <p>{label}</p>
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <h2 className="state-title">{title}</h2>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  const offline = isOffline(error);
  return (
    <div className="state state-error" role="alert">
      <h2 className="state-title">{offline ? 'The server is not reachable' : `Could not load ${what}`}</h2>
      <p><ErrorProse error={error} />{offline && ' This page tries again by itself.'}</p>
      {onRetry && <button type="button" className="button" onClick={onRetry}>Try again</button>}
    </div>
  );
}

/**
 * A slim notice above data that is still shown but may be out of date: the
 * last load failed, or the server is not reachable (then it says that what
 * is shown is paused, and comes back by itself).
 */
export function StaleNotice({ error, offlineSaidAbove }: { error: unknown; offlineSaidAbove?: boolean }) {
  const { offline } = useApp();
  if (!error && !offline) return null;
  // A part of a tab whose head says it once for all its parts, while the page knows the server is gone.
  if (offlineSaidAbove && offline) return null;
  return (
    <div className="notice notice-warn" role="status">
      {offline || isOffline(error)
        ? <><strong>Paused — offline.</strong> Showing the last known data; it updates by itself once the server answers again.</>
        : <ErrorProse error={error} />}
    </div>
  );
}

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return <div className="notice notice-error" role="alert"><ErrorProse error={error} /></div>;
}
