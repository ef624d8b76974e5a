// Logs: the live tail of recorded events and the server's own log lines.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Event, EventKind, Level, LogLine } from '../api';
import { Badge, type Tone } from '../components/Badge';
import { Clip } from '../components/Clip';
import { PanelHead } from '../components/PanelHead';
import { Prose, proseText } from '../components/Prose';
import { Empty, ErrorState, Loading } from '../components/States';
import { VirtualRows } from '../components/VirtualRows';
import { fileStamp, saveBlob } from '../download';
import { formatDateTimeSeconds, formatTime, plural } from '../format';
import { isOffline, useApp, useCachedState } from '../hooks';

export interface Entry {
  key: string;
  at: number;
  level: Level;
  /** An event kind, or 'log' for a server log line. */
  kind: EventKind | 'log';
  /** What happened, in words ("Seat granted", "Server log"). */
  source: string;
  /** For a log line, the server module that wrote it (`leasehold_server::store`): in the tooltip, search and export. */
  target?: string;
  message: string;
  /** The admin account that did it (admin actions only). */
  by?: string;
}

export const KIND_LABEL: Record<EventKind | 'log', string> = {
  grant: 'Seat granted',
  overdraft_grant: 'Seat granted over licence',
  token_overdraft: 'Tokens spent over balance',
  deny: 'Seat refused',
  renew_after_expiry: 'Late renewal',
  release: 'Seat released',
  expire: 'Lease expired',
  reclaim: 'Reclaimed on start',
  disconnect: 'Disconnected',
  license_added: 'License added',
  license_removed: 'License removed',
  license_rejected: 'License refused',
  license_activated: 'License activated',
  license_deactivated: 'License deactivated',
  clock_set_back: 'Clock set back',
  trusted_key_added: 'Vendor key trusted',
  queue_joined: 'Waiting for a seat',
  queue_left: 'Left the queue',
  queue_granted: 'Waiter given a seat',
  feature_grant: 'Feature seat taken',
  borrow: 'Seat borrowed',
  named_user_assigned: 'User named',
  named_user_unassigned: 'Named user removed',
  policy_changed: 'Seat policy changed',
  policy_rejected: 'Seat policy refused',
  admin_sign_in: 'Admin sign-in',
  account_changed: 'Admin account changed',
  settings_changed: 'Setting changed',
  server_start: 'Server started',
  server_stop: 'Server stopped',
  log: 'Server log',
};

const LEVELS: Level[] = ['debug', 'info', 'warn', 'error'];
const LEVEL_TONE: Record<Level, Tone> = { debug: 'neutral', info: 'info', warn: 'warn', error: 'bad' };
const LEVEL_TEXT: Record<Level, string> = { debug: 'Debug', info: 'Info', warn: 'Warning', error: 'Error' };
const MAX_ENTRIES = 5000;
const HISTORY_MS = 24 * 3600 * 1000;

export const fromEvent = (e: Event): Entry => ({
  key: `e${e.seq}`, at: e.at, level: e.level, kind: e.kind, source: KIND_LABEL[e.kind] ?? e.kind,
  message: e.message, by: e.by ?? undefined,
});
// A server started again numbers its log lines from 1: the time tells two line 7s apart.
export const fromLog = (l: LogLine): Entry => ({
  key: `l${l.seq}@${l.at}`, at: l.at, level: l.level, kind: 'log', source: KIND_LABEL.log, target: l.target, message: l.message,
});

function merge(into: Entry[], more: Entry[]): Entry[] {
  if (!more.length) return into;
  const seen = new Set(into.map((e) => e.key));
  const next = into.concat(more.filter((e) => !seen.has(e.key)));
  next.sort((a, b) => a.at - b.at);
  return next.length > MAX_ENTRIES ? next.slice(next.length - MAX_ENTRIES) : next;
}

/** What the tab has read, kept across tab switches: the lines, and the server log's last line read. */
interface LogData {
  entries: Entry[];
  logSeq: number;
}

/** How often the server's own log is asked for new lines (and, after a failure, everything again). */
const POLL_MS = 2000;
const ROW_PX = 36;

