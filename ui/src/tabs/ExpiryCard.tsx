// The Server tab's expiry warnings: the codes that count now and end within
// the warning window (soonest first), and the window itself, which an admin
// changes (0: never warn). A value the server refuses gets its sentence.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type ServerStatus } from '../api';
import { ErrorProse } from '../components/Prose';
import { useApp } from '../hooks';
import { formatCalendarDay, plural } from '../format';
import { useNeeds } from '../roles';
import { daysLeftText } from './licenseText';

export function ExpiryCard({ s, onChanged, focus }: {
  s: Pick<ServerStatus, 'expiring' | 'expiryWarningDays'>;
  /** After a change: the status is asked again (its list follows the window). */
  onChanged: () => void;
  /** Bring the card into view (the banner sent the admin here). */
  focus?: boolean;
}) {
  const { api, notify } = useApp();
  const needs = useNeeds('admin');
  const current = s.expiryWarningDays ?? 0;
  const [draft, setDraft] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const card = useRef<HTMLElement>(null);
  const expiring = s.expiring ?? [];

  useEffect(() => {
    if (!focus) return;
    card.current?.scrollIntoView?.({ block: 'start' }); // jsdom has none
    card.current?.focus();
  }, [focus]);

  const value = draft ?? String(current);
  const save = async () => {
    const days = Number(value.trim());
    if (value.trim() === '' || !Number.isFinite(days)) { setError(new Error('Enter a number of days: 0 (no warnings) to 365.')); return; }
    setBusy(true);
    setError(undefined);
    try {
      // Out of range or not whole: the server's sentence says what it takes.
      const set = await api.setSettings({ expiryWarningDays: days });
      setDraft(undefined);
      notify(set.expiryWarningDays === 0 ? 'Codes are no longer warned of before they end.' : `Codes are now warned of ${plural(set.expiryWarningDays, 'day')} before their last day.`);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card card-wide" id="expiry" ref={card} tabIndex={-1} aria-labelledby="expiry-title">
      <h2 id="expiry-title">Expiry warnings</h2>
      {current === 0
        ? <p className="muted">Off: no code is warned of before it ends.</p>
        : expiring.length === 0
          ? <p className="muted">No code that counts now ends within {plural(current, 'day')}.</p>
          : (
            <div className="table-wrap">
              <table className="table table-compact expiry-table">
                <caption className="sr-only">Codes that end within {plural(current, 'day')}</caption>
                <thead><tr><th scope="col">Product</th><th scope="col">Customer</th><th scope="col">Seats</th><th scope="col">Last day</th><th scope="col">Left</th></tr></thead>
                <tbody>
                  {expiring.map((e) => (
                    <tr key={e.licenseId}>
                      <td><strong>{e.product}</strong></td>
                      <td>{e.customer || <span className="muted">—</span>}</td>
                      <td>{e.seats.toLocaleString()}</td>
                      <td className="nowrap">{formatCalendarDay(e.lastDay)}</td>
                      <td><span className="text-warn">{daysLeftText(e.daysLeft)}</span></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      <form className="expiry-form" noValidate onSubmit={(e) => { e.preventDefault(); if (value !== String(current)) void save(); }}>
        <div className="field">
          <label className="field-label" htmlFor="expiry-days">Warn this many days before a code’s last day</label>
          <div className="field-row">
            <input
              id="expiry-days"
              type="number"
              inputMode="numeric"
              min={0}
              max={365}
              step={1}
              value={value}
              onChange={(e) => { setDraft(e.target.value); setError(undefined); }}
              disabled={needs.closed}
              aria-describedby="expiry-days-hint"
              aria-invalid={error !== undefined}
            />
            <button type="submit" className="button button-primary" disabled={needs.closed || busy || value === String(current)} title={needs.why}>{busy ? 'Saving…' : 'Save'}</button>
          </div>
          <span className="field-hint" id="expiry-days-hint">0 turns the warnings off; at most 365. The banner at the top and the Licenses tab name the codes within it.{needs.why ? ` ${needs.why} to change it.` : ''}</span>
        </div>
      </form>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}>
          <strong>Not saved.</strong> <ErrorProse error={error} />
        </div>
      )}
    </section>
  );
}
