// Element pools: on the Computers tab a lease holding several units of a
// pool says how many under its product; a seat says nothing more.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SeatRow } from '../api';
import { fakeFetch, renderWithApi, seat, seatServer } from '../test/fixtures';
import { ComputersTab } from './ComputersTab';

const rowOf = (host: string) => screen.getByText(host).closest('[role="row"]') as HTMLElement;

describe('Computers tab: units of a pool', () => {
  it('shows the units a lease holds under its product, and grows a row only when it holds more lines', async () => {
    const pooled = (i: number, units: number, overdraft = false): SeatRow => {
      const r = seat(i);
      return { ...r, lease: { ...r.lease, units, overdraft } };
    };
    renderWithApi(<ComputersTab />, fakeFetch({ 'GET /admin/v1/computers': seatServer([pooled(1, 12), seat(2)]) }));
    await screen.findByText('2 seats held by 2 computers');
    const units = within(rowOf('ws-1')).getByText('12 units');
    expect(units).toHaveAttribute('title', "This lease holds 12 units of the product's pool");
    expect(within(rowOf('ws-2')).queryByText(/units/)).not.toBeInTheDocument();
    expect(rowOf('ws-1').style.height).toBe('52px');
  });
});
