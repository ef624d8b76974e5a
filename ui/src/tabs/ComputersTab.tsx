// Computers: every seat held right now, who holds it and since when; sorted,
// searched and paged by the server (seatPages.ts). Above them, who waits for
// a seat (Waiting.tsx); seats out on loan read as such (Loan.tsx).
import { useState } from 'react';
import type { ComputerSort, ComputersPage, SeatRow } from '../api';
import { Clip } from '../components/Clip';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { PanelHead } from '../components/PanelHead';
import { Empty, ErrorState, Loading, StaleNotice } from '../components/States';
import { VirtualRows } from '../components/VirtualRows';
import { addressHost, formatDateTime, formatDuration, formatRelative, plural } from '../format';
import { useApp, useDebounced, useNow } from '../hooks';
import { EndLoanDialog, LoanCells } from './Loan';
import { type SeatPages, useSeatPages } from './seatPages';
import { Waiting } from './Waiting';
import { RoleNote } from '../components/RoleNote';
import { useNeeds, type Needs } from '../roles';

type SortKey = ComputerSort;

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

const ROW_HEIGHT = 52;
/** A seat over licence that holds feature seats has three lines under Product (it, the flag, the features): while one is listed, every row is this tall. */
const TALL_ROW_HEIGHT = 68;

/** What a shared machine id means and what to do, for the flag's tooltip and the notice above the list. */
const SHARED_MACHINE_ID_HELP = 'Several computers present this machine id (a cloned machine image). Each has its own seat; give each clone its own machine id.';
const SHARED_HELP_ID = 'shared-machine-id-help';
/** What an overdraft seat is, for the badge's tooltip and the notice above the list. */
const OVERDRAFT_HELP = 'Granted beyond the licensed seats, from the licence’s overdraft. The vendor charges for each such seat.';
const OVERDRAFT_HELP_ID = 'overdraft-help';

export function ComputersTab() {
  const { api, notify } = useApp();
  // Disconnecting and ending loans: the operator role.
  const needs = useNeeds('operator');
  const now = useNow(1000);
  const [query, setQuery] = useState('');
  const text = useDebounced(query.trim(), 250);
  const [sort, setSort] = useState<{ key: SortKey; asc: boolean }>({ key: 'host', asc: true });
  const [pending, setPending] = useState<SeatRow>();
  const seats = useSeatPages({ sort: sort.key, asc: sort.asc, text });
  const { rows, last } = seats;
  // A row grows when its product cell holds more than one line below the product.
  const extras = (r: SeatRow) => [r.lease.overdraft, (r.features?.length ?? 0) > 0, (r.lease.units ?? 1) > 1].filter(Boolean).length;
  const rowHeight = rows.some((r) => extras(r) > 1) ? TALL_ROW_HEIGHT : ROW_HEIGHT;

  const toggleSort = (key: SortKey) => setSort((s) => ({ key, asc: s.key === key ? !s.asc : true }));
  const searching = text !== '';

  let body;
  if (!last && !seats.error) body = <Loading label="Loading computers…" />;
  else if (!last) body = <ErrorState error={seats.error} onRetry={seats.refresh} what="the computers" />;
  else if (last.seats === 0 && !searching)
    body = (
      <Empty title="No computer holds a seat right now">
        When an application on this network starts and borrows a seat, its computer appears here within a few seconds.
      </Empty>
    );
  else
    body = (
      <>
        <StaleNotice error={seats.error} />
        {rows.some((r) => r.sharedMachineId) && (
          <div className="notice notice-warn" id={SHARED_HELP_ID}>
            <strong>Shared machine id.</strong> {SHARED_MACHINE_ID_HELP}
          </div>
        )}
        {rows.some((r) => r.lease.overdraft) && (
          <div className="notice notice-warn" id={OVERDRAFT_HELP_ID}>
            <strong>Over licence.</strong> {OVERDRAFT_HELP}
          </div>
        )}
        <div className="grid-table computers-grid" role="table" aria-label="Seats in use" aria-rowcount={last.matching + 1} aria-busy={!seats.current || seats.loadingMore}>
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
          {rows.length ? (
            <VirtualRows
              items={rows}
              rowHeight={rowHeight}
              rowKey={(r) => r.lease.id}
              label="Seats"
              className="grid-body"
              onNearEnd={last.nextCursor ? seats.more : undefined}
              renderRow={(r) => <ComputerRow r={r} now={now} onDisconnect={() => setPending(r)} needs={needs} />}
            />
          ) : (
            <p className="grid-empty">Nothing matches “{text}”.</p>
          )}
        </div>
        <ListFooter shown={rows.length} last={last} seats={seats} />
      </>
    );

  return (
    <section className="panel panel-fill">
      <PanelHead title="Computers" subtitle={last && last.seats > 0 ? <>{plural(last.seats, 'seat')} held by {plural(last.computers, 'computer')}</> : undefined}>
        {last && (last.seats > 0 || query) && (
          <label className={`search${searching ? ' search-has-count' : ''}`}>
            <span className="sr-only">Search computers</span>
            <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search computer, user, product, address…" maxLength={200} />
            {searching && seats.current && <span className="search-count">{last.matching.toLocaleString()} of {last.seats.toLocaleString()}</span>}
          </label>
        )}
      </PanelHead>
      <RoleNote need="operator" to="to disconnect computers, end loans or take clients out of the line" />
      <Waiting now={now} />
      {body}
      {pending?.borrowed && (
        <EndLoanDialog
          row={pending}
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            const r = await api.disconnect({ leaseId: pending.lease.id });
            notify(r.ended.length ? 'Loan ended: the seat is free.' : 'That loan had already ended.');
            seats.refresh();
          }}
        />
      )}
      {pending && !pending.borrowed && (
        <DisconnectDialog
          row={pending}
          onClose={() => setPending(undefined)}
          onConfirm={async (all) => {
            const r = await api.disconnect(all ? { clientId: pending.lease.holder.clientId } : { leaseId: pending.lease.id });
            notify(r.ended.length ? `Disconnected: ${plural(r.ended.length, 'seat')} freed.` : 'That seat had already been given back.');
            seats.refresh();
          }}
        />
      )}
    </section>
  );
}

