// The shell: connection, sign-in, who is signed in, live feed, tabs.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Api, ApiError, detectConnection, followEvents, fromHost, onHostChange, rememberToken, type Connection, type Event, type LiveState, type SessionView } from './api';
import { AlertBell } from './AlertBell';
import { StatusBanners } from './StatusBanners';
import { PageTitle } from './PageTitle';
import { PasswordConfirmer } from './components/ConfirmPasswordDialog';
import { Loading } from './components/States';
import { TabList, type TabDef } from './components/Tabs';
import { AppContext, cacheOf, useApp, useResource, type AppContextValue, type TabKey, type TabSpot } from './hooks';
import { SignIn, type SignInNotice } from './SignIn';
import { AccountsTab } from './tabs/AccountsTab';
import { WhoIsSignedIn } from './WhoIsSignedIn';
import { ComputersTab } from './tabs/ComputersTab';
import { LicenseModeTab } from './tabs/LicenseModeTab';
import { LicensesTab } from './tabs/LicensesTab';
import { LogsTab } from './tabs/LogsTab';
import { PolicyTab } from './tabs/PolicyTab';
import { ServerTab } from './tabs/ServerTab';
import { ServiceLocked } from './tabs/ServiceConsole';
import { UsageTab } from './tabs/UsageTab';

const TABS: TabDef<TabKey>[] = [
  { key: 'licenses', label: 'Licenses' },
  { key: 'computers', label: 'Computers' },
  { key: 'usage', label: 'Usage' },
  { key: 'policy', label: 'Policy' },
  { key: 'server', label: 'Server' },
  { key: 'accounts', label: 'Accounts' },
  { key: 'logs', label: 'Logs' },
  { key: 'mode', label: 'License Mode' },
];

