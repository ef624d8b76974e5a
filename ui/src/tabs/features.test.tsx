// Floating feature seats: their use per product on the Licenses tab, and the
// ones each lease holds on the Computers tab.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Event, FeatureUsage, SeatRow } from '../api';
import { event, fakeFetch, json, license, renderWithApi, seat, seatServer, status } from '../test/fixtures';
import { ComputersTab } from './ComputersTab';
import { LicensesTab } from './LicensesTab';

const rules = (featureSeats: { feature: string; seats: number }[]) => ({ overdraft: 0, noQueue: false, namedUsers: false, reassignAfterHours: 24, maxBorrowHours: 0, lingerSecs: 0, featureSeats, tokens: null, unitsPool: false });

/** The server's status with cad's counted features. */
const withFeatures = (features: FeatureUsage[]) => status({ products: [{ product: 'cad', seats: 10, inUse: 3, highWater: 5, denialsLastHour: 0, features }, { product: 'sim', seats: 5, inUse: 0, highWater: 0, denialsLastHour: 0 }] });

describe('Licenses tab: feature seats in use', () => {
  it('shows each counted feature’s use under its product’s, and follows feature_grant', async () => {
    let inUse = 2;
    let push: (e: Event[]) => void = () => {};
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([
        license({ features: ['render', 'export'], seatRules: rules([{ feature: 'render', seats: 4 }]) }),
        license({ licenseId: 'sim-1', product: 'sim', features: [] }),
      ]),
      'GET /admin/v1/status': () => json(withFeatures([{ feature: 'render', seats: 4, inUse }])),
    });
    renderWithApi(<LicensesTab />, f, { subscribe: (fn) => { push = fn; return () => {}; } });
    const list = await screen.findByRole('list', { name: 'Feature seats of cad in use' });
    const [render] = within(list).getAllByRole('listitem');
    expect(within(list).getAllByRole('listitem')).toHaveLength(1);
    expect(render).toHaveTextContent('render 2 of 4');
    expect(render.querySelector('.meter')).toHaveAttribute('title', 'render: 2 of 4 seats in use');
    // sim counts no feature: nothing under its seats.
    expect(screen.queryByRole('list', { name: 'Feature seats of sim in use' })).not.toBeInTheDocument();

    inUse = 3;
    act(() => push([event(1, { kind: 'feature_grant', message: 'granted feature render of cad to ann@ws-1' })]));
    await waitFor(() => expect(within(screen.getByRole('list', { name: 'Feature seats of cad in use' })).getByRole('listitem')).toHaveTextContent('render 3 of 4'));
  });

  it('asks nothing more, and shows nothing more, when no code counts a feature', async () => {
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([license({ seatRules: rules([]) }), license({ licenseId: 'old', product: 'sim' })]),
      'GET /admin/v1/status': () => json(withFeatures([{ feature: 'render', seats: 4, inUse: 2 }])),
    });
    renderWithApi(<LicensesTab />, f);
    await screen.findByText('sim');
    expect(screen.getAllByText('3 of 10')).toHaveLength(2);
    expect(screen.queryByRole('list', { name: /^Feature seats of/ })).not.toBeInTheDocument();
    expect(screen.queryByText(/of 4/)).not.toBeInTheDocument();
    expect(f.mock.calls.map((c) => new URL(String(c[0])).pathname)).not.toContain('/admin/v1/status');
  });
});

describe('Computers tab: feature seats a lease holds', () => {
  const holding = (i: number, features: string[], overdraft = false): SeatRow => {
    const r = seat(i);
    return { ...r, features, lease: { ...r.lease, overdraft } };
  };

  it('shows the features on the lease’s row, beside an over-licence flag, and none on a row without', async () => {
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([holding(1, ['render', 'sim']), seat(2), holding(3, [], false), holding(4, ['render'], true)]) }));
    await screen.findByText('4 seats held by 4 computers');
    const row = (host: string) => screen.getByText(host).closest('[role="row"]') as HTMLElement;
    const held = within(row('ws-1')).getByRole('list', { name: 'Feature seats held' });
    expect(within(held).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['render', 'sim']);
    expect(held).toHaveAttribute('title', 'Feature seats held: render, sim');
    for (const host of ['ws-2', 'ws-3']) expect(within(row(host)).queryByRole('list', { name: 'Feature seats held' })).not.toBeInTheDocument();
    const over = row('ws-4');
    expect(within(over).getByText('Over licence', { selector: '.badge' })).toBeInTheDocument();
    expect(within(within(over).getByRole('list', { name: 'Feature seats held' })).getByRole('listitem')).toHaveTextContent('render');
    // Three lines under Product there (it, the flag, the features): every row is taller while it is listed.
    expect(over.style.height).toBe('68px');
    expect(row('ws-1').style.height).toBe('68px');
  });

  it('keeps the chips on the rows a search finds', async () => {
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([holding(1, ['render']), seat(2)]) }));
    await screen.findByText('2 seats held by 2 computers');
    fireEvent.change(screen.getByLabelText('Search computers'), { target: { value: 'ws-1' } });
    expect(await screen.findByText('1 of 2')).toBeInTheDocument();
    expect(screen.queryByText('ws-2')).not.toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Feature seats held' })).getByRole('listitem')).toHaveTextContent('render');
    // Two lines under Product: the rows keep their height.
    expect((screen.getByText('ws-1').closest('[role="row"]') as HTMLElement).style.height).toBe('52px');
  });
});
