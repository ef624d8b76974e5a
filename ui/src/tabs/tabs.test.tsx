import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDay } from '../format';
import type { SeatRow } from '../api';
import { App } from '../App';
import { conn, event, fakeFetch, json, license, noPolicy, renderWithApi, seat, seatServer, status } from '../test/fixtures';
import { ComputersTab } from './ComputersTab';
import { LicenseModeTab } from './LicenseModeTab';
import { LicensesTab } from './LicensesTab';
import { LogsTab } from './LogsTab';
import { ServerTab } from './ServerTab';

const never = () => new Promise<Response>(() => {});
const offline = () => 'network' as const;

describe('Licenses tab', () => {
  it('shows a loading state', () => {
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': never }));
    expect(screen.getByRole('status')).toHaveTextContent('Loading licenses');
  });

  it('shows an empty state with the Add button', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': () => json([]) }));
    expect(await screen.findByText('No license codes yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Add license code' })).toBeInTheDocument();
  });

  it('shows each code with seats, use and state with reason', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({
      'GET /admin/v1/licenses': () => json([license(), license({ licenseId: 'b', product: 'sim', seats: 1, state: 'expired', stateReason: 'expired at the end of 2026-03-01' })]),
    }));
    expect(await screen.findByText('10 seats')).toBeInTheDocument();
    expect(screen.getByText('1 seat')).toBeInTheDocument();
    expect(screen.getAllByText('3 of 10')).toHaveLength(2);
    expect(screen.getByText('Expired')).toBeInTheDocument();
    expect(screen.getByText(`Expired at the end of ${formatDay(Date.UTC(2026, 2, 1))}.`)).toBeInTheDocument();
  });

  it('says a code not valid yet counts from when, not "0 of 0"', async () => {
    const from = Date.UTC(2027, 0, 7);
    renderWithApi(<LicensesTab />, fakeFetch({
      'GET /admin/v1/licenses': () => json([license({ product: 'viewer', seats: 50, state: 'notYetValid', productSeats: 0, productInUse: 0, validFrom: from, firstDay: '2027-01-07', stateReason: 'starts counting on 2027-01-07' })]),
    }));
    expect(await screen.findByText(`Not valid yet: counts from ${formatDay(from)}`)).toBeInTheDocument();
    expect(screen.queryByText('0 of 0')).not.toBeInTheDocument();
    expect(screen.getByText('50 seats')).toBeInTheDocument();
  });

  it('shows an error in words, with a retry', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': offline }));
    expect(await screen.findByText('The server is not reachable')).toBeInTheDocument();
    expect(screen.getByText(/Cannot reach the Leasehold server/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows the server’s error for a bad code before saving, and closes on Esc', async () => {
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license()]),
      'POST /admin/v1/licenses': () => json({ code: 'bad_signature', message: 'the license code’s signature does not match its contents' }, 400),
    });
    renderWithApi(<LicensesTab />, f);
    await userEvent.click(await screen.findByRole('button', { name: 'Add license code' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a license code' });
    fireEvent.change(within(dialog).getByLabelText('License code'), { target: { value: 'LHC1-XXXX' } });
    expect(await within(dialog).findByText(/signature does not match its contents/)).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Add license' })).toBeDisabled();
    const posts = f.mock.calls.filter((c) => c[1]?.method === 'POST').map((c) => JSON.parse(String(c[1]?.body)));
    expect(posts.every((b) => b.dryRun === true)).toBe(true);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('activates a code from a response file, and says why a response is refused', async () => {
    let activated = false;
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license({ state: activated ? 'active' : 'needsActivation', stateReason: activated ? null : 'counts once its vendor activates it' })]),
      [`GET /admin/v1/licenses/${license().licenseId}/activation-request`]: () => json({ licenseId: license().licenseId, request: 'ABCDEF-GHJKLM' }),
      'POST /admin/v1/activations': ({ body }) => {
        const { response } = body as { response: string };
        if (response !== 'RESP-OK') return json({ code: 'activation_mismatch', message: 'this activation response is for another server' }, 422);
        activated = true;
        return json(license({ state: 'active' }));
      },
    });
    renderWithApi(<LicensesTab />, f);
    expect(await screen.findByText('Needs activation')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: /^Activate the cad license/ }));
    const dialog = screen.getByRole('dialog', { name: 'Activate the cad license' });
    expect(await within(dialog).findByDisplayValue('ABCDEF-GHJKLM')).toBeInTheDocument();
    const activate = within(dialog).getByRole('button', { name: 'Activate' });
    expect(activate).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Activation response'), { target: { value: 'RESP-OTHER' } });
    await userEvent.click(activate);
    expect(await within(dialog).findByText(/for another server/)).toBeInTheDocument();
    const file = new File(['RESP-OK\n'], 'response.txt', { type: 'text/plain' });
    await userEvent.upload(within(dialog).getByLabelText('Open file…'), file);
    await waitFor(() => expect(within(dialog).getByLabelText('Activation response')).toHaveValue('RESP-OK\n'));
    await userEvent.click(activate);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(activated).toBe(true);
  });

  it('shows a code’s seat rules compactly, and feature seat counts next to the features', async () => {
    const rules = { overdraft: 2, noQueue: true, namedUsers: true, reassignAfterHours: 24, maxBorrowHours: 72, lingerSecs: 30, featureSeats: [{ feature: 'render', seats: 2 }], tokens: null, unitsPool: false };
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': () => json([license({ seatRules: rules, features: ['render', 'export'] })]) }));
    const list = await screen.findByRole('list', { name: 'Seat rules' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['+2 overdraft', 'no queue', 'named users', 'borrow up to 72 h', 'linger 30 s']);
    expect(within(list).getByText('+2 overdraft')).toHaveAttribute('title', expect.stringContaining('Up to 2 seats beyond the licensed count'));
    expect(screen.getByText('render').closest('.chip')).toHaveTextContent('render · 2 seats');
    expect(screen.getByText('export').closest('.chip')).toHaveTextContent(/^export$/);
    await userEvent.click(screen.getByRole('button', { name: /^Details of the cad license/ }));
    const details = screen.getByRole('dialog');
    expect(details).toHaveTextContent('render (2 seats of its own), export');
    expect(details).toHaveTextContent('linger 30 s: A seat given back stays kept for the same user and computer for 30 s');
  });

  it('shows nothing extra for a plain code', async () => {
    const plain = { overdraft: 0, noQueue: false, namedUsers: false, reassignAfterHours: 24, maxBorrowHours: 0, lingerSecs: 0, featureSeats: [], tokens: null, unitsPool: false };
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': () => json([license({ seatRules: plain }), license({ licenseId: 'old', product: 'sim' })]) }));
    await screen.findByText('sim');
    expect(screen.queryByRole('list', { name: 'Seat rules' })).not.toBeInTheDocument();
    expect(screen.queryByText(/overdraft|no queue|named users|borrow|linger|undefined/)).not.toBeInTheDocument();
  });

  it('says how many seats are over licence from the overdraft', async () => {
    const rules = { overdraft: 1, noQueue: false, namedUsers: false, reassignAfterHours: 24, maxBorrowHours: 0, lingerSecs: 0, featureSeats: [], tokens: null, unitsPool: false };
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': () => json([license({ seats: 1, productSeats: 1, productInUse: 2, seatRules: rules })]) }));
    expect(await screen.findByText('1 seat over licence, from the overdraft (billed by the vendor)')).toBeInTheDocument();
  });

  it('says what removing does to seats in use', async () => {
    renderWithApi(<LicensesTab />, fakeFetch({ 'GET /admin/v1/licenses': () => json([license({ seats: 5, productSeats: 8, productInUse: 6 })]) }));
    await userEvent.click(await screen.findByRole('button', { name: /Remove the cad license/ }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('cad goes from 8 to 3 seats. 6 are in use now. 3 leases keep running until they end, but are not renewed');
  });
});

describe('Computers tab', () => {
  it('shows loading, then an empty state', async () => {
    const { unmount } = renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': never }));
    expect(screen.getByRole('status')).toHaveTextContent('Loading computers');
    unmount();
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([]) }));
    expect(await screen.findByText('No computer holds a seat right now')).toBeInTheDocument();
  });

  it('shows an error state', async () => {
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': () => json({ code: 'internal', message: 'the database is locked' }, 500) }));
    expect(await screen.findByText('Could not load the computers')).toBeInTheDocument();
    expect(screen.getByText('The database is locked.')).toBeInTheDocument();
  });

  it('asks the server for one page, renders only the visible rows, and searches on the server', async () => {
    const f = fakeFetch({ 'GET /admin/v1/computers': seatServer(Array.from({ length: 10000 }, (_, i) => seat(i))) });
    renderWithApi(<ComputersTab />, f);
    expect(await screen.findByText('10,000 seats held by 10,000 computers')).toBeInTheDocument();
    expect(document.querySelectorAll('.vrow').length).toBeLessThan(100);
    expect(screen.getByText(/Showing 200 of 10,000/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search computers'), { target: { value: 'ws-4321' } });
    expect(await screen.findByText('1 of 10,000')).toBeInTheDocument();
    expect(screen.getByText('user4321')).toBeInTheDocument();
    expect(screen.getByText('10.0.0.4321')).toBeInTheDocument();
    const asked = new URL(String(f.mock.calls.at(-1)?.[0]));
    expect(Object.fromEntries(asked.searchParams)).toEqual({ sort: 'host', order: 'asc', text: 'ws-4321', limit: '200' });
  });

  it('loads the next page with the cursor when scrolled near the end', async () => {
    const f = fakeFetch({ 'GET /admin/v1/computers': seatServer(Array.from({ length: 450 }, (_, i) => seat(i))) });
    renderWithApi(<ComputersTab />, f);
    await screen.findByText(/Showing 200 of 450/);
    const list = screen.getByRole('rowgroup', { name: 'Seats' });
    fireEvent.scroll(list, { target: { scrollTop: 200 * 52 - 480 } });
    expect(await screen.findByText(/Showing 400 of 450/)).toBeInTheDocument();
    const next = new URL(String(f.mock.calls.at(-1)?.[0]));
    expect(next.searchParams.get('cursor')).toBe('200');
  });

  it('sorts on the server when a column is clicked', async () => {
    const f = fakeFetch({ 'GET /admin/v1/computers': seatServer([seat(1), seat(2)]) });
    renderWithApi(<ComputersTab />, f);
    await screen.findByText('2 seats held by 2 computers');
    await userEvent.click(screen.getByRole('button', { name: /User/ }));
    await waitFor(() => expect(new URL(String(f.mock.calls.at(-1)?.[0])).searchParams.get('sort')).toBe('user'));
    await userEvent.click(screen.getByRole('button', { name: /User/ }));
    await waitFor(() => expect(new URL(String(f.mock.calls.at(-1)?.[0])).searchParams.get('order')).toBe('desc'));
    expect(screen.getByRole('columnheader', { name: /User/ })).toHaveAttribute('aria-sort', 'descending');
  });

  it('flags the seats of a machine id that several computers present, and says what it means', async () => {
    const clone = (i: number): SeatRow => {
      const r = seat(i);
      return { ...r, sharedMachineId: true, lease: { ...r.lease, holder: { ...r.lease.holder, clientId: 'img', host: 'ws' } } };
    };
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([clone(1), clone(2), seat(3)]) }));
    await screen.findByText('3 seats held by 2 computers');
    const flags = screen.getAllByText('Shared machine id', { selector: '.badge' });
    expect(flags).toHaveLength(2);
    const help = 'Several computers present this machine id (a cloned machine image). Each has its own seat; give each clone its own machine id.';
    for (const flag of flags) {
      expect(flag).toHaveAttribute('title', help);
      expect(flag).toHaveAccessibleDescription(`Shared machine id. ${help}`);
    }
    expect(screen.getByText('ws-3').parentElement).not.toHaveTextContent('Shared machine id');
  });

  it('marks a seat granted over licence, and says the vendor charges for it', async () => {
    const over = (i: number): SeatRow => { const r = seat(i); return { ...r, lease: { ...r.lease, overdraft: true } }; };
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([seat(1), over(2)]) }));
    await screen.findByText('2 seats held by 2 computers');
    const badges = screen.getAllByText('Over licence', { selector: '.badge' });
    expect(badges).toHaveLength(1);
    const help = 'Granted beyond the licensed seats, from the licence’s overdraft. The vendor charges for each such seat.';
    expect(badges[0]).toHaveAttribute('title', help);
    expect(badges[0]).toHaveAccessibleDescription(`Over licence. ${help}`);
    expect(screen.getByText('ws-2').closest('[role="row"]')).toContainElement(badges[0]);
    expect(screen.getByText('ws-1').closest('[role="row"]')).not.toHaveTextContent('Over licence');
  });

  it('shows no overdraft notice without an overdraft seat', async () => {
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([seat(1)]) }));
    await screen.findByText('1 seat held by 1 computer');
    expect(screen.queryByText(/Over licence/)).not.toBeInTheDocument();
  });

  it('shows no shared machine id notice when no computer shares one', async () => {
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([seat(1), seat(2)]) }));
    await screen.findByText('2 seats held by 2 computers');
    expect(screen.queryByText(/Shared machine id/)).not.toBeInTheDocument();
  });

  it('disconnects one seat, or the whole computer, after confirming', async () => {
    const f = fakeFetch({ 'GET /admin/v1/computers': seatServer([seat(1, 'cad', 3)]), 'POST /admin/v1/disconnect': () => json({ ended: ['lease-1'] }) });
    const { ctx } = renderWithApi(<ComputersTab />, f);
    await userEvent.click(await screen.findByRole('button', { name: 'Disconnect user1 on ws-1 from cad' }));
    expect(within(screen.getByRole('dialog')).getByText(/Every seat of ws-1/).parentElement).toHaveTextContent('Every seat of ws-1: 3 seats');
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Disconnect this seat' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('Disconnected: 1 seat freed.'));
    const post = f.mock.calls.find((c) => c[1]?.method === 'POST');
    expect(JSON.parse(String(post?.[1]?.body))).toEqual({ leaseId: 'lease-1' });
  });
});

