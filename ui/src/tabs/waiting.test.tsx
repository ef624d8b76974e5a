import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Event, WaiterView } from '../api';
import { formatDateTime } from '../format';
import { event, fakeFetch, json, renderWithApi, seat, seatServer } from '../test/fixtures';
import { ComputersTab } from './ComputersTab';
import { Waiting } from './Waiting';

const now = Date.now();
let tickets = 0;
function waiter(product: string, position: number, clientId: string, over: Partial<WaiterView> = {}): WaiterView {
  tickets += 1;
  return {
    ticket: `00000000-0000-4000-8000-${String(tickets).padStart(12, '0')}`, product, position, clientId,
    user: 'bob', host: clientId, appName: 'Acme CAD', since: now - 60_000 * (10 - position), ...over,
  };
}

/** A server's queue: GET lists it, DELETE takes a ticket out (those behind move up), as the server does. */
function queueServer(initial: WaiterView[]) {
  let waiters = [...initial];
  return {
    set: (w: WaiterView[]) => { waiters = [...w]; },
    list: () => json({ waiters }),
    remove: (ticket: string) => {
      const gone = waiters.find((w) => w.ticket === ticket);
      if (gone) {
        waiters = waiters
          .filter((w) => w !== gone)
          .map((w) => (w.product === gone.product && w.position > gone.position ? { ...w, position: w.position - 1 } : w));
      }
      return json({ ticket, wasWaiting: !!gone });
    },
  };
}

type Routes = Parameters<typeof fakeFetch>[0];

/** A fetch answering `routes`, the queue's list, and DELETE of any ticket. */
function withQueue(q: ReturnType<typeof queueServer>, routes: Routes = {}) {
  const f = fakeFetch({ 'GET /admin/v1/queue': q.list, ...routes });
  const answer = f.getMockImplementation()!;
  f.mockImplementation(async (input, init) => {
    const { pathname } = new URL(String(input));
    const ticket = /^\/admin\/v1\/queue\/([^/]+)$/.exec(pathname)?.[1];
    return init?.method === 'DELETE' && ticket ? q.remove(decodeURIComponent(ticket)) : answer(input, init);
  });
  return f;
}

const rowsOf = (product: string) => within(screen.getByRole('list', { name: `Waiting for ${product}` })).getAllByRole('listitem');
const rowTexts = (product: string) => rowsOf(product).map((li) => li.querySelector('.waiter-pos')?.textContent + ' ' + li.querySelector('.waiter-id')?.textContent);

