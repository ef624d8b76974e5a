// Named users on the Licenses tab: for each product whose codes were issued
// with --named-users, who may use its seats, since when, the seats still in
// their cool-down, and naming or removing a user. Fresh within a second of a
// change (the named_user_* events), and every few seconds besides.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, describeError, type Assignment, type Event, type NamedUsersList, type NamedUsersView } from '../api';
import { Badge } from '../components/Badge';
import { ErrorProse, Prose } from '../components/Prose';
import { formatDateTime, plural, withLocalTimes } from '../format';
import { isOffline, useApp, useResource } from '../hooks';
import { RoleNote } from '../components/RoleNote';
import { useNeeds } from '../roles';

/** Who is named changes with these; the seats that may be named with the licences. */
const NAMED_EVENTS = new Set<Event['kind']>([
  'named_user_assigned', 'named_user_unassigned', 'license_added', 'license_removed', 'license_activated', 'license_deactivated',
]);
const isNamedEvent = (e: Event) => NAMED_EVENTS.has(e.kind);

/** What went wrong, in words, with the server's times in local time. */
export function refusalText(e: unknown): string {
  return withLocalTimes(describeError(e));
}

/** Names compare without regard to case, as on the server. */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function NamedUsers() {
  const { api } = useApp();
  const res = useResource(api.namedUsers, { key: 'named-users', refreshOn: isNamedEvent });
  const headingId = useId();
  // The list as last shown: a change answered after another card's keeps both.
  const shown = useRef(res.data);
  shown.current = res.data;
  const error = res.error;

  // A server from before named users has no such list: nothing to show.
  if (error instanceof ApiError && error.status === 404 && !res.data) return null;
  if (!res.data) {
    if (!error || isOffline(error)) return null;
    return (
      <p className="named-quiet muted small" role="status">
        Could not load the named users: <ErrorProse error={error} />{' '}
        <button type="button" className="link-button" onClick={res.reload}>Try again</button>
      </p>
    );
  }
  const list = res.data;
  if (!list.products.length) return null;
  const changed = (v: NamedUsersView) => {
    const next: NamedUsersList = { products: (shown.current ?? list).products.map((p) => (p.product === v.product ? v : p)) };
    shown.current = next;
    res.replace(next);
  };

  return (
    <section className="named-users" aria-labelledby={headingId}>
      <div className="named-head">
        <h2 id={headingId}>Named users</h2>
        {!!error && !isOffline(error) && <span className="text-warn small" role="status">Not up to date: <ErrorProse error={error} /></span>}
      </div>
      <p className="muted small named-help">
        These codes give their seats to users you name: only they may use the product, each while a seat is free.
        A seat moved from one user to another may move again only after the vendor’s cool-down, so names cannot be passed around.
      </p>
      <RoleNote need="admin" to="to name users or remove them" />
      <div className="named-cards">
        {list.products.map((v) => <NamedProduct key={v.product} v={v} onChanged={changed} />)}
      </div>
    </section>
  );
}

