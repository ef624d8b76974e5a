// Borrowed seats: on the Computers tab a loan reads "Borrowed until …" and is
// ended with End loan; on the Licenses tab each product says how many of its
// seats in use are borrowed.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Event, SeatRow } from '../api';
import { formatDateTime } from '../format';
import { event, fakeFetch, json, license, renderWithApi, seat, seatServer, status } from '../test/fixtures';
import { ComputersTab } from './ComputersTab';
import { LicensesTab } from './LicensesTab';

const HOUR = 3_600_000;

/** ws-N's seat, out on loan for 8 hours from an hour ago; `features` it holds. */
const borrowed = (i: number, features?: string[]): SeatRow => {
  const r = seat(i);
  const grantedAt = Date.now() - HOUR;
  return { ...r, borrowed: true, features, lease: { ...r.lease, grantedAt, renewedAt: grantedAt, expiresAt: grantedAt + 8 * HOUR } };
};

const rowOf = (host: string) => screen.getByText(host).closest('[role="row"]') as HTMLElement;

describe('Computers tab: seats out on loan', () => {
  it('reads "Borrowed until" the loan’s end on its row, instead of the renewal and expiry', async () => {
    const loan = borrowed(1);
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([loan, seat(2)]) }));
    await screen.findByText('2 seats held by 2 computers');
    const row = rowOf('ws-1');
    const badge = within(row).getByText(`Borrowed until ${formatDateTime(loan.lease.expiresAt)}`);
    expect(badge).toHaveClass('badge', 'badge-info');
    expect(badge).toHaveAttribute('title', expect.stringMatching(/never renewed/));
    expect(within(row).getByText(`since ${formatDateTime(loan.lease.grantedAt)}`)).toBeInTheDocument();
    // One cell says it all: no "1 h ago" renewal, no "in 7 h" expiry.
    expect(row).not.toHaveTextContent(/ ago|in \d/);
    const cell = badge.closest('[role="cell"]') as HTMLElement;
    expect(cell).toHaveClass('loan-cell');
    expect(cell).toHaveAttribute('title', `Borrowed on ${formatDateTime(loan.lease.grantedAt)} for 8 h, until ${formatDateTime(loan.lease.expiresAt)}`);
    // Every row keeps nine children, so the narrow layout hides the same columns in each.
    expect(row.children).toHaveLength(rowOf('ws-2').children.length);
    expect(row.querySelectorAll('.cell-covered')).toHaveLength(2);
    expect(within(row).getAllByRole('cell')).toHaveLength(7);
    expect(within(row).getByRole('button', { name: 'End loan of cad to user1 on ws-1' })).toHaveTextContent('End loan…');

    // A seat not on loan reads as before.
    const other = rowOf('ws-2');
    expect(within(other).queryByText(/Borrowed/)).not.toBeInTheDocument();
    expect(other).toHaveTextContent(/10 s ago/);
    expect(within(other).getByRole('button', { name: 'Disconnect user2 on ws-2 from cad' })).toHaveTextContent('Disconnect…');
  });

  it('keeps the rows’ height, with the feature chips a loan holds under its product', async () => {
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([borrowed(1, ['render']), seat(2)]) }));
    await screen.findByText('2 seats held by 2 computers');
    const row = rowOf('ws-1');
    expect(within(within(row).getByRole('list', { name: 'Feature seats held' })).getByRole('listitem')).toHaveTextContent('render');
    expect(row.style.height).toBe('52px');
  });

  it('ends a loan after saying the seat stops counting now and the computer loses it at its next contact', async () => {
    const loan = borrowed(1);
    const f = fakeFetch({ 'GET /admin/v1/computers': seatServer([{ ...loan, computerSeats: 2 }]), 'POST /admin/v1/disconnect': () => json({ ended: ['lease-1'] }) });
    const { ctx } = renderWithApi(<ComputersTab />, f);
    await userEvent.click(await screen.findByRole('button', { name: 'End loan of cad to user1 on ws-1' }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('heading')).toHaveTextContent('End user1’s loan of cad?');
    expect(dialog).toHaveTextContent('The seat stops counting now: it is free for someone else at once.');
    expect(dialog).toHaveTextContent(`user1’s computer (ws-1) loses it at its next contact with the server. Until then it may go on working offline with it, at most until ${formatDateTime(loan.lease.expiresAt)}`);
    // Only the loan: the computer's other seats are not offered here.
    expect(within(dialog).queryByRole('radio')).not.toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole('button', { name: 'End loan' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('Loan ended: the seat is free.'));
    const post = f.mock.calls.find((c) => c[1]?.method === 'POST');
    expect(new URL(String(post?.[0])).pathname).toBe('/admin/v1/disconnect');
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({ leaseId: 'lease-1' });
  });

  it('says so when the loan had already ended', async () => {
    const f = fakeFetch({ 'GET /admin/v1/computers': seatServer([borrowed(1)]), 'POST /admin/v1/disconnect': () => json({ ended: [] }) });
    const { ctx } = renderWithApi(<ComputersTab />, f);
    await userEvent.click(await screen.findByRole('button', { name: 'End loan of cad to user1 on ws-1' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'End loan' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('That loan had already ended.'));
  });
});

const rules = (maxBorrowHours: number) => ({ overdraft: 0, noQueue: false, namedUsers: false, reassignAfterHours: 24, maxBorrowHours, lingerSecs: 0, featureSeats: [], tokens: null, unitsPool: false });

describe('Licenses tab: seats borrowed', () => {
  it('says how many of a product’s seats in use are borrowed, and follows the borrow event', async () => {
    let borrowedNow = 1;
    let push: (e: Event[]) => void = () => {};
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license({ seatRules: rules(24) }), license({ licenseId: 'sim-1', product: 'sim', productInUse: 0, productSeats: 5 })]),
      'GET /admin/v1/status': () => json(status({ products: [{ product: 'cad', seats: 10, inUse: 3, highWater: 5, denialsLastHour: 0, borrowed: borrowedNow }, { product: 'sim', seats: 5, inUse: 0, highWater: 0, denialsLastHour: 0, borrowed: 0 }] })),
    });
    renderWithApi(<LicensesTab />, f, { subscribe: (fn) => { push = fn; return () => {}; } });
    const count = await screen.findByText('1 borrowed');
    expect(count.closest('td')).toHaveTextContent(/^3 of 101 borrowed$/);
    expect(count).toHaveAttribute('title', 'Of the seats in use, 1 is borrowed to work without the server. The Computers tab shows until when.');
    // sim has none on loan: nothing under its seats.
    expect(screen.getAllByText(/borrowed$/)).toHaveLength(1);

    borrowedNow = 2;
    act(() => push([event(1, { kind: 'borrow', message: 'lent cad to ann@ws-1 for 8 h' })]));
    expect(await screen.findByText('2 borrowed')).toBeInTheDocument();
  });

  it('shows nothing when none is borrowed', async () => {
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license({ seatRules: rules(8) })]),
      'GET /admin/v1/status': () => json(status({ products: [{ product: 'cad', seats: 10, inUse: 3, highWater: 5, denialsLastHour: 0, borrowed: 0 }] })),
    });
    renderWithApi(<LicensesTab />, f);
    await waitFor(() => expect(f.mock.calls.map((c) => new URL(String(c[0])).pathname)).toContain('/admin/v1/status'));
    await screen.findByText('3 of 10');
    expect(screen.queryByText(/borrowed$/)).not.toBeInTheDocument();
  });

  it('asks for no status when no code allows borrowing (or counts a feature)', async () => {
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license({ seatRules: rules(0) }), license({ licenseId: 'old', product: 'sim' })]),
      'GET /admin/v1/status': () => json(status({ products: [{ product: 'cad', seats: 10, inUse: 3, highWater: 5, denialsLastHour: 0, borrowed: 2 }] })),
    });
    renderWithApi(<LicensesTab />, f);
    await screen.findByText('sim');
    expect(screen.queryByText(/borrowed$/)).not.toBeInTheDocument();
    expect(f.mock.calls.map((c) => new URL(String(c[0])).pathname)).not.toContain('/admin/v1/status');
  });
});
