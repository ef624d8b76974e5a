// Computers: every seat held right now, who holds it and since when.
import { useDeferredValue, useMemo, useState } from 'react';
import type { ComputerView, Lease } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PanelHead } from '../components/PanelHead';
import { Empty, ErrorState, Loading, StaleNotice } from '../components/States';
import { VirtualRows } from '../components/VirtualRows';
import { addressHost, formatDateTime, formatDuration, formatRelative, plural } from '../format';
import { useApp, useNow, useResource } from '../hooks';

interface Row {
  lease: Lease;
  computer: ComputerView;
  /** Lower-cased text the search looks in. */
  haystack: string;
}

type SortKey = 'host' | 'user' | 'product' | 'address' | 'app' | 'since' | 'renewed' | 'expires';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'host', label: 'Computer' },
  { key: 'user', label: 'User' },
  { key: 'product', label: 'Product' },
  { key: 'address', label: 'Address' },
  { key: 'app', label: 'Application' },
  { key: 'since', label: 'Connected' },
  { key: 'renewed', label: 'Last renew' },
  { key: 'expires', label: 'Expires' },
];

const sortValue: Record<SortKey, (r: Row) => string | number> = {
  host: (r) => r.computer.host.toLowerCase(),
  user: (r) => r.lease.holder.user.toLowerCase(),
  product: (r) => r.lease.product.toLowerCase(),
  address: (r) => r.lease.holder.address,
  app: (r) => `${r.lease.holder.appName} ${r.lease.holder.appVersion}`.toLowerCase(),
  since: (r) => r.lease.grantedAt,
  renewed: (r) => r.lease.renewedAt,
  expires: (r) => r.lease.expiresAt,
};

const SEAT_EVENTS = new Set(['grant', 'release', 'expire', 'disconnect', 'reclaim']);

type Pending = { kind: 'lease'; row: Row } | { kind: 'computer'; row: Row };

export function ComputersTab() {
  const { api, notify } = useApp();
  const res = useResource(api.computers, { intervalMs: 3000, refreshOn: (e) => SEAT_EVENTS.has(e.kind) });
  const now = useNow(1000);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'host', asc: true });
  const [pending, setPending] = useState<Pending>();

  const rows = useMemo<Row[]>(() => {
    const out: Row[] = [];
    for (const c of res.data ?? []) {
      for (const lease of c.leases) {
        const h = lease.holder;
        out.push({ lease, computer: c, haystack: `${c.host} ${h.user} ${lease.product} ${h.address || c.address} ${h.appName} ${h.appVersion} ${c.clientId}`.toLowerCase() });
      }
    }
    return out;
  }, [res.data]);

  const shown = useMemo(() => {
    const q = deferredQuery.trim().toLowerCase();
    const terms = q ? q.split(/\s+/) : [];
    const filtered = terms.length ? rows.filter((r) => terms.every((t) => r.haystack.includes(t))) : rows.slice();
    const val = sortValue[sort.key];
    const dir = sort.asc ? 1 : -1;
    filtered.sort((a, b) => {
      const x = val(a), y = val(b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || a.lease.id.localeCompare(b.lease.id);
    });
    return filtered;
  }, [rows, deferredQuery, sort]);

  const computers = res.data?.length ?? 0;
  const toggleSort = (key: SortKey) => setSort((s) => ({ key, asc: s.key === key ? !s.asc : true }));

  let body;
  if (res.loading && !res.data) body = <Loading label="Loading computers…" />;
  else if (!res.data) body = <ErrorState error={res.error} onRetry={res.reload} what="the computers" />;
  else if (!rows.length)
    body = (
      <Empty title="No computer holds a seat right now">
        When an application on this network starts and borrows a seat, its computer appears here within a few seconds.
      </Empty>
    );
  else
    body = (
      <>
        <StaleNotice error={res.error} />
        <div className="grid-table computers-grid" role="table" aria-label="Seats in use" aria-rowcount={shown.length + 1}>
          <div className="grid-head" role="row" aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <div key={c.key} role="columnheader" aria-sort={sort.key === c.key ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="sort-button" onClick={() => toggleSort(c.key)}>
                  {c.label}
                  <span className="sort-mark" aria-hidden="true">{sort.key === c.key ? (sort.asc ? '▲' : '▼') : ''}</span>
                </button>
              </div>
            ))}
            <div role="columnheader"><span className="sr-only">Actions</span></div>
          </div>
          {shown.length ? (
            <VirtualRows
              items={shown}
              rowHeight={52}
              rowKey={(r) => r.lease.id}
              label="Seats"
              className="grid-body"
              renderRow={(r) => <ComputerRow r={r} now={now} onDisconnect={() => setPending({ kind: 'lease', row: r })} />}
            />
          ) : (
            <p className="grid-empty">Nothing matches “{deferredQuery}”.</p>
          )}
        </div>
      </>
    );

  const p = pending;
  const sameComputer = p ? rows.filter((r) => r.computer.clientId === p.row.computer.clientId) : [];
  return (
    <section className="panel panel-fill">
      <PanelHead title="Computers" subtitle={res.data && rows.length > 0 ? <>{plural(rows.length, 'seat')} held by {plural(computers, 'computer')}</> : undefined}>
        {rows.length > 0 && (
          <label className={`search${query ? ' search-has-count' : ''}`}>
            <span className="sr-only">Search computers</span>
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search computer, user, product, address…" />
            {query && <span className="search-count">{shown.length.toLocaleString()} of {rows.length.toLocaleString()}</span>}
          </label>
        )}
      </PanelHead>
      {body}
      {p && (
        <DisconnectDialog
          row={p.row}
          seatsOfComputer={sameComputer.length}
          onClose={() => setPending(undefined)}
          onConfirm={async (all) => {
            const r = await api.disconnect(all ? { clientId: p.row.computer.clientId } : { leaseId: p.row.lease.id });
            notify(r.ended.length ? `Disconnected: ${plural(r.ended.length, 'seat')} freed.` : 'That seat had already been given back.');
            res.reload();
          }}
        />
      )}
    </section>
  );
}