export function LogsTab() {
  const { api, subscribe, offline } = useApp();
  const [data, setData] = useCachedState<LogData>('log');
  const [held, setHeld] = useState<Entry[]>([]);
  const [error, setError] = useState<unknown>();
  const [paused, setPaused] = useState(false);
  const [minLevel, setMinLevel] = useState<Level>('info');
  const [kind, setKind] = useState<EventKind | 'log' | 'all'>('all');
  const [query, setQuery] = useState('');
  // The line read in full below the list (picked with the arrow keys or a click).
  const [picked, setPicked] = useState<string>();
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const logSeq = useRef(data?.logSeq ?? 0);
  // The last 24 hours were read since the tab opened: from then on, only what is new.
  const synced = useRef(false);
  const busy = useRef(false);

  const add = useCallback((more: Entry[]) => {
    if (!more.length) return;
    if (pausedRef.current) setHeld((h) => h.concat(more));
    else setData((d) => ({ entries: merge(d?.entries ?? [], more), logSeq: logSeq.current }));
  }, [setData]);

  // The last day's events and the server's log lines, merged into what is kept
  // (the events that came while the tab was closed, or the server was down).
  const load = useCallback(async () => {
    const [events, logs] = await Promise.all([
      api.events({ since: Date.now() - HISTORY_MS, limit: 1000 }),
      api.logs().catch(() => ({ lines: [], lastSeq: 0 })),
    ]);
    logSeq.current = logs.lastSeq;
    setData((d) => ({ entries: merge(d?.entries ?? [], [...events.events.map(fromEvent), ...logs.lines.map(fromLog)]), logSeq: logs.lastSeq }));
    synced.current = true;
  }, [api, setData]);

  // Each tick: everything again until that worked, then the log's new lines.
  // A failure is kept (the subtitle says offline) and the next tick tries again,
  // so the tab follows the server again by itself once it is back.
  const tick = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    try {
      if (!synced.current) await load();
      else {
        const page = await api.logs(logSeq.current);
        // Fewer lines than read before: the server was started again, its numbering anew.
        if (page.lastSeq < logSeq.current) { synced.current = false; await load(); }
        else {
          logSeq.current = Math.max(logSeq.current, page.lastSeq);
          add(page.lines.map(fromLog));
        }
      }
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      busy.current = false;
    }
  }, [api, add, load]);

  useEffect(() => subscribe((events) => add(events.map(fromEvent))), [subscribe, add]);
  useEffect(() => {
    void tick();
    const t = setInterval(() => { if (!document.hidden) void tick(); }, POLL_MS);
    return () => clearInterval(t);
  }, [tick]);
  // Back from an outage: at once, not at the next tick.
  const wasOffline = useRef(offline);
  useEffect(() => {
    if (wasOffline.current && !offline) void tick();
    wasOffline.current = offline;
  }, [offline, tick]);

  const resume = () => {
    setPaused(false);
    setData((d) => ({ entries: merge(d?.entries ?? [], held), logSeq: logSeq.current }));
    setHeld([]);
  };

  const entries = useMemo(() => data?.entries ?? [], [data]);
  const shown = useMemo(() => {
    const min = LEVELS.indexOf(minLevel);
    const q = query.trim().toLowerCase();
    return entries.filter((e) =>
      LEVELS.indexOf(e.level) >= min &&
      (kind === 'all' || e.kind === kind) &&
      (!q || `${e.source} ${e.target ?? ''} ${e.message} ${e.by ? `by ${e.by}` : ''}`.toLowerCase().includes(q)));
  }, [entries, minLevel, kind, query]);

  const exportShown = () => {
    const text = shown.map((e) => `${new Date(e.at).toISOString()}\t${e.level.toUpperCase()}\t${e.kind === 'log' ? e.target : e.kind}\t${e.message}${e.by ? ` (by ${e.by})` : ''}`).join('\n') + '\n';
    saveBlob(`leasehold-log-${fileStamp()}.txt`, new Blob([text], { type: 'text/plain' }));
  };

  const unreachable = offline || isOffline(error);
  const pickedAt = picked === undefined ? -1 : shown.findIndex((e) => e.key === picked);
  const pickedEntry = pickedAt >= 0 ? shown[pickedAt] : undefined;
  // Up and Down (Page Up/Down, Home, End) in the list pick a line; its whole text shows below.
  const onListKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
    let next: number;
    if (e.key in step) next = pickedAt < 0 ? (step[e.key] > 0 ? 0 : shown.length - 1) : pickedAt + step[e.key];
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = shown.length - 1;
    else if (e.key === 'Escape' && picked) { e.preventDefault(); setPicked(undefined); return; }
    else return;
    e.preventDefault();
    setPicked(shown[Math.max(0, Math.min(shown.length - 1, next))]?.key);
  };

  let body;
  if (!data && !error) body = <Loading label="Loading the log…" />;
  else if (!data) body = <ErrorState error={error} onRetry={() => void tick()} what="the log" />;
  else if (!entries.length) body = <Empty title="Nothing logged yet">Seats granted and released, licenses added and server messages appear here as they happen.</Empty>;
  else if (!shown.length) body = <Empty title="No line matches these filters">Widen the level or kind, or clear the search.</Empty>;
  else
    body = (
      <>
        <div className="grid-table logs-grid" role="table" aria-label="Log" aria-rowcount={shown.length + 1} aria-describedby="log-keys">
          <div className="grid-head" role="row" aria-rowindex={1}>
            <div role="columnheader">Time</div><div role="columnheader">Level</div><div role="columnheader">What</div><div role="columnheader">Message</div>
          </div>
          <VirtualRows
            items={shown}
            rowHeight={ROW_PX}
            rowKey={(e) => e.key}
            label="Log lines"
            className="grid-body"
            stickToEnd={!paused && pickedAt < 0}
            focusable
            onKeyDown={onListKey}
            activeIndex={pickedAt >= 0 ? pickedAt : undefined}
            renderRow={(e) => (
              <>
                <div role="cell" className="mono small">{formatTime(e.at)}</div>
                <div role="cell"><Badge tone={LEVEL_TONE[e.level]}>{LEVEL_TEXT[e.level]}</Badge></div>
                <div role="cell" className={e.kind === 'log' ? 'muted' : undefined}><Clip text={e.target ? `${e.source}: ${e.target}` : e.source} tabbable={false}>{e.source}</Clip></div>
                <div role="cell" className="log-message" onClick={() => setPicked((k) => (k === e.key ? undefined : e.key))}>
                  <Clip text={`${proseText(e.message)}${e.by ? ` — by ${e.by}` : ''}`} tabbable={false}><span className="log-text"><Prose text={e.message} /></span>{e.by && <span className="log-by"> by {e.by}</span>}</Clip>
                </div>
              </>
            )}
          />
        </div>
        <p className="muted small log-keys" id="log-keys">Up and Down in the list, or a click, show a line in full below.</p>
        <LineInFull entry={pickedEntry} onClose={() => setPicked(undefined)} />
      </>
    );

  return (
    <section className="panel panel-fill">
      <PanelHead title="Logs" subtitle={<FollowState unreachable={unreachable} paused={paused} held={held.length} />}>
        <div className="toolbar">
          <button type="button" className="button" onClick={paused ? resume : () => setPaused(true)} aria-pressed={paused}>{paused ? 'Resume' : 'Pause'}</button>
          <button type="button" className="button" onClick={exportShown} disabled={!shown.length}>Export…</button>
        </div>
      </PanelHead>
      <div className="filters">
        <label className="field-inline">
          <span>Level</span>
          <select value={minLevel} onChange={(e) => setMinLevel(e.target.value as Level)}>
            <option value="debug">Everything</option>
            <option value="info">Info and above</option>
            <option value="warn">Warnings and errors</option>
            <option value="error">Errors only</option>
          </select>
        </label>
        <label className="field-inline">
          <span>Kind</span>
          <select value={kind} onChange={(e) => setKind(e.target.value as EventKind | 'log' | 'all')}>
            <option value="all">All kinds</option>
            {(Object.keys(KIND_LABEL) as (EventKind | 'log')[]).map((k) => <option key={k} value={k}>{KIND_LABEL[k]}</option>)}
          </select>
        </label>
        <label className="search search-grow">
          <span className="sr-only">Search the log</span>
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search messages and accounts…" />
        </label>
        <span className="muted small">{shown.length.toLocaleString()} of {entries.length.toLocaleString()} lines</span>
      </div>
      {body}
    </section>
  );
}

