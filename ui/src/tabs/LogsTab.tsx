// Logs: the live tail of recorded events and the server's own log lines.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Event, EventKind, Level, LogLine } from '../api';
import { Badge, type Tone } from '../components/Badge';
import { PanelHead } from '../components/PanelHead';
import { Empty, ErrorState, Loading } from '../components/States';
import { VirtualRows } from '../components/VirtualRows';
import { fileStamp, saveBlob } from '../download';
import { formatDateTime, formatTime, plural } from '../format';
import { useApp } from '../hooks';

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
  message: e.message,
});
export const fromLog = (l: LogLine): Entry => ({
  key: `l${l.seq}`, at: l.at, level: l.level, kind: 'log', source: KIND_LABEL.log, target: l.target, message: l.message,
});

function merge(into: Entry[], more: Entry[]): Entry[] {
  if (!more.length) return into;
  const seen = new Set(into.map((e) => e.key));
  const next = into.concat(more.filter((e) => !seen.has(e.key)));
  next.sort((a, b) => a.at - b.at);
  return next.length > MAX_ENTRIES ? next.slice(next.length - MAX_ENTRIES) : next;
}

export function LogsTab() {
  const { api, subscribe } = useApp();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [held, setHeld] = useState<Entry[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>();
  const [paused, setPaused] = useState(false);
  const [minLevel, setMinLevel] = useState<Level>('info');
  const [kind, setKind] = useState<EventKind | 'log' | 'all'>('all');
  const [query, setQuery] = useState('');
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  const add = useCallback((more: Entry[]) => {
    if (!more.length) return;
    if (pausedRef.current) setHeld((h) => h.concat(more));
    else setEntries((e) => merge(e, more));
  }, []);

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const [events, logs] = await Promise.all([
        api.events({ since: Date.now() - HISTORY_MS, limit: 1000 }),
        api.logs().catch(() => ({ lines: [], lastSeq: 0 })),
      ]);
      setEntries((e) => merge(e, [...events.events.map(fromEvent), ...logs.lines.map(fromLog)]));
      logSeq.current = Math.max(logSeq.current, logs.lastSeq);
      setLoaded(true);
    } catch (e) {
      setError(e);
    }
  }, [api]);

  const logSeq = useRef(0);
  useEffect(() => { void load(); }, [load]);
  useEffect(() => subscribe((events) => add(events.map(fromEvent))), [subscribe, add]);
  useEffect(() => {
    if (!loaded) return;
    const t = setInterval(async () => {
      if (document.hidden) return;
      try {
        const page = await api.logs(logSeq.current);
        logSeq.current = Math.max(logSeq.current, page.lastSeq);
        add(page.lines.map(fromLog));
      } catch {
        // The connection banner says when the server is gone.
      }
    }, 2000);
    return () => clearInterval(t);
  }, [api, add, loaded]);

  const resume = () => {
    setPaused(false);
    setEntries((e) => merge(e, held));
    setHeld([]);
  };

  const shown = useMemo(() => {
    const min = LEVELS.indexOf(minLevel);
    const q = query.trim().toLowerCase();
    return entries.filter((e) =>
      LEVELS.indexOf(e.level) >= min &&
      (kind === 'all' || e.kind === kind) &&
      (!q || `${e.source} ${e.target ?? ''} ${e.message}`.toLowerCase().includes(q)));
  }, [entries, minLevel, kind, query]);

  const exportShown = () => {
    const text = shown.map((e) => `${new Date(e.at).toISOString()}\t${e.level.toUpperCase()}\t${e.kind === 'log' ? e.target : e.kind}\t${e.message}`).join('\n') + '\n';
    saveBlob(`leasehold-log-${fileStamp()}.txt`, new Blob([text], { type: 'text/plain' }));
  };

  let body;
  if (!loaded && !error) body = <Loading label="Loading the log…" />;
  else if (!loaded) body = <ErrorState error={error} onRetry={load} what="the log" />;
  else if (!entries.length) body = <Empty title="Nothing logged yet">Seats granted and released, licenses added and server messages appear here as they happen.</Empty>;
  else if (!shown.length) body = <Empty title="No line matches these filters">Widen the level or kind, or clear the search.</Empty>;
  else
    body = (
      <div className="grid-table logs-grid" role="table" aria-label="Log" aria-rowcount={shown.length + 1}>
        <div className="grid-head" role="row" aria-rowindex={1}>
          <div role="columnheader">Time</div><div role="columnheader">Level</div><div role="columnheader">What</div><div role="columnheader">Message</div>
        </div>
        <VirtualRows
          items={shown}
          rowHeight={36}
          rowKey={(e) => e.key}
          label="Log lines"
          className="grid-body"
          stickToEnd={!paused}
          renderRow={(e) => (
            <>
              <div role="cell" className="mono small" title={formatDateTime(e.at)}>{formatTime(e.at)}</div>
              <div role="cell"><Badge tone={LEVEL_TONE[e.level]}>{LEVEL_TEXT[e.level]}</Badge></div>
              <div role="cell" className={e.kind === 'log' ? 'muted' : undefined} title={e.target ?? e.source}>{e.source}</div>
              <div role="cell" className="log-message" title={e.message}>{e.message}</div>
            </>
          )}
        />
      </div>
    );

  return (
    <section className="panel panel-fill">
      <PanelHead title="Logs" subtitle={paused ? <><Badge tone="warn">Paused</Badge> {held.length ? `${plural(held.length, 'new line')} waiting` : 'no new lines yet'}</> : <><span className="dot dot-ok dot-pulse" aria-hidden="true" /> Following live</>}>
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
          <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search messages…" />
        </label>
        <span className="muted small">{shown.length.toLocaleString()} of {entries.length.toLocaleString()} lines</span>
      </div>
      {body}
    </section>
  );
}