describe('Waiting for a seat', () => {
  it('lists each product’s waiters in order, who they are, the application and since when', async () => {
    const ann = waiter('cad', 1, 'ws-2', { user: 'ann', since: now - 125_000 });
    // The server lists per product in order; the page keeps each product's order whatever comes.
    const q = queueServer([ann, waiter('sim', 2, 'lab-7'), waiter('cad', 2, 'ws-3', { appName: '' }), waiter('sim', 1, 'lab-4')]);
    renderWithApi(<Waiting now={now} />, withQueue(q));
    const heading = await screen.findByRole('heading', { name: 'Waiting for a seat (4)' });
    expect(heading.closest('section')).toHaveAccessibleName('Waiting for a seat (4)');
    expect(rowTexts('cad')).toEqual(['1st ws-2', '2nd ws-3']);
    expect(rowTexts('sim')).toEqual(['1st lab-4', '2nd lab-7']);
    const first = rowsOf('cad')[0];
    expect(within(first).getByText('ann@ws-2')).toBeInTheDocument();
    expect(within(first).getByText('Acme CAD')).toBeInTheDocument();
    const since = within(first).getByText('2 min 5 s ago');
    expect(since.closest('time')).toHaveAttribute('title', `Waiting since ${formatDateTime(ann.since)}`);
    // No application: a dash, never "undefined".
    expect(rowsOf('cad')[1]).toHaveTextContent('—');
    expect(document.body.textContent).not.toMatch(/undefined|\{"/);
    // Where the figures for buying seats are.
    expect(heading.closest('section')).toHaveAccessibleDescription(/leasehold_queue_waiting.*leasehold_queue_wait_seconds.*how many seats to buy/);
  });

  it('removes a waiter after confirming: the API is called, its row goes and the next moves up, focus on it', async () => {
    const w2 = waiter('cad', 1, 'ws-2');
    const q = queueServer([w2, waiter('cad', 2, 'ws-3')]);
    const f = withQueue(q);
    const { ctx } = renderWithApi(<Waiting now={now} />, f);
    const remove = await screen.findByRole('button', { name: 'Remove bob@ws-2 (ws-2) from the line for cad' });
    await userEvent.click(remove);
    const dialog = screen.getByRole('dialog', { name: 'Remove bob@ws-2 from the line?' });
    expect(dialog).toHaveTextContent('is 1st in line for cad');
    expect(dialog).toHaveTextContent('Its application is told the next time it asks about its place');
    expect(dialog).toHaveTextContent('joins again at the end of the line');
    // The dialog pattern: focus starts on Cancel, Esc closes and gives focus back.
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(remove).toHaveFocus();
    expect(f.mock.calls.some((c) => c[1]?.method === 'DELETE')).toBe(false);

    await userEvent.keyboard('{Enter}');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove from the line' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const del = f.mock.calls.filter((c) => c[1]?.method === 'DELETE').map((c) => new URL(String(c[0])).pathname);
    expect(del).toEqual([`/admin/v1/queue/${w2.ticket}`]);
    expect(ctx.notify).toHaveBeenCalledWith('bob@ws-2 (ws-2) was taken out of the line for cad.');
    expect(rowTexts('cad')).toEqual(['1st ws-3']);
    expect(screen.getByRole('heading', { name: 'Waiting for a seat (1)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove bob@ws-3 (ws-3) from the line for cad' })).toHaveFocus();

    // The last one removed: one quiet line, which takes the focus.
    await userEvent.keyboard('{Enter}');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove from the line' }));
    const quiet = await screen.findByText('No one is waiting for a seat.');
    await waitFor(() => expect(quiet).toHaveFocus());
    expect(screen.queryByRole('heading', { name: /Waiting for a seat/ })).not.toBeInTheDocument();
  });

  it('says so when the waiter had already gone', async () => {
    const w = waiter('cad', 1, 'ws-2');
    const f = fakeFetch({ 'GET /admin/v1/queue': () => json({ waiters: [w] }), [`DELETE /admin/v1/queue/${w.ticket}`]: () => json({ ticket: w.ticket, wasWaiting: false }) });
    const { ctx } = renderWithApi(<Waiting now={now} />, f);
    await userEvent.click(await screen.findByRole('button', { name: /^Remove bob@ws-2/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove from the line' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('bob@ws-2 (ws-2) was no longer waiting for cad: it got a seat or left the line.'));
  });

  it('shows the server’s error in words when removing fails, and keeps the row', async () => {
    const w = waiter('cad', 1, 'ws-2');
    const f = fakeFetch({
      'GET /admin/v1/queue': () => json({ waiters: [w] }),
      [`DELETE /admin/v1/queue/${w.ticket}`]: () => json({ code: 'storage_full', message: 'the disk holding the database is full; free space and try again' }, 507),
    });
    const { ctx } = renderWithApi(<Waiting now={now} />, f);
    await userEvent.click(await screen.findByRole('button', { name: /^Remove bob@ws-2/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Remove from the line' }));
    const alert = await within(screen.getByRole('dialog')).findByRole('alert');
    expect(alert).toHaveTextContent('The disk holding the database is full; free space and try again.');
    expect(alert.textContent).not.toMatch(/storage_full|\{|undefined/);
    expect(ctx.notify).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(rowTexts('cad')).toEqual(['1st ws-2']);
  });

  it('refreshes soon after a queue event', async () => {
    const q = queueServer([waiter('cad', 1, 'ws-2')]);
    let listener: ((e: Event[]) => void) | undefined;
    renderWithApi(<Waiting now={now} />, withQueue(q), { subscribe: (fn) => { listener = fn; return () => { listener = undefined; }; } });
    await screen.findByRole('heading', { name: 'Waiting for a seat (1)' });
    q.set([waiter('cad', 1, 'ws-2'), waiter('cad', 2, 'ws-3')]);
    // Not for other events.
    act(() => listener?.([event(1, { kind: 'license_added' })]));
    await new Promise((r) => setTimeout(r, 300));
    expect(screen.getByRole('heading', { name: 'Waiting for a seat (1)' })).toBeInTheDocument();
    act(() => listener?.([event(2, { kind: 'queue_joined' })]));
    expect(await screen.findByRole('heading', { name: 'Waiting for a seat (2)' }, { timeout: 1000 })).toBeInTheDocument();
    q.set([waiter('cad', 1, 'ws-3')]);
    act(() => listener?.([event(3, { kind: 'queue_granted' })]));
    expect(await screen.findByRole('heading', { name: 'Waiting for a seat (1)' }, { timeout: 1000 })).toBeInTheDocument();
    expect(rowTexts('cad')).toEqual(['1st ws-3']);
  });

  it('shows the first five of a long line, and all on asking', async () => {
    const q = queueServer(Array.from({ length: 12 }, (_, i) => waiter('cad', i + 1, `ws-${i + 1}`)));
    renderWithApi(<Waiting now={now} />, withQueue(q));
    await screen.findByRole('heading', { name: 'Waiting for a seat (12)' });
    expect(rowTexts('cad')).toEqual(['1st ws-1', '2nd ws-2', '3rd ws-3', '4th ws-4', '5th ws-5']);
    const more = screen.getByRole('button', { name: 'Show all 12 waiting for cad' });
    expect(more).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(more);
    expect(rowsOf('cad')).toHaveLength(12);
    expect(rowTexts('cad').at(-1)).toBe('12th ws-12');
    expect(screen.getByRole('button', { name: 'Show the first 5 only' })).toHaveAttribute('aria-expanded', 'true');
  });

  it('says in one quiet line that no one waits; a load error in words; nothing from a server without the queue', async () => {
    const { unmount } = renderWithApi(<Waiting now={now} />, fakeFetch({ 'GET /admin/v1/queue': () => json({ waiters: [] }) }));
    expect(await screen.findByText('No one is waiting for a seat.')).toBeInTheDocument();
    expect(screen.queryByRole('heading')).not.toBeInTheDocument();
    unmount();

    const failing = renderWithApi(<Waiting now={now} />, fakeFetch({ 'GET /admin/v1/queue': () => json({ code: 'internal', message: 'the queue is being rebuilt' }, 500) }));
    expect(await screen.findByText(/Could not load who is waiting for a seat: The queue is being rebuilt\./)).toBeInTheDocument();
    failing.unmount();

    const old = renderWithApi(<Waiting now={now} />, fakeFetch({}));
    await waitFor(() => expect(old.container).toBeEmptyDOMElement());
  });

  it('sits on the Computers tab above the seats', async () => {
    const q = queueServer([waiter('cad', 1, 'ws-2')]);
    renderWithApi(<ComputersTab />, withQueue(q, { 'GET /admin/v1/computers': seatServer([seat(1)]) }));
    const section = (await screen.findByRole('heading', { name: 'Waiting for a seat (1)' })).closest('section')!;
    const table = await screen.findByRole('table', { name: 'Seats in use' });
    expect(section.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