/** Whether new lines come in: never green while the server cannot be reached. */
function FollowState({ unreachable, paused, held }: { unreachable: boolean; paused: boolean; held: number }) {
  if (unreachable) return <span role="status"><span className="dot dot-off" aria-hidden="true" /> Paused — offline: new lines come once the server answers again</span>;
  if (paused) return <><Badge tone="warn">Paused</Badge> {held ? `${plural(held, 'new line')} waiting` : 'no new lines yet'}</>;
  return <><span className="dot dot-ok dot-pulse" aria-hidden="true" /> Following live</>;
}

/** The line picked in the list, whole: when, how grave, what wrote it, and all its text. */
function LineInFull({ entry, onClose }: { entry: Entry | undefined; onClose: () => void }) {
  return (
    <section className="log-detail" aria-label="The line in full" aria-live="polite">
      {entry && (
        <>
          <div className="log-detail-head">
            <time dateTime={new Date(entry.at).toISOString()}>{formatDateTimeSeconds(entry.at)}</time>
            <Badge tone={LEVEL_TONE[entry.level]}>{LEVEL_TEXT[entry.level]}</Badge>
            <span>{entry.source}</span>
            {entry.target && <code>{entry.target}</code>}
            {entry.by && <span className="log-by">by {entry.by}</span>}
            <button type="button" className="link-button log-detail-close" onClick={onClose}>Close</button>
          </div>
          <p className="log-detail-text"><Prose text={entry.message} /></p>
        </>
      )}
    </section>
  );
}
