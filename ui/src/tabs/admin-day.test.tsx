// An admin's day: codes that end soon (badge, banner, the Server tab's list
// and window), trusting a vendor's key from the Add license dialog, the
// certificate's fingerprint, and the account behind a log line.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ExpiringLicense } from '../api';
import { formatCalendarDay } from '../format';
import { StatusBanners } from '../StatusBanners';
import { event, fakeFetch, json, license, renderWithApi, session, status } from '../test/fixtures';
import { LicensesTab } from './LicensesTab';
import { LogsTab } from './LogsTab';
import { ServerTab } from './ServerTab';

const expiring = (over: Partial<ExpiringLicense> = {}): ExpiringLicense => ({ licenseId: 'a', product: 'cad', customer: 'Northwind', seats: 10, lastDay: '2027-12-31', daysLeft: 3, ...over });

describe('codes that end soon', () => {
  it('show how soon instead of a green Active, with their last day', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({
      'GET /admin/v1/licenses': () => json([
        license({ licenseId: 'a', lastDay: '2027-12-31', firstDay: null, daysLeft: 3, expiringSoon: true }),
        license({ licenseId: 'b', product: 'sim', firstDay: null, lastDay: '2027-12-31', daysLeft: 0, expiringSoon: true }),
        license({ licenseId: 'c', product: 'cam', lastDay: '2028-06-30', daysLeft: 180, expiringSoon: false }),
      ]),
    }));
    expect(await screen.findByText('Expires in 3 days')).toBeInTheDocument();
    expect(screen.getByText('Last day today')).toBeInTheDocument();
    expect(screen.getAllByText('Active')).toHaveLength(1);
    expect(screen.getAllByText(`Until ${formatCalendarDay('2027-12-31')}`)).toHaveLength(2);
  });

  it('are named in a banner with their last day and days left; more than three are counted', async () => {
    const { ctx } = renderWithApi(<StatusBanners />, fakeFetch({
      'GET /admin/v1/status': () => json(status({
        expiring: [expiring({ daysLeft: 0 }), expiring({ licenseId: 'b', product: 'sim', customer: '', daysLeft: 1 }), expiring({ licenseId: 'c', product: 'cam', seats: 1 }), expiring({ licenseId: 'd', product: 'ocr' })],
        expiryWarningDays: 30,
      })),
    }));
    const banner = await screen.findByRole('status');
    const day = formatCalendarDay('2027-12-31');
    expect(banner).toHaveTextContent(`4 license codes end soon. cad for Northwind (10 seats): last day today (${day}); sim (10 seats): last day tomorrow (${day}); cam for Northwind (1 seat): last day ${day} (3 days left); and 1 more.`);
    await userEvent.click(within(banner).getByRole('button', { name: 'Expiry warnings' }));
    expect(ctx.showTab).toHaveBeenCalledWith('server', 'expiry');
  });

  it('shows no banner while none does', async () => {
    const f = fakeFetch({ 'GET /admin/v1/status': () => json(status({ expiring: [], expiryWarningDays: 30 })) });
    const { container } = renderWithApi(<StatusBanners />, f);
    await waitFor(() => expect(f).toHaveBeenCalled());
    expect(container).toBeEmptyDOMElement();
  });

  it('the Server tab lists them and changes the window; a refused value shows the server’s sentence', async () => {
    let days = 30;
    const f = fakeFetch({
      'GET /admin/v1/status': () => json(status({ expiring: days >= 3 ? [expiring()] : [], expiryWarningDays: days })),
      'PUT /admin/v1/settings': ({ body }) => {
        const want = (body as { expiryWarningDays: number }).expiryWarningDays;
        if (want > 365) return json({ code: 'invalid_field', message: `expiryWarningDays: ${want} days is too long; give 0 (no warnings) to 365` }, 400);
        days = want;
        return json({ expiryWarningDays: want });
      },
    });
    renderWithApi(<ServerTab />, f, { me: session() });
    const card = (await screen.findByRole('heading', { name: 'Expiry warnings' })).closest('.card') as HTMLElement;
    expect(within(card).getByRole('row', { name: /cad/ })).toHaveTextContent(`cadNorthwind10${formatCalendarDay('2027-12-31')}Expires in 3 days`);
    const field = within(card).getByLabelText('Warn this many days before a code’s last day');
    fireEvent.change(field, { target: { value: '400' } });
    await userEvent.click(within(card).getByRole('button', { name: 'Save' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('Not saved. ExpiryWarningDays: 400 days is too long; give 0 (no warnings) to 365.');
    fireEvent.change(field, { target: { value: '2' } });
    await userEvent.click(within(card).getByRole('button', { name: 'Save' }));
    expect(await within(card).findByText('No code that counts now ends within 2 days.')).toBeInTheDocument();
  });

  it('a viewer sees the window but cannot change it', async () => {
    renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status({ expiring: [], expiryWarningDays: 30 })) }), { me: session({ account: 'vic', role: 'viewer', localAdmin: false }) });
    expect(await screen.findByLabelText('Warn this many days before a code’s last day')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Add vendor key…' })).toBeDisabled();
    expect(screen.getByText('Needs the admin role to change the server’s settings, vendor keys and the activation authority (you are a viewer).')).toBeInTheDocument();
  });
});

