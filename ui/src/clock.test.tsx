// The clock-set-back banner: on every tab while the server's status carries
// `clockSetBack`, in words, and gone once the clock is right.
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClockSetBack, Event } from './api';
import { App } from './App';
import { StatusBanners } from './StatusBanners';
import { formatDateTime } from './format';
import { conn, event, fakeFetch, json, renderWithApi, status } from './test/fixtures';

const HOUR = 3_600_000;
const latestSeen = Date.UTC(2027, 2, 10, 9, 30);
const setBack = (hours: number): ClockSetBack => ({
  latestSeen, clockShowed: latestSeen - hours * HOUR,
  message: 'this computer\'s clock shows 2027-03-07T09:30:00Z, 72 hours behind the latest time this server saw',
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('the clock-set-back banner', () => {
  it('says what happened, what stops counting and what to do', async () => {
    renderWithApi(<StatusBanners />, fakeFetch({ 'GET /admin/v1/status': () => json(status({ clockSetBack: setBack(72) })) }));
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('The license server’s clock is set back.');
    expect(banner).toHaveTextContent(`It showed ${formatDateTime(latestSeen - 72 * HOUR)}, 3 days behind the latest time the server saw (${formatDateTime(latestSeen)}).`);
    expect(banner).toHaveTextContent('License codes with a start or end date count no seats until the clock is right.');
    expect(banner).toHaveTextContent('Set the date, time and time zone of the computer the Leasehold server runs on');
  });

  it('counts in hours under two days', async () => {
    renderWithApi(<StatusBanners />, fakeFetch({ 'GET /admin/v1/status': () => json(status({ clockSetBack: setBack(30) })) }));
    expect(await screen.findByRole('alert')).toHaveTextContent('30 hours behind');
  });

  it('is not shown while the clock is right', async () => {
    const f = fakeFetch({ 'GET /admin/v1/status': () => json(status()) });
    renderWithApi(<StatusBanners />, f);
    await waitFor(() => expect(f).toHaveBeenCalled());
    await act(async () => {});
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('appears at the clock_set_back event and goes at the next poll once the clock is right', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let current: ClockSetBack | undefined;
    const listeners = new Set<(e: Event[]) => void>();
    const subscribe = (fn: (e: Event[]) => void) => { listeners.add(fn); return () => { listeners.delete(fn); }; };
    renderWithApi(<StatusBanners />, fakeFetch({ 'GET /admin/v1/status': () => json(status({ clockSetBack: current })) }), { subscribe });
    await act(async () => { await vi.advanceTimersByTimeAsync(100); });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    current = setBack(72);
    act(() => listeners.forEach((fn) => fn([event(7, { kind: 'clock_set_back', level: 'error', message: current!.message })])));
    await act(async () => { await vi.advanceTimersByTimeAsync(200); });
    expect(screen.getByRole('alert')).toHaveTextContent('clock is set back');

    current = undefined;
    await act(async () => { await vi.advanceTimersByTimeAsync(10_000); });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('the app with the clock set back', () => {
  it('shows the banner at the top of every tab', async () => {
    vi.stubGlobal('fetch', fakeFetch({
      'GET /admin/v1/status': () => json(status({ clockSetBack: setBack(72) })),
      'GET /admin/v1/events': () => json({ events: [], lastSeq: 0 }),
      'GET /admin/v1/licenses': () => json([]),
    }));
    const { unmount } = render(<App connection={{ ...conn, desktop: true, host: { running: true, listen: '0.0.0.0:7878' } }} />);
    const banner = await screen.findByText('This computer’s clock is set back.');
    expect(banner.closest('[role="alert"]')).toHaveTextContent('Set the date, time and time zone of this computer');
    // Above the tab's panel, not inside it.
    expect(screen.getByRole('tabpanel').contains(banner)).toBe(false);
    for (const name of ['Computers', 'Usage', 'Server', 'Logs', 'License Mode', 'Licenses']) {
      await userEvent.click(screen.getByRole('tab', { name }));
      expect(screen.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
      expect(screen.getAllByText('This computer’s clock is set back.')).toHaveLength(1);
    }
    // The tabs' loads still in flight settle here, not after the test
    // environment is gone (a state update then finds no window).
    unmount();
    await act(async () => { await new Promise((resolve) => setTimeout(resolve, 50)); });
  });
});