function ComputerRow({ r, now, onDisconnect }: { r: Row; now: number; onDisconnect: () => void }) {
  const h = r.lease.holder;
  const expiresIn = r.lease.expiresAt - now;
  return (
    <>
      <div role="cell" className="cell-strong" title={r.computer.clientId}>{r.computer.host || h.host || <span className="muted">unknown</span>}</div>
      <div role="cell">{h.user}</div>
      <div role="cell"><span className="chip">{r.lease.product}</span></div>
      <div role="cell" className="mono small" title={h.address || r.computer.address}>{addressHost(h.address || r.computer.address)}</div>
      <div role="cell">{h.appName || <span className="muted">—</span>}{h.appVersion && <span className="muted"> {h.appVersion}</span>}</div>
      <div role="cell" title={formatDateTime(r.lease.grantedAt)}>
        <div>{formatDateTime(r.lease.grantedAt)}</div>
        <div className="muted small">for {formatDuration(now - r.lease.grantedAt)}</div>
      </div>
      <div role="cell" title={formatDateTime(r.lease.renewedAt)}>{formatRelative(r.lease.renewedAt, now)}</div>
      <div role="cell" className={expiresIn < 30_000 ? 'text-warn' : undefined}>{expiresIn > 0 ? `in ${formatDuration(expiresIn)}` : 'ending now'}</div>
      <div role="cell" className="actions">
        <button type="button" className="button button-small" onClick={onDisconnect} aria-label={`Disconnect ${h.user} on ${r.computer.host} from ${r.lease.product}`}>Disconnect…</button>
      </div>
    </>
  );
}

function DisconnectDialog(props: { row: Row; seatsOfComputer: number; onClose: () => void; onConfirm: (all: boolean) => Promise<void> }) {
  const { row, seatsOfComputer } = props;
  const [all, setAll] = useState(false);
  const host = row.computer.host || row.lease.holder.host;
  return (
    <ConfirmDialog
      title={`Disconnect ${host}?`}
      confirmLabel={all ? `Disconnect all ${seatsOfComputer} seats` : 'Disconnect this seat'}
      danger
      onClose={props.onClose}
      onConfirm={() => props.onConfirm(all)}
    >
      <fieldset className="choices">
        <legend className="sr-only">What to disconnect</legend>
        <label className="choice">
          <input type="radio" name="scope" checked={!all} onChange={() => setAll(false)} />
          <span><strong>Only this seat</strong>: {row.lease.holder.user}’s {row.lease.product}</span>
        </label>
        {seatsOfComputer > 1 && (
          <label className="choice">
            <input type="radio" name="scope" checked={all} onChange={() => setAll(true)} />
            <span><strong>Every seat of {host}</strong>: {plural(seatsOfComputer, 'seat')}</span>
          </label>
        )}
      </fieldset>
      <p>
        The seat is freed at once for someone else. The application on {host} is told at its next renewal that it was disconnected; if it is still running it may ask for a seat again.
      </p>
    </ConfirmDialog>
  );
}
