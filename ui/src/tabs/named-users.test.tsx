import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Event, NamedUsersView } from '../api';
import { formatDateTime } from '../format';
import { event, fakeFetch, json, license, renderWithApi } from '../test/fixtures';
import { LicensesTab } from './LicensesTab';
import { NamedUsers } from './NamedUsers';

const now = Date.now();
const HOUR = 3_600_000;

function named(over: Partial<NamedUsersView> = {}): NamedUsersView {
  return {
    product: 'cad', inForce: true, seats: 3, reassignAfterHours: 24, coolingUntil: [],
    users: [
      { user: 'alice', assignedAt: now - 48 * HOUR, moved: false },
      { user: 'CORP\\bob', assignedAt: now - 2 * HOUR, moved: true },
    ],
    ...over,
  };
}

/**
 * A server's named users: GET lists them, PUT names (refused when no seat is
 * left), DELETE takes a name away, each answering the product as the server
 * does; `routes` answer the rest. `calls` has each change's method and path
 * as sent (still encoded).
 */
function namedServer(initial: NamedUsersView[], routes: Parameters<typeof fakeFetch>[0] = {}) {
  let products = initial.map((p) => ({ ...p, users: [...p.users] }));
  const calls: string[] = [];
  const f = fakeFetch({ 'GET /admin/v1/named-users': () => json({ products }), ...routes });
  const answer = f.getMockImplementation()!;
  f.mockImplementation(async (input, init) => {
    const { pathname } = new URL(String(input));
    const m = /^\/admin\/v1\/named-users\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (!m || (init?.method !== 'PUT' && init?.method !== 'DELETE')) return answer(input, init);
    calls.push(`${init.method} ${pathname}`);
    const [product, user] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
    const p = products.find((x) => x.product === product);
    if (!p) return json({ code: 'product_not_named', message: `no licence code of ${product} has named users` }, 409);
    const i = p.users.findIndex((a) => a.user.toLowerCase() === user.toLowerCase());
    if (init.method === 'PUT') {
      if (i < 0 && p.users.length + p.coolingUntil.length >= p.seats) {
        return json({ code: 'named_seats_full', message: `every seat of ${product} is named (${p.users.length} of ${p.seats}); take a seat from a user with \`leasehold admin users unassign ${product} USER\`, or add a licence with more seats` }, 409);
      }
      if (i < 0) p.users = [...p.users, { user, assignedAt: now, moved: false }].sort((a, b) => a.user.localeCompare(b.user));
    } else {
      if (i < 0) return json({ code: 'not_a_named_user', message: `${user} is not a named user of ${product}` }, 409);
      const [gone] = p.users.splice(i, 1);
      if (gone.moved) p.coolingUntil = [...p.coolingUntil, gone.assignedAt + p.reassignAfterHours * HOUR];
    }
    return json(p);
  });
  return { f, calls, set: (next: NamedUsersView[]) => { products = next; } };
}

const card = (product: string) => screen.getByRole('region', { name: product });
const names = (product: string) => within(screen.getByRole('list', { name: `Named users of ${product}` })).getAllByRole('listitem').map((li) => li.querySelector('.named-name')?.textContent);

