// Waiting for a seat: the server's fair queue on the Computers tab. Who waits
// for each product, in the order they will be served, and since when; the
// admin can take one out of the line. Fresh within a second of a change
// (the queue's live events), and every few seconds besides.
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, type Event, type WaiterView, type WaitingList } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { formatDateTime, formatRelative, ordinal } from '../format';
import { isOffline, useApp, useResource } from '../hooks';
import { ErrorProse } from '../components/Prose';
import { Clip } from '../components/Clip';
import { useNeeds, type Needs } from '../roles';

const QUEUE_EVENTS = new Set<Event['kind']>(['queue_joined', 'queue_left', 'queue_granted']);
const isQueueEvent = (e: Event) => QUEUE_EVENTS.has(e.kind);

/** Waiters shown per product before "Show all". */
export const PREVIEW = 5;
/** At most this many per product, even with "Show all" (the server holds up to 100,000). */
export const SHOWN_MAX = 500;

interface ProductLine {
  product: string;
  waiters: WaiterView[];
}

/** The waiters grouped by product, each line in the order the server serves it. */
export function lines(list: WaitingList): ProductLine[] {
  const by = new Map<string, WaiterView[]>();
  for (const w of list.waiters) {
    const line = by.get(w.product);
    if (line) line.push(w);
    else by.set(w.product, [w]);
  }
  return [...by].map(([product, waiters]) => ({ product, waiters: waiters.sort((a, b) => a.position - b.position) }));
}

/** "bob@ws-2", or the part there is. */
export function who(w: WaiterView): string {
  if (w.user && w.host) return `${w.user}@${w.host}`;
  return w.user || w.host || w.clientId;
}

/** The list without `ticket`, those behind it a place further up. */
function without(list: WaitingList, gone: WaiterView): WaitingList {
  return {
    waiters: list.waiters
      .filter((w) => w.ticket !== gone.ticket)
      .map((w) => (w.product === gone.product && w.position > gone.position ? { ...w, position: w.position - 1 } : w)),
  };
}

export function Waiting({ now }: { now: number }) {
  const { api, notify } = useApp();
  // Taking a client out of the line: the operator role (the Computers tab says so above).
  const needs = useNeeds('operator');
  const res = useResource(api.waiting, { key: 'waiting', intervalMs: 3000, refreshOn: isQueueEvent });
  const [pending, setPending] = useState<WaiterView>();
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  // Where the keyboard goes once a removed waiter's row is gone: the next
  // one's Remove, else the heading (or the line saying no one waits).
  const [refocus, setRefocus] = useState<{ ticket?: string }>();
  const headRef = useRef<HTMLHeadingElement>(null);
  const quietRef = useRef<HTMLParagraphElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const headingId = useId();
  const helpId = useId();
  const error = res.error;

  useEffect(() => {
    if (pending || !refocus) return;
    const rows = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[data-ticket]') ?? []);
    const next = rows.find((el) => el.dataset.ticket === refocus.ticket)?.querySelector('button');
    (next ?? headRef.current ?? quietRef.current)?.focus();
    setRefocus(undefined);
  }, [pending, refocus]);

  // A server from before the queue has no such list: nothing to show.
  if (error instanceof ApiError && error.status === 404 && !res.data) return null;
  if (!res.data) {
    if (!error || isOffline(error)) return null;
    return (
      <p className="waiting-quiet muted small" role="status">
        Could not load who is waiting for a seat: <ErrorProse error={error} />{' '}
        <button type="button" className="link-button" onClick={res.reload}>Try again</button>
      </p>
    );
  }
  const { waiters } = res.data;
  if (waiters.length === 0) return <p className="waiting-quiet muted small" ref={quietRef} tabIndex={-1}>No one is waiting for a seat.</p>;

  const toggle = (product: string) => setOpen((o) => {
    const next = new Set(o);
    if (!next.delete(product)) next.add(product);
    return next;
  });

  return (
    <section className="waiting" aria-labelledby={headingId} aria-describedby={helpId}>
      <div className="waiting-head">
        <h2 id={headingId} ref={headRef} tabIndex={-1}>Waiting for a seat ({waiters.length.toLocaleString()})</h2>
        {!!error && !isOffline(error) && <span className="text-warn small" role="status">Not up to date: <ErrorProse error={error} /></span>}
      </div>
      <p className="waiting-help muted small" id={helpId}>
        These clients asked for a seat when none was free; each gets the next seat that frees, in this order.
        {' '}How many wait and for how long, per product, is in <code>/metrics</code> (<code>leasehold_queue_waiting</code>, <code>leasehold_queue_wait_seconds</code>): the figures for deciding how many seats to buy.
      </p>
      <div className="waiting-lines" ref={listRef}>
        {lines(res.data).map(({ product, waiters: line }) => {
          const expanded = open.has(product);
          const shown = line.slice(0, expanded ? SHOWN_MAX : PREVIEW);
          return (
            <div className="waiting-line" key={product}>
              <h3 className="waiting-product">
                <span className="chip">{product}</span>
                <span className="muted small">{line.length.toLocaleString()} waiting</span>
              </h3>
              <ol className="waiter-rows" aria-label={`Waiting for ${product}`}>
                {shown.map((w) => <WaiterRow key={w.ticket} w={w} now={now} onRemove={() => setPending(w)} needs={needs} />)}
              </ol>
              {line.length > PREVIEW && (
                <p className="waiting-more small">
                  {expanded && line.length > SHOWN_MAX && <span className="muted">The first {SHOWN_MAX.toLocaleString()} are shown. </span>}
                  <button type="button" className="link-button" aria-expanded={expanded} onClick={() => toggle(product)}>
                    {expanded ? `Show the first ${PREVIEW} only` : `Show all ${line.length.toLocaleString()} waiting for ${product}`}
                  </button>
                </p>
              )}
            </div>
          );
        })}
      </div>
      {pending && (
        <RemoveDialog
          w={pending}
          onClose={() => setPending(undefined)}
          onConfirm={async () => {
            const r = await api.removeWaiter(pending.ticket);
            if (res.data) {
              const line = res.data.waiters.filter((w) => w.product === pending.product && w.ticket !== pending.ticket);
              const after = line.find((w) => w.position > pending.position) ?? line.at(-1);
              setRefocus({ ticket: after?.ticket });
              res.replace(without(res.data, pending));
            }
            const name = `${who(pending)} (${pending.clientId})`;
            notify(r.wasWaiting
              ? `${name} was taken out of the line for ${pending.product}.`
              : `${name} was no longer waiting for ${pending.product}: it got a seat or left the line.`);
            res.reload();
          }}
        />
      )}
    </section>
  );
}