describe('Server tab', () => {

  it('says where a firewall matters, and a product with no code counting, in words', async () => {
    const u = renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status({ listen: '127.0.0.1:7878', mdns: { state: 'off', detail: null, addresses: [] }, products: [{ product: 'viewer', seats: 0, inUse: 0, highWater: 0, denialsLastHour: 0 }] })) }));
    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(screen.queryByText('Firewall')).not.toBeInTheDocument();
    expect(screen.getByText(/This computer only/)).toBeInTheDocument();
    expect(screen.getByText('No code counts now (the Licenses tab says why)')).toBeInTheDocument();
    expect(screen.queryByText('0 of 0')).not.toBeInTheDocument();
    // The badge says Off once: the words beside it do not repeat it.
    expect(document.getElementById('mdns-state')).toHaveTextContent(/^Off Clients need the address entered by hand$/);
    u.unmount();
    renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status()) }));
    expect(await screen.findByText('Firewall')).toBeInTheDocument();
  });
  it('shows loading, data and the unreachable state', async () => {
    const { unmount } = renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': never }));
    expect(screen.getByRole('status')).toHaveTextContent('Asking the server');
    unmount();
    const u2 = renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status()) }));
    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(screen.getByText('0.0.0.0:7878')).toBeInTheDocument();
    expect(screen.getByText('/var/lib/leasehold')).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: /Announce/ })).toHaveAttribute('aria-checked', 'true');
    expect(screen.getByText('3 of 10')).toBeInTheDocument();
    u2.unmount();
    renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': offline }));
    expect(await screen.findByText('Not reachable')).toBeInTheDocument();
  });

  it('shows an empty product list in words', async () => {
    renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status({ products: [] })) }));
    expect(await screen.findByText(/No product is licensed yet/)).toBeInTheDocument();
  });

  it('switches mDNS off', async () => {
    const f = fakeFetch({ 'GET /admin/v1/status': () => json(status()), 'PUT /admin/v1/mdns': () => json({ state: 'off', detail: null, addresses: [] }) });
    renderWithApi(<ServerTab />, f);
    await userEvent.click(await screen.findByRole('switch'));
    const put = f.mock.calls.find((c) => c[1]?.method === 'PUT');
    expect(JSON.parse(String(put?.[1]?.body))).toEqual({ enabled: false });
  });
});

