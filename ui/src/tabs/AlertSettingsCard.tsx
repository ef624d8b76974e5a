// The Server tab's alert delivery (admins): the usage threshold, mail through
// a relay on the LAN and a webhook, and "Send test" that says how each went.
// The mail password is never shown: left empty it stays as stored (for the
// same relay, security and user); the server checks every field and its
// sentence is shown on a refusal.
import { useEffect, useState } from 'react';
import { ApiError, type AlertSettings, type AlertTest } from '../api';
import { ErrorProse } from '../components/Prose';
import { RoleNote } from '../components/RoleNote';
import { useApp } from '../hooks';
import { useNeeds } from '../roles';

type Security = 'none' | 'starttls' | 'tls';

interface Draft {
  usagePercent: string;
  relay: string;
  security: Security;
  from: string;
  to: string;
  user: string;
  password: string;
  webhook: string;
}

function draftOf(s: AlertSettings): Draft {
  return {
    usagePercent: String(s.usagePercent),
    relay: s.mail?.relay ?? '',
    security: (s.mail?.security as Security | undefined) ?? 'none',
    from: s.mail?.from ?? '',
    to: (s.mail?.to ?? []).join(', '),
    user: s.mail?.user ?? '',
    password: '',
    webhook: s.webhook?.url ?? '',
  };
}

function settingsOf(d: Draft): AlertSettings {
  const mail = d.relay.trim()
    ? {
      relay: d.relay.trim(),
      security: d.security,
      from: d.from.trim(),
      to: d.to.split(/[,;\s]+/).filter(Boolean),
      user: d.user.trim() || undefined,
      // Empty: the stored one stays (the server keeps it for the same relay and user).
      password: d.password === '' ? undefined : d.password,
      hasPassword: false,
    }
    : undefined;
  return { usagePercent: Number(d.usagePercent), mail, webhook: d.webhook.trim() ? { url: d.webhook.trim() } : undefined };
}

function outcome(what: string, d: AlertTest['mail']): string | undefined {
  if (!d) return undefined;
  return d.ok ? `${what}: sent.` : `${what}: failed — ${d.error ?? 'no reason given'}.`;
}

export function AlertSettingsCard() {
  const { api, notify } = useApp();
  const needs = useNeeds('admin');
  const [saved, setSaved] = useState<AlertSettings>();
  const [draft, setDraft] = useState<Draft>();
  const [busy, setBusy] = useState<'save' | 'test'>();
  const [error, setError] = useState<unknown>();
  const [tested, setTested] = useState<string[]>();
  // Reading them failed (offline, say): said quietly, the form waits.
  const [unread, setUnread] = useState<unknown>();

  useEffect(() => {
    if (needs.closed) return;
    let gone = false;
    api.alertSettings().then((s) => { if (!gone) { setSaved(s); setDraft(draftOf(s)); setUnread(undefined); } }, (e) => { if (!gone) setUnread(e); });
    return () => { gone = true; };
  }, [api, needs.closed]);

  const set = (k: keyof Draft) => (e: { target: { value: string } }) => { setDraft((d) => d && { ...d, [k]: e.target.value }); setError(undefined); };

  const save = async () => {
    if (!draft) return;
    setBusy('save');
    setError(undefined);
    try {
      const s = await api.setAlertSettings(settingsOf(draft));
      setSaved(s);
      setDraft(draftOf(s));
      notify('Alert settings saved.');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const test = async () => {
    setBusy('test');
    setTested(undefined);
    try {
      const t = await api.testAlerts();
      const lines = [outcome('Mail', t.mail), outcome('Webhook', t.webhook)].filter((l): l is string => Boolean(l));
      setTested(lines.length ? lines : ['No mail relay or webhook is set: save one first.']);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="card card-wide" aria-labelledby="alert-settings-title">
      <h2 id="alert-settings-title">Alert delivery</h2>
      <p className="muted">Alerts (the bell) are also sent here, once each: mail through a relay on your network, and a JSON POST to a webhook for chat or monitoring.</p>
      <RoleNote need="admin" to="to see and change where alerts are sent" />
      {unread !== undefined && !draft && <p className="muted">The alert settings cannot be read now: <ErrorProse error={unread} /></p>}
      {draft && (
        <form className="alert-settings-form" noValidate onSubmit={(e) => { e.preventDefault(); void save(); }}>
          <label className="field"><span className="field-label">Alert at this share of seats in use or tokens spent (%; 0 for never)</span>
            <input type="number" min={0} max={100} step={1} value={draft.usagePercent} onChange={set('usagePercent')} /></label>
          <label className="field"><span className="field-label">Mail relay (host:port; empty for no mail)</span>
            <input type="text" value={draft.relay} onChange={set('relay')} placeholder="mail.lan:25" spellCheck={false} /></label>
          <label className="field"><span className="field-label">Connection to the relay</span>
            <select value={draft.security} onChange={set('security')}>
              <option value="none">Plain (a relay on the LAN)</option>
              <option value="starttls">STARTTLS</option>
              <option value="tls">TLS</option>
            </select></label>
          <label className="field"><span className="field-label">From</span>
            <input type="text" value={draft.from} onChange={set('from')} placeholder="leasehold@lic1.lan" spellCheck={false} /></label>
          <label className="field"><span className="field-label">To (comma-separated)</span>
            <input type="text" value={draft.to} onChange={set('to')} placeholder="it@example.lan" spellCheck={false} /></label>
          <label className="field"><span className="field-label">User at the relay (only over STARTTLS or TLS)</span>
            <input type="text" value={draft.user} onChange={set('user')} autoComplete="off" spellCheck={false} /></label>
          <label className="field"><span className="field-label">Password at the relay{saved?.mail?.hasPassword ? ' (one is stored; empty keeps it)' : ''}</span>
            <input type="password" value={draft.password} onChange={set('password')} autoComplete="new-password" /></label>
          <label className="field"><span className="field-label">Webhook URL (empty for none)</span>
            <input type="text" value={draft.webhook} onChange={set('webhook')} placeholder="https://chat.lan/hooks/…" spellCheck={false} /></label>
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy !== undefined}>{busy === 'save' ? 'Saving…' : 'Save'}</button>
            <button type="button" className="button" disabled={busy !== undefined} onClick={() => void test()}>{busy === 'test' ? 'Sending…' : 'Send test'}</button>
          </div>
        </form>
      )}
      {tested && <div className="notice" role="status">{tested.map((l) => <div key={l}>{l}</div>)}</div>}
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}>
          <strong>Not done.</strong> <ErrorProse error={error} />
        </div>
      )}
    </section>
  );
}
