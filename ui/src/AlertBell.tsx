// The header's bell: alerts no admin has acknowledged yet (a code ending
// soon, a product out of seats, the store failing, …), listed in a dialog
// where an operator or admin acknowledges them. Asked for every 15 s; the
// server raises each alert once, and mails it and calls the webhook set
// with `leasehold admin alerts settings`.
import { useState } from 'react';
import { createPortal } from 'react-dom';
import type { Alert } from './api';
import { Badge } from './components/Badge';
import { Dialog } from './components/Dialog';
import { Prose } from './components/Prose';
import { describeError } from './api';
import { formatDateTime } from './format';
import { useApp, useResource } from './hooks';
import { useNeeds } from './roles';

function state(a: Alert): string {
  if (!a.resolvedAt) return a.acknowledgedAt ? `Still holds · seen by ${a.acknowledgedBy ?? 'an admin'}` : 'Still holds';
  return a.acknowledgedAt ? `Ended · seen by ${a.acknowledgedBy ?? 'an admin'}` : 'Ended';
}

export function AlertBell() {
  const { api } = useApp();
  const res = useResource(api.alerts, { key: 'alerts', intervalMs: 15_000 });
  const needs = useNeeds('operator');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState<number>();
  const [error, setError] = useState<string>();
  const list = res.data;
  const count = list?.unacknowledged ?? 0;
  const label = count === 0 ? 'Alerts: none waiting' : `Alerts: ${count} waiting for an admin`;

  const acknowledge = async (id: number) => {
    setBusy(id);
    setError(undefined);
    try {
      await api.acknowledgeAlert(id);
      res.reload();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <button type="button" className={`bell${count > 0 ? ' bell-waiting' : ''}`} aria-label={label} title={label} aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6zm-2 15a2 2 0 0 0 4 0" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" /></svg>
        {count > 0 && <span className="bell-count" aria-hidden="true">{count}</span>}
      </button>
      {/* Shown in the page's main landmark like every dialog, not inside the header's. */}
      {open && createPortal(
        <Dialog title="Alerts" onClose={() => setOpen(false)} wide>
          {needs.why && <p className="muted">{needs.why} to acknowledge alerts.</p>}
          {error && <div className="notice notice-error" role="alert"><Prose text={error} /></div>}
          {!list && <p className="muted">{res.error ? describeError(res.error) : 'Loading…'}</p>}
          {list && list.alerts.length === 0 && <p>No alerts. The server tells of a code ending soon, a product out of seats, usage near its limit, a failing disk or mDNS, the clock set back, and a stop.</p>}
          {list && list.alerts.length > 0 && (
            <ul className="alert-list">
              {list.alerts.map((a) => (
                <li key={a.id} className="alert-item">
                  <div className="alert-head">
                    <Badge tone={a.severity === 'critical' ? 'bad' : 'warn'}>{a.severity === 'critical' ? 'Critical' : 'Warning'}</Badge>
                    <span className="muted">{formatDateTime(a.raisedAt)} · {state(a)}</span>
                  </div>
                  <p className="alert-message"><Prose text={a.message} /></p>
                  {!a.acknowledgedAt && (
                    <button type="button" className="button button-small" disabled={needs.closed || busy !== undefined} onClick={() => void acknowledge(a.id)}>
                      {busy === a.id ? 'Acknowledging…' : 'Acknowledge'}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {list && (list.lastMail || list.lastWebhook) && (
            <p className="muted">
              {list.lastMail && <>Last mail: {list.lastMail.ok ? `sent ${formatDateTime(list.lastMail.at)}` : `failed ${formatDateTime(list.lastMail.at)} (${list.lastMail.error ?? 'no reason given'})`}. </>}
              {list.lastWebhook && <>Last webhook call: {list.lastWebhook.ok ? `sent ${formatDateTime(list.lastWebhook.at)}` : `failed ${formatDateTime(list.lastWebhook.at)} (${list.lastWebhook.error ?? 'no reason given'})`}.</>}
            </p>
          )}
        </Dialog>,
        document.querySelector('main') ?? document.body,
      )}
    </>
  );
}