function initialTab(): TabKey {
  const h = window.location.hash.replace(/^#/, '');
  return TABS.some((t) => t.key === h) ? (h as TabKey) : 'licenses';
}

/** Said on the sign-in page when the server stops taking this page's token. */
const SESSION_ENDED = 'Your session has ended: it was signed out, timed out, or its account changed. Sign in again.';
const TOKEN_REFUSED = 'The server did not accept the admin token. It may have been changed or revoked; sign in with the current one.';

export function App({ connection }: { connection?: Connection }) {
  const [conn, setConn] = useState<Connection | undefined>(connection);
  const [notice, setNotice] = useState<SignInNotice>();
  // Who the sign-in form signed in as, so the shell need not ask again.
  const [signedIn, setSignedIn] = useState<SessionView>();

  useEffect(() => {
    if (!conn) void detectConnection().then(setConn);
  }, [conn]);
  // The desktop app reports a stop, a start or a move to another port.
  useEffect(() => onHostChange((h) => setConn(fromHost(h))), []);
  const api = useMemo(() => (conn ? new Api(conn) : undefined), [conn]);

  if (!conn || !api) return <div className="boot"><Loading label="Connecting to Leasehold…" /></div>;
  // Attached to the service, but this account may not read its admin token.
  if (conn.desktop && conn.host?.attached && !conn.token) return <ServiceLocked host={conn.host} />;
  if (!conn.token || notice) {
    return (
      <SignIn
        conn={conn}
        notice={notice}
        onSignedIn={(token, who) => { rememberToken(token); setSignedIn(who); setNotice(undefined); setConn({ ...conn, token }); }}
      />
    );
  }
  const leave = (n: SignInNotice) => { rememberToken(null); setSignedIn(undefined); setNotice(n); };
  return (
    <Shell
      key={conn.token}
      api={api}
      signedIn={signedIn}
      onUnauthorized={(by) => leave(by === 'session' ? { text: SESSION_ENDED, tone: 'error' } : { text: TOKEN_REFUSED, tone: 'error', mode: 'token' })}
      onSignedOut={(text) => leave({ text, tone: 'info' })}
    />
  );
}

function Shell({ api, signedIn, onUnauthorized, onSignedOut }: {
  api: Api;
  /** Who the sign-in form signed in as (else the shell asks the server). */
  signedIn?: SessionView;
  /** The server refused this page's token; `by` is how it had signed in. */
  onUnauthorized: (by: SessionView['by'] | undefined) => void;
  /** Signed out: back to the sign-in page, saying so. */
  onSignedOut: (notice: string) => void;
}) {
  const [tab, setTab] = useState<TabKey>(initialTab);
  // Where on the tab to go (another tab's link to a setting); a tab chosen in the tab list has none.
  const [spot, setSpot] = useState<TabSpot>();
  const [live, setLive] = useState<{ state: LiveState; error?: ApiError }>({ state: 'connecting' });
  const [toast, setToast] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const listeners = useRef(new Set<(e: Event[]) => void>());
  const toastTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // How this page signed in, for the sign-in page's words when the server stops taking it.
  const by = useRef(signedIn?.by);
  const unauthorized = useRef(() => onUnauthorized(by.current));
  unauthorized.current = () => onUnauthorized(by.current);

  const changeTab = useCallback((k: TabKey, to?: TabSpot) => {
    setTab(k);
    setSpot(to);
    window.history.replaceState(null, '', `#${k}`);
  }, []);

  const stopped = api.conn.host !== undefined && !api.conn.host.running;
  const what = api.conn.host?.attached ? 'Leasehold service' : 'license server';
  const offline = !stopped && live.state === 'reconnecting' && !!live.error?.isOffline;

  const ctx = useMemo<AppContextValue>(() => ({
    api,
    offline,
    showTab: changeTab,
    subscribe: (fn) => { listeners.current.add(fn); return () => { listeners.current.delete(fn); }; },
    reportError: (e) => { if (e instanceof ApiError && e.isUnauthorized) unauthorized.current(); },
    notify: (text) => {
      setToast(text);
      clearTimeout(toastTimer.current);
      toastTimer.current = setTimeout(() => setToast(undefined), 5000);
    },
  }), [api, changeTab, offline]);

  useEffect(() => {
    const ac = new AbortController();
    // Start the live feed at the newest event: each tab loads its own history.
    api.events({ since: Date.now(), limit: 1 }).then(
      (page) => followEvents(api, page.lastSeq, {
        onEvents: (events) => listeners.current.forEach((fn) => fn(events)),
        onState: (state, error) => {
          setLive({ state, error });
          if (error?.isUnauthorized) unauthorized.current();
        },
      }, ac.signal),
      (e) => {
        const err = e instanceof ApiError ? e : undefined;
        if (err?.isUnauthorized) unauthorized.current();
        setLive({ state: 'reconnecting', error: err });
        // Try the whole start again shortly.
        setTimeout(() => { if (!ac.signal.aborted) setAttempt((n) => n + 1); }, 3000);
      },
    );
    return () => ac.abort();
  }, [api, attempt]);

  const label = TABS.find((t) => t.key === tab)?.label ?? '';
  return (
    <AppContext.Provider value={ctx}>
      <WithMe signedIn={signedIn} onMe={(me) => { by.current = me.by; }}>
        <div className="app">
          <header className="topbar">
            <div className="brand">
              <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="7" className="brand-mark" /><path d="M10 8v16h12" stroke="#fff" strokeWidth="3.5" fill="none" strokeLinecap="round" strokeLinejoin="round" /></svg>
              <span className="brand-name">Leasehold</span>
            </div>
            <TabList tabs={TABS} active={tab} onChange={(k) => changeTab(k)} />
            {stopped ? <span className="live-pill live-neutral" role="status"><span className="dot dot-off" aria-hidden="true" />{api.conn.host?.attached ? 'Service stopped' : 'Server stopped'}</span> : <LivePill state={live.state} offline={offline} />}
            <AlertBell />
            <WhoIsSignedIn onSignedOut={onSignedOut} />
          </header>
          <PageTitle tab={label} />
          {/* The page's main landmark: the notices about the whole page, then the tab shown. */}
          <main className="main-area">
            {stopped && tab !== 'server' && (
              <div className="banner banner-neutral" role="status">
                {api.conn.host?.error && !api.conn.host.attached ? `The ${what} did not start.` : `The ${what} is stopped.`}{' '}
                {api.conn.host?.attached?.manager === 'none' ? 'Start it where it was started' : <>Start it from the{' '}
                  <button type="button" className="link-button" onClick={() => changeTab('server')}>Server tab</button></>}. The data shown is from before it stopped.
              </div>
            )}
            {offline && (
              <div className="banner" role="alert">
                Cannot reach the Leasehold server{api.conn.baseUrl ? ` at ${api.conn.baseUrl}` : ''}. The page keeps trying and shows the last known data; live updates are paused.
              </div>
            )}
            {/* Not while stopped: its last status is not news, the banner above says what to do. */}
            {!stopped && <StatusBanners />}
            <div className="main" id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
              {tab === 'licenses' && <LicensesTab />}
              {tab === 'computers' && <ComputersTab />}
              {tab === 'usage' && <UsageTab />}
              {tab === 'policy' && <PolicyTab />}
              {tab === 'server' && <ServerTab spot={spot} />}
              {tab === 'accounts' && <AccountsTab />}
              {tab === 'logs' && <LogsTab />}
              {tab === 'mode' && <LicenseModeTab />}
            </div>
            <div className="toast-region" aria-live="polite">{toast && <div className="toast">{toast}</div>}</div>
            {/* Over any tab's dialog: a call refused for a password given too long ago asks for it here. */}
            <PasswordConfirmer />
          </main>
        </div>
      </WithMe>
    </AppContext.Provider>
  );
}

/**
 * Who is signed in, in the context of everything below: kept for this
 * connection through outages like the rest of the page's data, from the
 * sign-in form's answer at first, then asked again when an account changes
 * (a role given or taken applies at once) and every minute.
 */
function WithMe({ signedIn, onMe, children }: { signedIn?: SessionView; onMe: (me: SessionView) => void; children: ReactNode }) {
  const app = useApp();
  // Before the first load reads the cache: the sign-in's answer (without its token) is what is known.
  useState(() => { if (signedIn && !cacheOf(app.api).has('session')) cacheOf(app.api).set('session', { ...signedIn, token: undefined }); });
  const res = useResource(app.api.session, { key: 'session', intervalMs: 60_000, refreshOn: (e) => e.kind === 'account_changed' });
  const me = res.data;
  const tell = useRef(onMe);
  tell.current = onMe;
  useEffect(() => { if (me) tell.current(me); }, [me]);
  const value = useMemo(() => ({ ...app, me }), [app, me]);
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

function LivePill({ state, offline }: { state: LiveState; offline: boolean }) {
  const text = offline ? 'Offline' : state === 'live' ? 'Live' : state === 'polling' ? 'Live (polling)' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  const tone = offline ? 'bad' : state === 'live' || state === 'polling' ? 'ok' : 'warn';
  return <span className={`live-pill live-${tone}`} role="status" title="Live updates from the server"><span className={`dot dot-${tone}`} aria-hidden="true" />{text}</span>;
}