/** Under a long list: how much of it is shown, and whether it is still live. */
function ListFooter({ shown, last, seats }: { shown: number; last: ComputersPage; seats: SeatPages }) {
  if (shown >= last.matching && !seats.paused) return null;
  return (
    <p className="list-footer muted small" role="status">
      {shown < last.matching && <>Showing {shown.toLocaleString()} of {last.matching.toLocaleString()}{seats.loadingMore ? ' · loading more…' : ' · scroll for more'}. </>}
      {seats.paused && (
        <>
          List as of {formatDateTime(last.asOf)}.{' '}
          <button type="button" className="link-button" onClick={seats.refresh}>Refresh</button>
        </>
      )}
    </p>
  );
}

function ComputerRow({ r, now, onDisconnect, needs }: { r: SeatRow; now: number; onDisconnect: () => void; needs: Needs }) {
  const h = r.lease.holder;
  const expiresIn = r.lease.expiresAt - now;
  return (
    <>
      <div role="cell" data-client-id={h.clientId}>
        <Clip className="cell-strong" text={`${h.host || 'unknown'} (client id ${h.clientId})`}>{h.host || <span className="muted">unknown</span>}</Clip>
        {r.sharedMachineId && (
          <span className="badge badge-warn badge-flag" title={SHARED_MACHINE_ID_HELP} aria-describedby={SHARED_HELP_ID}>
            <span aria-hidden="true">⚠ </span>Shared machine id
          </span>
        )}
      </div>
      <div role="cell"><Clip text={h.user} /></div>
      <div role="cell">
        <div><Clip className="chip" text={r.lease.product} /></div>
        {(r.lease.units ?? 1) > 1 && (
          <div className="muted small" title={`This lease holds ${r.lease.units} units of the product's pool`}>{r.lease.units} units</div>
        )}
        {r.lease.overdraft && (
          <span className="badge badge-warn badge-flag" title={OVERDRAFT_HELP} aria-describedby={OVERDRAFT_HELP_ID}>Over licence</span>
        )}
        <FeatureChips features={r.features} />
      </div>
      <div role="cell" className="mono small"><Clip text={h.address}>{addressHost(h.address)}</Clip></div>
      <div role="cell">
        {h.appName || h.appVersion
          ? <Clip text={[h.appName, h.appVersion].filter(Boolean).join(' ')}>{h.appName}{h.appVersion && <span className="muted"> {h.appVersion}</span>}</Clip>
          : <span className="muted">—</span>}
      </div>
      {r.borrowed ? (
        <LoanCells row={r} />
      ) : (
        <>
          <div role="cell" title={formatDateTime(r.lease.grantedAt)}>
            <div>{formatDateTime(r.lease.grantedAt)}</div>
            <div className="muted small">for {formatDuration(now - r.lease.grantedAt)}</div>
          </div>
          <div role="cell" title={formatDateTime(r.lease.renewedAt)}>{formatRelative(r.lease.renewedAt, now)}</div>
          <div role="cell" className={expiresIn < 30_000 ? 'text-warn' : undefined}>{expiresIn > 0 ? `in ${formatDuration(expiresIn)}` : 'ending now'}</div>
        </>
      )}
      <div role="cell" className="actions">
        {r.borrowed ? (
          <button type="button" className="button button-small" onClick={onDisconnect} disabled={needs.closed} title={needs.why} aria-label={`End loan of ${r.lease.product} to ${h.user} on ${h.host}`}>End loan…</button>
        ) : (
          <button type="button" className="button button-small" onClick={onDisconnect} disabled={needs.closed} title={needs.why} aria-label={`Disconnect ${h.user} on ${h.host} from ${r.lease.product}`}>Disconnect…</button>
        )}
      </div>
    </>
  );
}

/** The feature seats a lease holds ("render"), small under its product; all of them in the tooltip when the cell cuts some off. */
function FeatureChips({ features }: { features: string[] | undefined }) {
  if (!features?.length) return null;
  return (
    <ul className="feature-chips" aria-label="Feature seats held" title={`Feature seats held: ${features.join(', ')}`}>
      {features.map((f) => <li key={f} className="chip chip-feature">{f}</li>)}
    </ul>
  );
}

function DisconnectDialog(props: { row: SeatRow; onClose: () => void; onConfirm: (all: boolean) => Promise<void> }) {
  const { row } = props;
  const seatsOfComputer = row.computerSeats;
  const [all, setAll] = useState(false);
  const host = row.lease.holder.host;
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