describe('HTTPS', () => {
  it('shows the certificate’s fingerprint to compare, or says plain HTTP only', async () => {
    const { unmount } = renderWithApi(<ServerTab />, fakeFetch({
      'GET /admin/v1/status': () => json(status({ tls: { fingerprint: 'AB:CD:EF', source: 'provided', certificate: '/etc/leasehold/cert.pem' } })),
    }));
    expect(await screen.findByText('AB:CD:EF')).toBeInTheDocument();
    expect(screen.getByText(/On the same port, with the certificate given to the server\./)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy certificate fingerprint' })).toBeInTheDocument();
    unmount();
    renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status()) }));
    expect(await screen.findByText(/^Off: plain HTTP only\./)).toBeInTheDocument();
  });
});

describe('trusting a vendor key from the Add license dialog', () => {
  it('an untrusted vendor’s code links to Add vendor key; the key’s refusal is shown precisely; then the code adds', async () => {
    let trusted = false;
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license()]),
      'POST /admin/v1/licenses': () => (trusted ? json(license({ product: 'cam', seats: 4 })) : json({ code: 'untrusted_vendor', message: 'the code is signed by the vendor key `KT6V…`, which this server does not trust' }, 422)),
      'POST /admin/v1/trusted-keys': ({ body }) => {
        if ((body as { publicKey: string }).publicKey !== 'LHPK-GOOD') return json({ code: 'bad_public_key', message: 'this is not a valid vendor public key: it contains `O`, which keys never contain (no 0, 1, O or I); copy the `LHPK-…` line again' }, 422);
        trusted = true;
        return json({ publicKey: 'LHPK-GOOD', fingerprint: 'KT6V', source: 'dataDir' });
      },
    });
    renderWithApi(<LicensesTab />, f, { me: session() });
    await userEvent.click(await screen.findByRole('button', { name: 'Add license code' }));
    const add = screen.getByRole('dialog', { name: 'Add a license code' });
    fireEvent.change(within(add).getByLabelText('License code'), { target: { value: 'LHC1-OTHER' } });
    await userEvent.click(await within(add).findByRole('button', { name: 'Add vendor key…' }));

    const key = screen.getByRole('dialog', { name: 'Add a vendor key' });
    expect(within(key).getByLabelText('Vendor public key')).toHaveFocus();
    await userEvent.type(within(key).getByLabelText('Vendor public key'), 'LHPK-BAD');
    await userEvent.click(within(key).getByRole('button', { name: 'Trust this key' }));
    expect(await within(key).findByRole('alert')).toHaveTextContent('This key was not added. This is not a valid vendor public key: it contains O, which keys never contain (no 0, 1, O or I); copy the LHPK-… line again.');
    // Esc closes the key dialog only: the Add dialog and its code stay.
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Add a vendor key' })).not.toBeInTheDocument();
    expect(screen.getByRole('dialog', { name: 'Add a license code' })).toBeInTheDocument();
    await userEvent.click(within(add).getByRole('button', { name: 'Add vendor key…' }));
    const again = screen.getByRole('dialog', { name: 'Add a vendor key' });
    await userEvent.type(within(again).getByLabelText('Vendor public key'), 'LHPK-GOOD');
    await userEvent.click(within(again).getByRole('button', { name: 'Trust this key' }));
    expect(await within(add).findByRole('button', { name: 'Add 4 seats of cam' })).toBeEnabled();
  });
});

describe('the account behind a log line', () => {
  it('is named in the list and in full, and found by its name', async () => {
    renderWithApi(<LogsTab />, fakeFetch({
      'GET /admin/v1/events': () => json({ events: [event(1), event(2, { kind: 'settings_changed', message: 'codes are warned of 10 days before their last day', by: 'ann' })], lastSeq: 2 }),
      'GET /admin/v1/logs': () => json({ lines: [], lastSeq: 0 }),
    }));
    const line = (await screen.findByText('codes are warned of 10 days before their last day')).closest('.log-message') as HTMLElement;
    expect(line).toHaveTextContent('codes are warned of 10 days before their last day by ann');
    fireEvent.change(screen.getByLabelText('Search the log'), { target: { value: 'by ann' } });
    expect(screen.queryByText(/granted cad to ann@ws-1/)).not.toBeInTheDocument();
    fireEvent.click(line);
    expect(within(screen.getByRole('region', { name: 'The line in full' })).getByText('by ann')).toBeInTheDocument();
  });
});
