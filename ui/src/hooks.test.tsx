import { act, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Api } from './api';
import { conn, fakeFetch, renderWithApi } from './test/fixtures';
import { AppContext, type AppContextValue, type Resource, useResource } from './hooks';

/** The app's context for `api`, with the server reachable or not. */
const ctxOf = (api: Api, offline = false): AppContextValue => ({ api, offline, subscribe: () => () => {}, reportError: () => {}, notify: vi.fn(), showTab: vi.fn() });

/** Loads by hand: each call to `load` waits until the test answers it. */
function loader() {
  const asked: ((v: string) => void)[] = [];
  return { asked, load: () => new Promise<string>((resolve) => { asked.push(resolve); }) };
}

let res: Resource<string>;
function Probe({ load }: { load: () => Promise<string> }) {
  res = useResource(load, { intervalMs: 60_000 });
  return <p>{res.data ?? 'nothing yet'}</p>;
}

describe('useResource', () => {
  it('asked again while loading, loads once more after: a change during a load is never missed', async () => {
    const l = loader();
    renderWithApi(<Probe load={l.load} />, fakeFetch({}));
    expect(l.asked).toHaveLength(1);
    act(() => { res.reload(); res.reload(); });
    expect(l.asked).toHaveLength(1);
    await act(async () => l.asked[0]('before the change'));
    expect(screen.getByText('before the change')).toBeInTheDocument();
    expect(l.asked).toHaveLength(2);
    await act(async () => l.asked[1]('after the change'));
    expect(screen.getByText('after the change')).toBeInTheDocument();
    expect(l.asked).toHaveLength(2);
  });

  it('drops an answer to a question asked before `replace`', async () => {
    const l = loader();
    renderWithApi(<Probe load={l.load} />, fakeFetch({}));
    act(() => res.replace('what the change answered'));
    await act(async () => l.asked[0]('older'));
    expect(screen.getByText('what the change answered')).toBeInTheDocument();
  });
});

describe('the last data outlives the tab', () => {
  function Cached({ load, keyed = 'things' }: { load: () => Promise<string>; keyed?: string }) {
    const r = useResource(load, { key: keyed, intervalMs: 60_000 });
    return <p>{r.data ?? 'nothing yet'}{r.error ? ' (stale)' : ''}</p>;
  }

  it('a tab shown again starts from what it had, and a failed load keeps it', async () => {
    const api = new Api(conn, fakeFetch({}));
    const first = loader();
    const view = render(<AppContext.Provider value={ctxOf(api)}><Cached load={first.load} /></AppContext.Provider>);
    await act(async () => first.asked[0]('the licences'));
    view.unmount();
    // Opened again while the server is down.
    const failing = () => Promise.reject(new Error('offline'));
    render(<AppContext.Provider value={ctxOf(api)}><Cached load={failing} /></AppContext.Provider>);
    expect(screen.getByText(/^the licences/)).toBeInTheDocument();
    expect(await screen.findByText('the licences (stale)')).toBeInTheDocument();
  });

  it('is kept per connection and per key', async () => {
    const l = loader();
    const api = new Api(conn, fakeFetch({}));
    const view = render(<AppContext.Provider value={ctxOf(api)}><Cached load={l.load} /></AppContext.Provider>);
    await act(async () => l.asked[0]('of this server'));
    view.unmount();
    const never = () => new Promise<string>(() => {});
    render(<AppContext.Provider value={ctxOf(new Api(conn, fakeFetch({})))}><Cached load={never} /></AppContext.Provider>);
    render(<AppContext.Provider value={ctxOf(api)}><Cached load={never} keyed="other" /></AppContext.Provider>);
    expect(screen.getAllByText('nothing yet')).toHaveLength(2);
  });

  it('loads at once when the server is reachable again', async () => {
    const l = loader();
    const api = new Api(conn, fakeFetch({}));
    const view = render(<AppContext.Provider value={ctxOf(api, true)}><Cached load={l.load} /></AppContext.Provider>);
    expect(l.asked).toHaveLength(1);
    await act(async () => l.asked[0]('before'));
    view.rerender(<AppContext.Provider value={ctxOf(api, false)}><Cached load={l.load} /></AppContext.Provider>);
    expect(l.asked).toHaveLength(2);
    await act(async () => l.asked[1]('after the outage'));
    expect(screen.getByText('after the outage')).toBeInTheDocument();
  });
});