function NamedProduct({ v, onChanged }: { v: NamedUsersView; onChanged: (v: NamedUsersView) => void }) {
  const { api, notify } = useApp();
  const ids = useId();
  const [name, setName] = useState('');
  const [assigning, setAssigning] = useState(false);
  /** The user whose Remove is on its way. */
  const [removing, setRemoving] = useState<string>();
  const needs = useNeeds('admin');
  const busy = assigning || removing !== undefined;
  const [error, setError] = useState<unknown>();
  // Where the keyboard goes once a removed user's row is gone: the next one's Remove, else the name field.
  const [refocus, setRefocus] = useState<{ user?: string }>();
  const listRef = useRef<HTMLUListElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  // A refusal may land below the window's edge: bring it into view.
  useEffect(() => { if (error) errorRef.current?.scrollIntoView?.({ block: 'nearest' }); }, [error]);

  useEffect(() => {
    if (!refocus) return;
    const rows = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[data-user]') ?? []);
    const next = rows.find((el) => el.dataset.user === refocus.user)?.querySelector('button');
    (next ?? inputRef.current)?.focus();
    setRefocus(undefined);
  }, [refocus]);

  const user = name.trim();
  const assign = async (e: FormEvent) => {
    e.preventDefault();
    if (!user || busy) return;
    const already = v.users.some((a) => sameName(a.user, user));
    setAssigning(true);
    setError(undefined);
    try {
      onChanged(await api.assignUser(v.product, user));
      setName('');
      notify(already ? `${user} was already named for ${v.product}: nothing changed.` : `${user} is now named for ${v.product}.`);
    } catch (err) {
      setError(err);
    } finally {
      setAssigning(false);
    }
  };

  const remove = async (a: Assignment) => {
    if (busy) return;
    const at = v.users.indexOf(a);
    setRemoving(a.user);
    setError(undefined);
    try {
      const after = await api.unassignUser(v.product, a.user);
      onChanged(after);
      // The seat's cool-down, if it moved to this user: a time the list had not before.
      const cooling = after.coolingUntil.filter((t) => !v.coolingUntil.includes(t));
      const from = cooling.length ? Math.max(...cooling) : undefined;
      notify(`${a.user} is no longer named for ${v.product}. ${from === undefined ? 'The seat is free for another user now.' : `The seat is free for another user from ${formatDateTime(from)}.`}`);
      setRefocus({ user: (v.users[at + 1] ?? v.users[at - 1])?.user });
    } catch (err) {
      setError(err);
    } finally {
      setRemoving(undefined);
    }
  };

  const cooling = [...v.coolingUntil].sort((x, y) => x - y);
  const free = Math.max(0, v.seats - v.users.length - cooling.length);
  return (
    <section className="card named-card" aria-labelledby={`${ids}-title`}>
      <div className="card-head">
        <h3 id={`${ids}-title`} className="named-product">{v.product}</h3>
        {v.inForce ? <Badge tone="ok">In force</Badge> : <Badge tone="neutral">Not in force</Badge>}
      </div>
      <p className="named-count">
        <strong>{v.seats > 0 ? `${v.users.length.toLocaleString()} of ${plural(v.seats, 'seat')} named` : `${plural(v.users.length, 'user')} named, no seats count now`}</strong>
        {v.seats > 0 && <span className="muted"> · {free.toLocaleString()} free to name{cooling.length > 0 && `, ${cooling.length.toLocaleString()} cooling down`}</span>}
      </p>
      <p className="muted small">
        {v.inForce
          ? `Only the users named here may use ${v.product}.`
          : `No code with named users counts now (not started yet, or ended): the names apply once one does.`}
        {v.users.length > v.seats && v.seats > 0 && ` More users are named than ${v.product} has seats now: they share them, and no one more can be named.`}
      </p>
      {v.users.length ? (
        <ul className="named-rows" aria-label={`Named users of ${v.product}`} ref={listRef}>
          {v.users.map((a) => (
            <NamedRow key={a.user} a={a} product={v.product} hours={v.reassignAfterHours} busy={removing === a.user} disabled={busy || needs.closed} why={needs.why} onRemove={() => void remove(a)} />
          ))}
        </ul>
      ) : (
        <p className="named-none">No one is named yet{v.inForce ? `: nobody may use ${v.product} until you name users.` : '.'}</p>
      )}
      {cooling.length > 0 && (
        <div className="named-cooling">
          <h4 className="list-title">Cooling down</h4>
          <ul className="plain-list named-cooling-list" aria-label={`Seats of ${v.product} cooling down`}>
            {cooling.map((t, i) => (
              <li key={`${t}-${i}`}>1 seat: free for another user from <time dateTime={new Date(t).toISOString()}>{formatDateTime(t)}</time></li>
            ))}
          </ul>
          <p className="muted small">A seat taken from a user it had moved to waits out the vendor’s cool-down of {plural(v.reassignAfterHours, 'hour')} from when it moved.</p>
        </div>
      )}
      <form className="named-form" onSubmit={assign}>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-user`}>Name a user for {v.product}</label>
          <input
            id={`${ids}-user`} ref={inputRef} type="text" value={name} autoComplete="off" spellCheck={false}
            placeholder="login name, e.g. alice or CORP\alice" aria-describedby={`${ids}-hint`}
            onChange={(e) => { setName(e.target.value); setError(undefined); }}
            readOnly={needs.closed}
          />
          <span className="field-hint" id={`${ids}-hint`}>As the applications report it; capitals do not matter.</span>
        </div>
        <button type="submit" className="button button-primary" disabled={!user || busy || needs.closed} title={needs.why}>{assigning ? 'Naming…' : 'Name user'}</button>
      </form>
      {!!error && <div className="notice notice-error named-error" role="alert" ref={errorRef}><Prose text={refusalText(error)} /></div>}
    </section>
  );
}

function NamedRow(props: { a: Assignment; product: string; hours: number; busy: boolean; disabled: boolean; why?: string; onRemove: () => void }) {
  const { a, product, hours, busy, disabled, why, onRemove } = props;
  return (
    <li className="named-row" data-user={a.user}>
      <div className="named-who">
        <span className="cell-strong named-name">{a.user}</span>
        <span className="muted small">
          named since <time dateTime={new Date(a.assignedAt).toISOString()}>{formatDateTime(a.assignedAt)}</time>
        </span>
        {a.moved && (
          <span className="chip chip-rule" title={`This seat moved to ${a.user} from another user: it may move again ${plural(hours, 'hour')} after it was named.`}>
            seat moved to them
          </span>
        )}
      </div>
      <button type="button" className="button button-small button-quiet-danger" disabled={disabled} title={why} onClick={onRemove} aria-label={`Remove ${a.user} from the named users of ${product}`}>
        {busy ? 'Removing…' : 'Remove'}
      </button>
    </li>
  );
}