function WaiterRow({ w, now, onRemove, needs }: { w: WaiterView; now: number; onRemove: () => void; needs: Needs }) {
  const name = who(w);
  const since = Math.min(w.since, now);
  return (
    <li className="waiter" data-ticket={w.ticket}>
      <span className="waiter-pos" title={`${ordinal(w.position)} in line for ${w.product}`}>{ordinal(w.position)}</span>
      <div>
        <Clip className="waiter-who" text={`${name} (client id ${w.clientId})`}>
          <span className="cell-strong">{name}</span>
          <span className="muted small mono waiter-id">{w.clientId}</span>
        </Clip>
      </div>
      <div className="waiter-app">{w.appName ? <Clip text={w.appName} /> : <span className="muted">—</span>}</div>
      <div className="waiter-since">
        <time dateTime={new Date(w.since).toISOString()} title={`Waiting since ${formatDateTime(w.since)}`}>
          <span className="muted">joined </span>{formatRelative(since, now)}
        </time>
      </div>
      <div className="waiter-action">
        <button type="button" className="button button-small" onClick={onRemove} disabled={needs.closed} title={needs.why} aria-label={`Remove ${name} (${w.clientId}) from the line for ${w.product}`}>
          Remove…
        </button>
      </div>
    </li>
  );
}

function RemoveDialog({ w, onClose, onConfirm }: { w: WaiterView; onClose: () => void; onConfirm: () => Promise<void> }) {
  const name = who(w);
  return (
    <ConfirmDialog title={`Remove ${name} from the line?`} confirmLabel="Remove from the line" danger onClose={onClose} onConfirm={onConfirm}>
      <p>
        <strong>{name}</strong> (<span className="mono">{w.clientId}</span>{w.appName ? `, ${w.appName}` : ''}) is {ordinal(w.position)} in line for <span className="chip">{w.product}</span>.
      </p>
      <p>
        It leaves the line at once and those behind it move up one place. Its application is told the next time it asks about its place, within seconds: it then stops waiting, or, if it still wants a seat (the Leasehold client does), joins again at the end of the line.
      </p>
    </ConfirmDialog>
  );
}
