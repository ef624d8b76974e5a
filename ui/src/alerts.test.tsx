// The header's bell: how many alerts wait, the list, and acknowledging.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AlertBell } from './AlertBell';
import type { Alert, AlertList } from './api';
import { fakeFetch, json, renderWithApi, session } from './test/fixtures';

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 3, kind: 'out_of_seats', severity: 'warning', key: 'out_of_seats:cad', product: 'cad',
    message: 'cad is out of seats: 2 checkouts were refused in the last 15 minutes because every seat was in use.',
    raisedAt: Date.UTC(2026, 11, 1, 9, 0), ...over,
  };
}

function alertServer(alerts: Alert[]) {
  let list = alerts;
  const answer = (): AlertList => ({
    alerts: list, open: list.filter((a) => !a.resolvedAt).length, unacknowledged: list.filter((a) => !a.acknowledgedAt).length,
    lastMail: { at: Date.UTC(2026, 11, 1, 9, 0), ok: false, error: 'the relay mail.lan:25 refused or could not be reached' },
  });
  return fakeFetch({
    'GET /admin/v1/alerts': () => json(answer()),
    'POST /admin/v1/alerts/3/acknowledge': () => {
      list = list.map((a) => (a.id === 3 ? { ...a, acknowledgedAt: Date.UTC(2026, 11, 1, 9, 5), acknowledgedBy: 'otto' } : a));
      return json(list[0]);
    },
  });
}

describe('the alerts bell', () => {
  it('counts the alerts waiting; an operator acknowledges one and the count goes', async () => {
    const f = alertServer([alert(), alert({ id: 2, severity: 'critical', key: 'store_failing', message: 'Writing to the data directory fails (disk full).', resolvedAt: Date.UTC(2026, 11, 1, 8, 0) })]);
    renderWithApi(<AlertBell />, f, { me: session({ account: 'otto', role: 'operator' }) });
    const bell = await screen.findByRole('button', { name: 'Alerts: 2 waiting for an admin' });
    await userEvent.click(bell);
    const dialog = await screen.findByRole('dialog', { name: 'Alerts' });
    expect(within(dialog).getByText(/cad is out of seats/)).toBeInTheDocument();
    expect(within(dialog).getByText('Critical')).toBeInTheDocument();
    expect(within(dialog).getByText(/Last mail: failed .*mail\.lan:25/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getAllByRole('button', { name: 'Acknowledge' })[0]);
    await waitFor(() => expect(f).toHaveBeenCalledWith(expect.stringContaining('/admin/v1/alerts/3/acknowledge'), expect.anything()));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Alerts: 1 waiting for an admin' })).toBeInTheDocument());
    expect(within(dialog).getByText(/seen by otto/)).toBeInTheDocument();
  });

  it('a viewer sees them but may not acknowledge, and is told why', async () => {
    renderWithApi(<AlertBell />, alertServer([alert()]), { me: session({ account: 'vic', role: 'viewer' }) });
    await userEvent.click(await screen.findByRole('button', { name: 'Alerts: 1 waiting for an admin' }));
    const dialog = await screen.findByRole('dialog', { name: 'Alerts' });
    expect(within(dialog).getByRole('button', { name: 'Acknowledge' })).toBeDisabled();
    expect(within(dialog).getByText('Needs the operator role to acknowledge alerts.')).toBeInTheDocument();
  });
});

describe('alert delivery on the Server tab', () => {
  it('an admin sets a webhook (the stored mail password is kept unsaid) and a test says how each channel went', async () => {
    const { AlertSettingsCard } = await import('./tabs/AlertSettingsCard');
    let put: unknown;
    const f = fakeFetch({
      'GET /admin/v1/alerts/settings': () => json({ usagePercent: 90, mail: { relay: 'mail.lan:587', security: 'starttls', from: 'l@lic1.lan', to: ['it@corp.lan'], user: 'lic', hasPassword: true } }),
      'PUT /admin/v1/alerts/settings': ({ body }) => { put = body; return json({ ...(body as object), mail: { ...(body as { mail: object }).mail, hasPassword: true } }); },
      'POST /admin/v1/alerts/test': () => json({ mail: { at: 1, ok: true }, webhook: { at: 1, ok: false, error: 'the webhook answered 404 Not Found' } }),
    });
    renderWithApi(<AlertSettingsCard />, f, { me: session({ role: 'admin' }) });
    expect(await screen.findByLabelText(/Password at the relay \(one is stored; empty keeps it\)/)).toHaveValue('');
    await userEvent.type(screen.getByLabelText('Webhook URL (empty for none)'), 'https://chat.lan/hooks/1');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(put).toBeDefined());
    expect(put).toMatchObject({ usagePercent: 90, webhook: { url: 'https://chat.lan/hooks/1' }, mail: { relay: 'mail.lan:587', to: ['it@corp.lan'], user: 'lic' } });
    expect((put as { mail: { password?: string } }).mail.password).toBeUndefined();
    await userEvent.click(screen.getByRole('button', { name: 'Send test' }));
    expect(await screen.findByText('Mail: sent.')).toBeInTheDocument();
    expect(screen.getByText('Webhook: failed — the webhook answered 404 Not Found.')).toBeInTheDocument();
  });

  it('a viewer is told it needs the admin role, and nothing is asked', async () => {
    const { AlertSettingsCard } = await import('./tabs/AlertSettingsCard');
    const f = fakeFetch({});
    renderWithApi(<AlertSettingsCard />, f, { me: session({ account: 'vic', role: 'viewer' }) });
    expect(screen.getByText(/Needs the admin role to see and change where alerts are sent/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
    expect(f).not.toHaveBeenCalled();
  });
});