describe('Logs tab', () => {

  it('says it is paused, offline, and is never green while the server cannot be reached', async () => {
    const f = fakeFetch({
      'GET /admin/v1/events': () => json({ events: [event(1)], lastSeq: 1 }),
      'GET /admin/v1/logs': () => json({ lines: [], lastSeq: 0 }),
    });
    renderWithApi(<LogsTab />, f, { offline: true });
    expect(await screen.findByText(/granted cad to ann@ws-1 #1/)).toBeInTheDocument();
    expect(screen.getByText(/Paused — offline/)).toBeInTheDocument();
    expect(screen.queryByText('Following live')).not.toBeInTheDocument();
    expect(document.querySelector('.dot-ok')).toBeNull();
  });

  it('opened while the server is down, loads by itself once it answers', async () => {
    let down = true;
    const f = fakeFetch({
      'GET /admin/v1/events': () => (down ? 'network' : json({ events: [event(1)], lastSeq: 1 })),
      'GET /admin/v1/logs': () => (down ? 'network' : json({ lines: [], lastSeq: 0 })),
    });
    renderWithApi(<LogsTab />, f);
    expect(await screen.findByText('The server is not reachable')).toBeInTheDocument();
    expect(screen.getByText(/Paused — offline/)).toBeInTheDocument();
    down = false;
    expect(await screen.findByText(/granted cad to ann@ws-1 #1/, undefined, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByText('Following live')).toBeInTheDocument();
  });
  it('shows loading, then the empty state', async () => {
    const f = fakeFetch({ 'GET /admin/v1/events': () => json({ events: [], lastSeq: 0 }), 'GET /admin/v1/logs': () => json({ lines: [], lastSeq: 0 }) });
    renderWithApi(<LogsTab />, f);
    expect(screen.getByRole('status')).toHaveTextContent('Loading the log');
    expect(await screen.findByText('Nothing logged yet')).toBeInTheDocument();
  });

  it('shows an error state', async () => {
    renderWithApi(<LogsTab />, fakeFetch({ 'GET /admin/v1/events': offline, 'GET /admin/v1/logs': offline }));
    expect(await screen.findByText('The server is not reachable')).toBeInTheDocument();
  });

  it('merges events and log lines, filters by level and text, and holds lines while paused', async () => {
    let push: (e: ReturnType<typeof event>[]) => void = () => {};
    const f = fakeFetch({
      'GET /admin/v1/events': () => json({ events: [event(1), event(2, { kind: 'deny', level: 'warn', message: 'refused cad to bob@ws-2' })], lastSeq: 2 }),
      'GET /admin/v1/logs': () => json({ lines: [{ seq: 1, at: Date.now(), level: 'debug', target: 'leasehold_server::store', message: 'checkpoint done' }], lastSeq: 1 }),
    });
    renderWithApi(<LogsTab />, f, { subscribe: (fn) => { push = fn; return () => {}; } });
    expect(await screen.findByText('refused cad to bob@ws-2')).toBeInTheDocument();
    expect(screen.queryByText('checkpoint done')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Level'), { target: { value: 'debug' } });
    expect(screen.getByText('checkpoint done')).toBeInTheDocument();
    // A log line says "Server log"; the module path is in the tooltip and the line read in full.
    expect(within(screen.getByRole('table', { name: 'Log' })).getByText('Server log')).toBeInTheDocument();
    expect(screen.queryByText('leasehold_server::store')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Level'), { target: { value: 'warn' } });
    expect(screen.queryByText(/granted cad to ann@ws-1 #1/)).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Level'), { target: { value: 'info' } });
    fireEvent.change(screen.getByLabelText('Search the log'), { target: { value: '#1' } });
    expect(screen.getByText(/granted cad to ann@ws-1 #1/)).toBeInTheDocument();
    expect(screen.queryByText('refused cad to bob@ws-2')).not.toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search the log'), { target: { value: '' } });

    await userEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => push([event(3, { message: 'live line three' })]));
    expect(screen.queryByText('live line three')).not.toBeInTheDocument();
    expect(screen.getByText('1 new line waiting')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Resume' }));
    expect(screen.getByText('live line three')).toBeInTheDocument();
  });
});

describe('License Mode tab', () => {
  it('explains in a browser that it configures this computer in the desktop app, and tests the connection', async () => {
    renderWithApi(<LicenseModeTab />, fakeFetch({ 'GET /v1/hello': () => json({ protocolVersion: 1, serverId: 'x', serverName: 'licenses-hq', version: '0.1.0', serverPublicKey: 'ab', serverTime: 0 }) }));
    expect(await screen.findByText('Desktop app only')).toBeInTheDocument();
    expect(screen.getByText(/configures this computer’s applications/)).toBeInTheDocument();
    expect(screen.getByText(/available in the Leasehold desktop app/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/Found “licenses-hq”, Leasehold 0.1.0/)).toBeInTheDocument();
  });

  it('reports a failed test in words', async () => {
    renderWithApi(<LicenseModeTab />, fakeFetch({ 'GET /v1/hello': offline }));
    await userEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('Not connected.')).toBeInTheDocument();
    expect(screen.getByText(/Cannot reach the Leasehold server/)).toBeInTheDocument();
  });
});

describe('the tab list', () => {
  afterEach(() => { vi.unstubAllGlobals(); window.history.replaceState(null, '', '#'); });

  it('follows the arrow keys, Home and End, through every tab with Usage, then Policy, after Computers', async () => {
    vi.stubGlobal('fetch', fakeFetch({
      'GET /admin/v1/events': () => json({ events: [], lastSeq: 0 }),
      'GET /admin/v1/licenses': () => json([]),
      'GET /admin/v1/computers': seatServer([]),
      'GET /admin/v1/usage/ledger': () => json({ balances: [], entries: [], nextBefore: null }),
      'GET /admin/v1/policy': () => json(noPolicy()),
      'GET /admin/v1/status': () => json(status()),
      'GET /admin/v1/logs': () => json({ lines: [], lastSeq: 0 }),
    }));
    render(<App connection={conn} />);
    const tabs = await screen.findAllByRole('tab');
    expect(tabs.map((t) => t.textContent)).toEqual(['Licenses', 'Computers', 'Usage', 'Policy', 'Server', 'Accounts', 'Logs', 'License Mode']);
    await userEvent.click(screen.getByRole('tab', { name: 'Computers' }));
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Usage' })).toHaveFocus();
    expect(await screen.findByText('No licence here gives consumption tokens')).toBeInTheDocument();
    expect(screen.getByRole('tabpanel')).toHaveAttribute('aria-labelledby', 'tab-usage');
    expect(window.location.hash).toBe('#usage');
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Policy' })).toHaveFocus();
    expect(screen.getByRole('tab', { name: 'Policy' })).toHaveAttribute('aria-selected', 'true');
    expect(await screen.findByRole('heading', { name: 'Seat policy' })).toBeInTheDocument();
    expect(screen.getByRole('tabpanel')).toHaveAttribute('aria-labelledby', 'tab-policy');
    expect(window.location.hash).toBe('#policy');
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Server' })).toHaveFocus();
    await userEvent.keyboard('{ArrowLeft}{ArrowLeft}{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'Computers' })).toHaveAttribute('aria-selected', 'true');
    await userEvent.keyboard('{End}');
    expect(screen.getByRole('tab', { name: 'License Mode' })).toHaveFocus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Licenses' })).toHaveFocus();
    await userEvent.keyboard('{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'License Mode' })).toHaveAttribute('aria-selected', 'true');
  });
});
