import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeFetch, renderWithApi } from './test/fixtures';
import { type Resource, useResource } from './hooks';

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