describe('Named users', () => {
  it('shows each named product: seats named, in force, who and since when, seats moved, seats cooling down', async () => {
    const cooling = now + 5 * HOUR;
    const s = namedServer([named({ coolingUntil: [cooling] }), named({ product: 'sim', inForce: false, seats: 0, users: [] })]);
    renderWithApi(<NamedUsers />, s.f);
    await screen.findByRole('heading', { name: 'Named users' });
    const cad = card('cad');
    expect(cad).toHaveTextContent('2 of 3 seats named · 0 free to name, 1 cooling down');
    expect(within(cad).getByText('In force')).toBeInTheDocument();
    expect(cad).toHaveTextContent('Only the users named here may use cad.');
    expect(names('cad')).toEqual(['alice', 'CORP\\bob']);
    const [alice, bob] = within(cad).getAllByRole('listitem');
    expect(alice).toHaveTextContent(`named since ${formatDateTime(now - 48 * HOUR)}`);
    expect(alice).not.toHaveTextContent('moved');
    expect(within(bob).getByText('seat moved to them')).toHaveAttribute('title', expect.stringContaining('24 hours'));
    const seats = within(cad).getByRole('list', { name: 'Seats of cad cooling down' });
    expect(seats).toHaveTextContent(`1 seat: free for another user from ${formatDateTime(cooling)}`);
    expect(cad).toHaveTextContent('cool-down of 24 hours');

    const sim = card('sim');
    expect(within(sim).getByText('Not in force')).toBeInTheDocument();
    expect(sim).toHaveTextContent('0 users named, no seats count now');
    expect(sim).toHaveTextContent('No code with named users counts now');
    expect(sim).toHaveTextContent('No one is named yet.');
    expect(document.body.textContent).not.toMatch(/undefined|NaN|\{"/);
  });

  it('names a user: the name goes to the server encoded, the list shows it, the field empties', async () => {
    const s = namedServer([named({ seats: 5 })]);
    const { ctx } = renderWithApi(<NamedUsers />, s.f);
    const field = await screen.findByLabelText('Name a user for cad');
    const button = within(card('cad')).getByRole('button', { name: 'Name user' });
    expect(button).toBeDisabled();
    await userEvent.type(field, '  CORP\\Jürgen Groß ');
    await userEvent.click(button);
    await waitFor(() => expect(names('cad')).toContain('CORP\\Jürgen Groß'));
    expect(s.calls).toEqual(['PUT /admin/v1/named-users/cad/CORP%5CJ%C3%BCrgen%20Gro%C3%9F']);
    expect(ctx.notify).toHaveBeenCalledWith('CORP\\Jürgen Groß is now named for cad.');
    expect(field).toHaveValue('');
    expect(card('cad')).toHaveTextContent('3 of 5 seats named · 2 free to name');

    // Enter names too; a name already there (any capitals) changes nothing, and says so.
    await userEvent.type(field, 'ALICE{Enter}');
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('ALICE was already named for cad: nothing changed.'));
    expect(names('cad')).toEqual(['alice', 'CORP\\bob', 'CORP\\Jürgen Groß']);
  });

  it('shows the server’s refusal in words under the field, its times in local time', async () => {
    const freeAt = Date.UTC(2031, 0, 2, 10, 0, 0);
    const f = fakeFetch({
      'GET /admin/v1/named-users': () => json({ products: [named({ seats: 2, coolingUntil: [freeAt] })] }),
      'PUT /admin/v1/named-users/cad/carol': () => json({
        code: 'named_seats_full',
        message: 'every seat of cad that may be named now is taken: 2 of 3 are named and a seat freed from another user is in its cool-down until 2031-01-02T10:00:00Z; name the user then, or add a licence with more seats',
      }, 409),
    });
    const { ctx } = renderWithApi(<NamedUsers />, f);
    await userEvent.type(await screen.findByLabelText('Name a user for cad'), 'carol{Enter}');
    const alert = await within(card('cad')).findByRole('alert');
    expect(alert).toHaveTextContent(`Every seat of cad that may be named now is taken: 2 of 3 are named and a seat freed from another user is in its cool-down until ${formatDateTime(freeAt)}; name the user then, or add a licence with more seats.`);
    expect(alert.textContent).not.toMatch(/named_seats_full|2031-01-02T|\{|undefined/);
    expect(ctx.notify).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Name a user for cad')).toHaveValue('carol');
    // Typing again clears it.
    await userEvent.type(screen.getByLabelText('Name a user for cad'), 'x');
    expect(within(card('cad')).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('removes a user: the server is asked with the name encoded, the row goes, the seat’s cool-down is said', async () => {
    const s = namedServer([named()]);
    const { ctx } = renderWithApi(<NamedUsers />, s.f);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove CORP\\bob from the named users of cad' }));
    await waitFor(() => expect(names('cad')).toEqual(['alice']));
    expect(s.calls).toEqual(['DELETE /admin/v1/named-users/cad/CORP%5Cbob']);
    const freeAt = now - 2 * HOUR + 24 * HOUR;
    expect(ctx.notify).toHaveBeenCalledWith(`CORP\\bob is no longer named for cad. The seat is free for another user from ${formatDateTime(freeAt)}.`);
    expect(within(card('cad')).getByRole('list', { name: 'Seats of cad cooling down' })).toHaveTextContent(formatDateTime(freeAt));
    // The keyboard goes to the row before (the last one went).
    expect(screen.getByRole('button', { name: 'Remove alice from the named users of cad' })).toHaveFocus();

    // A seat named fresh is free at once; with no one left, focus is on the field.
    await userEvent.click(screen.getByRole('button', { name: 'Remove alice from the named users of cad' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('alice is no longer named for cad. The seat is free for another user now.'));
    expect(card('cad')).toHaveTextContent('No one is named yet: nobody may use cad until you name users.');
    await waitFor(() => expect(screen.getByLabelText('Name a user for cad')).toHaveFocus());
  });

  it('shows a failed remove in words, and keeps the row', async () => {
    const f = fakeFetch({
      'GET /admin/v1/named-users': () => json({ products: [named()] }),
      'DELETE /admin/v1/named-users/cad/alice': () => json({ code: 'not_a_named_user', message: 'alice is not a named user of cad; `leasehold admin users list cad` shows who is' }, 409),
    });
    renderWithApi(<NamedUsers />, f);
    await userEvent.click(await screen.findByRole('button', { name: 'Remove alice from the named users of cad' }));
    const alert = await within(card('cad')).findByRole('alert');
    expect(alert).toHaveTextContent('Alice is not a named user of cad; leasehold admin users list cad shows who is.');
    expect(alert.querySelector('code')).toHaveTextContent('leasehold admin users list cad');
    expect(names('cad')).toEqual(['alice', 'CORP\\bob']);
  });

  it('refreshes soon after a named_user event', async () => {
    const s = namedServer([named()]);
    let listener: ((e: Event[]) => void) | undefined;
    renderWithApi(<NamedUsers />, s.f, { subscribe: (fn) => { listener = fn; return () => { listener = undefined; }; } });
    await screen.findByRole('list', { name: 'Named users of cad' });
    s.set([named({ users: [...named().users, { user: 'dana', assignedAt: now, moved: false }] })]);
    // Not for other events.
    act(() => listener?.([event(1, { kind: 'grant' })]));
    await new Promise((r) => setTimeout(r, 300));
    expect(names('cad')).toEqual(['alice', 'CORP\\bob']);
    act(() => listener?.([event(2, { kind: 'named_user_assigned', user: 'dana' })]));
    await waitFor(() => expect(names('cad')).toEqual(['alice', 'CORP\\bob', 'dana']), { timeout: 1000 });
    s.set([named({ users: [named().users[0]] })]);
    act(() => listener?.([event(3, { kind: 'named_user_unassigned', user: 'CORP\\bob' })]));
    await waitFor(() => expect(names('cad')).toEqual(['alice']), { timeout: 1000 });
  });

  it('sits on the Licenses tab under the codes when a code has named users, and only then', async () => {
    const rules = { overdraft: 0, noQueue: false, maxBorrowHours: 0, lingerSecs: 0, reassignAfterHours: 24, featureSeats: [], tokens: null, unitsPool: false };
    const s = namedServer([named()], { 'GET /admin/v1/licenses': () => json([license({ seatRules: { ...rules, namedUsers: true } })]) });
    const { unmount } = renderWithApi(<LicensesTab />, s.f);
    const section = (await screen.findByRole('heading', { name: 'Named users' })).closest('section')!;
    const table = screen.getByRole('table');
    expect(table.compareDocumentPosition(section) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    unmount();

    const plain = fakeFetch({ 'GET /admin/v1/licenses': () => json([license({ seatRules: { ...rules, namedUsers: false } })]) });
    renderWithApi(<LicensesTab />, plain);
    await screen.findByRole('table');
    expect(screen.queryByRole('heading', { name: 'Named users' })).not.toBeInTheDocument();
    expect(plain.mock.calls.map((c) => new URL(String(c[0])).pathname)).toEqual(['/admin/v1/licenses']);
  });

  it('shows nothing from a server without named users, and a load error in words', async () => {
    const old = renderWithApi(<NamedUsers />, fakeFetch({}));
    await waitFor(() => expect(old.container).toBeEmptyDOMElement());
    old.unmount();
    renderWithApi(<NamedUsers />, fakeFetch({ 'GET /admin/v1/named-users': () => json({ code: 'internal', message: 'the store is busy' }, 500) }));
    expect(await screen.findByText(/Could not load the named users: The store is busy\./)).toBeInTheDocument();
  });
});
