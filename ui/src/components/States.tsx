// Loading, empty and error states, designed rather than blank.
import type { ReactNode } from 'react';
import { describeError } from '../api';
import { isOffline } from '../hooks';

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
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, onRetry, what }: { error: unknown; onRetry?: () => void; what: string }) {
  const offline = isOffline(error);
  return (
    <div className="state state-error" role="alert">
      <h3>{offline ? 'The server is not reachable' : `Could not load ${what}`}</h3>
      <p>{describeError(error)}</p>
      {onRetry && <button type="button" className="button" onClick={onRetry}>Try again</button>}
    </div>
  );
}

/** A slim notice above data that is still shown but may be out of date. */
export function StaleNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="notice notice-warn" role="status">
      {isOffline(error) ? 'Showing the last known data: the server is not answering right now. Retrying…' : describeError(error)}
    </div>
  );
}

export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  return <div className="notice notice-error" role="alert">{describeError(error)}</div>;
}
