// The typed admin API: every URL the UI calls is built here.
import type { Connection } from './connection';
import { ApiError, errorFromResponse, localError, toApiError } from './errors';
import { hostError, hostState, invokeHost, type HostInfo, type HostState, type Invoke } from './host';
import type {
  ActivationRequestView, ComputerSort, Deactivated, ComputersPage, Disconnected, DisconnectRequest, EventKind, EventPage, Hello, HistoryStep, LedgerPage, LicenseRemoved,
  LeftQueue, LicenseView, LogPage, MdnsState, NamedUsersList, NamedUsersView, PolicyCheck, PolicyCheckRequest, PolicyStatus, ServerStatus, SortOrder, TicketId, TrustedKeyView, UsageHistory, WaitingList,
  AccountView, Alert, AlertList, AlertSettings, AlertTest, NewAccount, Role, SessionView, Settings, TokenMade, TokensRevoked, TokenView,
} from './types';

export interface ComputersQuery {
  sort?: ComputerSort;
  order?: SortOrder;
  /** Words that must each appear in the seat's computer, user, product, address, application or client id. */
  text?: string;
  limit?: number;
  /** `nextCursor` of the page before. */
  cursor?: string;
}

export interface EventQuery {
  afterSeq?: number;
  since?: number;
  until?: number;
  kind?: EventKind[];
  limit?: number;
}

export interface LedgerQuery {
  /** Only this product's spends. */
  product?: string;
  /** Only spends at or after this time (unix ms). */
  from?: number;
  /** Only spends before this time (unix ms). */
  to?: number;
  /** Only spends older than this place in the ledger (the page before's `nextBefore`). */
  before?: number;
  /** At most this many (the server's default is 100, its most 1,000). */
  limit?: number;
}

export interface HistoryQuery {
  /** Only this product's points (default: every product's). */
  product?: string;
  /** From this time (unix ms; the server starts at the step it falls in). */
  from?: number;
  /** Up to this time (unix ms), not included. */
  to?: number;
  /** A point per minute (kept 7 days), hour (400 days) or day (10 years). */
  step?: HistoryStep;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface RequestOpts {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

const TIMEOUT_MS = 15_000;

export class Api {
  constructor(
    readonly conn: Connection,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
    /** Calls the desktop app's commands (tests pass a fake). */
    readonly invoke: Invoke = invokeHost,
  ) {}

  /** A command of the desktop app; refused in a browser. */
  async host<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    if (!this.conn.desktop) throw localError('unavailable');
    try {
      return await this.invoke<T>(cmd, args);
    } catch (e) {
      throw hostError(e);
    }
  }

  url(path: string, query?: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return `${this.conn.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { Accept: 'application/json' };
    if (json) h['Content-Type'] = 'application/json';
    if (this.conn.token) h.Authorization = `Bearer ${this.conn.token}`;
    return h;
  }

  /**
   * Asks the person signed in for their password again (the dialog the
   * shell shows): answers true once the server took it
   * (`confirmPassword`), false when they cancelled. Without it, a
   * `password_confirmation_required` refusal is thrown like any other.
   */
  onConfirmPassword?: () => Promise<boolean>;
  /** The confirmation being asked for: every call refused meanwhile waits for this one. */
  private confirming?: Promise<boolean>;
  /** How many confirmations the server has taken: a call sent before the last one is sent again without asking. */
  private confirmed = 0;

  /**
   * Calls the admin API and answers its JSON. A refusal for a password
   * given too long ago (`password_confirmation_required`) asks for it
   * through `onConfirmPassword` and sends the same call once more; when
   * the password is not given, the refusal is thrown.
   */
  async request<T>(method: Method, path: string, opts: RequestOpts = {}): Promise<T> {
    const before = this.confirmed;
    try {
      return await this.send<T>(method, path, opts);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'password_confirmation_required' && this.onConfirmPassword)) throw e;
      // Refused before a confirmation taken since it was sent: that one answers for it too.
      if (this.confirmed === before && !(await this.askPassword(this.onConfirmPassword))) throw e;
      return this.send<T>(method, path, opts);
    }
  }

  /** One question at a time: calls refused together share it. */
  private askPassword(ask: () => Promise<boolean>): Promise<boolean> {
    this.confirming ??= ask().catch(() => false).then((given) => {
      this.confirming = undefined;
      return given;
    });
    return this.confirming;
  }

  /** One call, as it is: no password asked again. */
  private async send<T>(method: Method, path: string, opts: RequestOpts): Promise<T> {
    // Counted from this sending: a call sent again after a dialog gets its own time.
    const signal = opts.signal ?? AbortSignal.timeout(TIMEOUT_MS);
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, opts.query), {
        method,
        headers: this.headers(opts.body !== undefined),
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal,
      });
    } catch (e) {
      throw toApiError(e);
    }
    if (!res.ok) throw await errorFromResponse(res);
    // Done, nothing to say (a sign-out, a removed account).
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch {
      throw localError('bad_response');
    }
  }

  // --- server ---------------------------------------------------------------
  hello = () => this.request<Hello>('GET', '/v1/hello');
  status = () => this.request<ServerStatus>('GET', '/admin/v1/status');
  setMdns = (enabled: boolean) => this.request<MdnsState>('PUT', '/admin/v1/mdns', { body: { enabled } });
  /**
   * Sets the vendor's activation authority (an `http://` address), or with
   * null forgets it; answers the status with it. A bad address is
   * `invalid_field`, with the server's sentence saying why.
   */
  setAuthority = (url: string | null) => this.request<ServerStatus>('PUT', '/admin/v1/authority', { body: { url } });
  /** Only the desktop app can stop and start its embedded server. */
  async setServerRunning(running: boolean): Promise<HostState> {
    if (!this.conn.serverControl) throw localError('unavailable');
    return hostState(await this.host<HostInfo>(running ? 'server_start' : 'server_stop'));
  }
  /** Moves the desktop app's server to `port` (after a port conflict). */
  async restartServerOnPort(port: number): Promise<HostState> {
    if (!this.conn.serverControl) throw localError('unavailable');
    return hostState(await this.host<HostInfo>('server_restart_on_port', { port }));
  }

  /**
   * Installs the Leasehold service on this computer (the app asks for an
   * administrator's password) and makes this window its console. Answers
   * the new connection; a refusal is an ApiError with the host's code
   * (`service_not_permitted`, `service_cli_missing`, …).
   */
  async installService(): Promise<HostState> {
    if (!this.conn.desktop) throw localError('unavailable');
    return hostState(await this.host<HostInfo>('service_install'));
  }

  /** The settings an admin may change: how many days before a code's last day it is warned of. */
  /** Alerts not yet acknowledged (open first), then the latest acknowledged. */
  alerts = () => this.request<AlertList>('GET', '/admin/v1/alerts');
  /** Marks an alert as seen by the signed-in account (operators and admins). */
  acknowledgeAlert = (id: number) => this.request<Alert>('POST', `/admin/v1/alerts/${id}/acknowledge`);
  /** Where alerts are sent (admins; the mail password is never shown). */
  alertSettings = () => this.request<AlertSettings>('GET', '/admin/v1/alerts/settings');
  setAlertSettings = (s: AlertSettings) => this.request<AlertSettings>('PUT', '/admin/v1/alerts/settings', { body: s });
  /** Sends a test alert now; says how the mail and the webhook went. */
  testAlerts = () => this.request<AlertTest>('POST', '/admin/v1/alerts/test');
  settings = () => this.request<Settings>('GET', '/admin/v1/settings');
  /** Changes the settings given; a value out of range is `invalid_field`, with the server's sentence. */
  setSettings = (change: Partial<Settings>) => this.request<Settings>('PUT', '/admin/v1/settings', { body: change });

  // --- who is signed in, and the admin accounts ---------------------------------
  /** Who this connection's token signs in as: account, role, by a session or a token. */
  session = () => this.request<SessionView>('GET', '/admin/v1/session');
  /**
   * Gives the signed-in account's password again, so for the next 15
   * minutes (`confirmedUntil`) the session may make accounts and tokens,
   * change roles and set others' passwords. A wrong password is
   * `sign_in_failed`, too many `too_many_sign_ins` (its sentence says how
   * many seconds to wait). Sent as it is: its own refusal asks nothing.
   */
  async confirmPassword(password: string): Promise<SessionView> {
    const me = await this.send<SessionView>('POST', '/admin/v1/session/confirm', { body: { password } });
    this.confirmed += 1;
    return me;
  }
  /** Ends this session on the server (a token for scripts has nothing to end: forget it instead). */
  signOut = () => this.request<void>('DELETE', '/admin/v1/session');
  /** Every admin account with its role (never a password). */
  accounts = () => this.request<AccountView[]>('GET', '/admin/v1/accounts');
  /** Makes an account (admins only): `account_exists`, `account_limit_reached`, `invalid_field` for a name or password. */
  addAccount = (account: NewAccount) => this.request<AccountView>('POST', '/admin/v1/accounts', { body: account });
  /** Gives an account another role; the local admin keeps its (`local_admin_account`). */
  setRole = (name: string, role: Role) => this.request<AccountView>('PUT', accountPath(name), { body: { role } });
  /** Removes an account: its sessions and tokens end at once. */
  removeAccount = (name: string) => this.request<void>('DELETE', accountPath(name));
  /**
   * Sets an account's password: one's own with the current one when it has
   * one, admins included (a wrong or missing one is `sign_in_failed`; the
   * data directory's admin-token is not asked), anyone else's as an admin.
   * Its other sessions end; its tokens stay.
   */
  setPassword = (name: string, password: string, currentPassword?: string) =>
    this.request<void>('PUT', `${accountPath(name)}/password`, { body: currentPassword === undefined ? { password } : { currentPassword, password } });
  /** An account's tokens for scripts (never the tokens themselves). */
  tokens = (name: string) => this.request<TokenView[]>('GET', `${accountPath(name)}/tokens`);
  /** Makes a token for scripts: the answer holds it this once. */
  addToken = (name: string, label: string) => this.request<TokenMade>('POST', `${accountPath(name)}/tokens`, { body: { label } });
  /** Revokes a token: calls with it are refused from now on. */
  revokeToken = (name: string, tokenId: string) =>
    this.request<void>('DELETE', `${accountPath(name)}/tokens/${encodeURIComponent(tokenId)}`);
  /**
   * Revokes every token for scripts an account has, at once (one's own, or
   * anyone's as an admin): answers how many. The data directory's
   * admin-token is never one of them.
   */
  revokeAllTokens = (name: string) => this.request<TokensRevoked>('DELETE', `${accountPath(name)}/tokens`);

  // --- licenses -------------------------------------------------------------
  licenses = () => this.request<LicenseView[]>('GET', '/admin/v1/licenses');
  /** Checks a code and shows what it would add; stores nothing. */
  previewLicense = (code: string) => this.request<LicenseView>('POST', '/admin/v1/licenses', { body: { code, dryRun: true } });
  addLicense = (code: string) => this.request<LicenseView>('POST', '/admin/v1/licenses', { body: { code, dryRun: false } });
  removeLicense = (licenseId: string) =>
    this.request<LicenseRemoved>('DELETE', `/admin/v1/licenses/${encodeURIComponent(licenseId)}`);
  /** The activation request for a licence on this server, for its vendor. */
  activationRequest = (licenseId: string) =>
    this.request<ActivationRequestView>('GET', `/admin/v1/licenses/${encodeURIComponent(licenseId)}/activation-request`);
  /**
   * Activates a licence through the activation authority set on this server;
   * answers the licence. Refusals come with the server's sentence:
   * `no_authority_set`, `activation_limit_reached` (naming the
   * servers that hold its activations), `authority_unreachable`, …
   */
  activateOnline = (licenseId: string) =>
    this.request<LicenseView>('POST', `/admin/v1/licenses/${encodeURIComponent(licenseId)}/activate-online`);
  /** Imports the vendor's activation response; answers the licence, now counting. */
  importActivation = (response: string) => this.request<LicenseView>('POST', '/admin/v1/activations', { body: { response } });
  /** Stops counting an activated licence here; answers the proof for its vendor (shown this once). */
  deactivate = (licenseId: string) =>
    this.request<Deactivated>('POST', `/admin/v1/licenses/${encodeURIComponent(licenseId)}/deactivate`);
  trustedKeys = () => this.request<TrustedKeyView[]>('GET', '/admin/v1/trusted-keys');
  addTrustedKey = (publicKey: string) => this.request<TrustedKeyView>('POST', '/admin/v1/trusted-keys', { body: { publicKey } });

  // --- computers ------------------------------------------------------------
  /** One page of the seats held, sorted and searched by the server. */
  computers = (q: ComputersQuery = {}) =>
    this.request<ComputersPage>('GET', '/admin/v1/computers', { query: { sort: q.sort, order: q.order, text: q.text, limit: q.limit, cursor: q.cursor } });
  disconnect = (req: DisconnectRequest) => this.request<Disconnected>('POST', '/admin/v1/disconnect', { body: req });

  // --- waiting list (the fair queue) ---------------------------------------
  /** Every client waiting for a seat, per product in order of arrival. */
  waiting = () => this.request<WaitingList>('GET', '/admin/v1/queue');
  /**
   * Takes a client out of the line; `wasWaiting` is false when it was no
   * longer there (it got its seat, left, or lapsed). The client hears it the
   * next time it asks about its place.
   */
  removeWaiter = (ticket: TicketId) => this.request<LeftQueue>('DELETE', `/admin/v1/queue/${encodeURIComponent(ticket)}`);

  // --- named users (codes issued with --named-users) ------------------------
  /** Every product whose codes have named users: who is named, seats cooling down. */
  namedUsers = () => this.request<NamedUsersList>('GET', '/admin/v1/named-users');
  /**
   * Names `user` for a seat of `product` (already named: nothing changes);
   * answers the product's named users. Refused with `named_seats_full`,
   * whose sentence says when a seat in its cool-down frees,
   * `product_not_named`, or `invalid_field` for a name the server does not take.
   */
  assignUser = (product: string, user: string) =>
    this.request<NamedUsersView>('PUT', namedUserPath(product, user));
  /** Takes `user`'s named seat of `product` away (`not_a_named_user` when not named); answers the product's named users. */
  unassignUser = (product: string, user: string) =>
    this.request<NamedUsersView>('DELETE', namedUserPath(product, user));

  // --- seat policy ----------------------------------------------------------
  /** The policy in force, `policy.toml` as it is, and why the file is not in force when it is invalid. */
  policy = () => this.request<PolicyStatus>('GET', '/admin/v1/policy');
  /**
   * Writes `policy.toml` whole and puts it in force (empty text: no policy);
   * answers the new status. A bad text is refused with `invalid_policy`,
   * whose sentence names the file and line (`…/policy.toml:3: unknown key …`),
   * and nothing changes.
   */
  setPolicy = (text: string) => this.request<PolicyStatus>('PUT', '/admin/v1/policy', { body: { text } });
  /** The dry run: would this checkout be granted now, and by which rule? Takes no seat. */
  checkPolicy = (req: PolicyCheckRequest) => this.request<PolicyCheck>('POST', '/admin/v1/policy/check', { body: req });

  // --- consumption tokens -------------------------------------------------
  /** Each product's tokens in the running period, and a page of spends, newest first. */
  ledger = (q: LedgerQuery = {}) =>
    this.request<LedgerPage>('GET', '/admin/v1/usage/ledger', { query: { product: q.product, from: q.from, to: q.to, before: q.before, limit: q.limit } });

  /**
   * The usage history: per product and step, the most and fewest seats in
   * use, seats licensed, denials, clients waiting, overdraft and tokens
   * spent. A range of more than 200,000 points is `invalid_field`.
   */
  usageHistory = (q: HistoryQuery = {}) =>
    this.request<UsageHistory>('GET', '/admin/v1/usage', { query: { product: q.product, from: q.from, to: q.to, step: q.step } });

  // --- logs -----------------------------------------------------------------
  events = (q: EventQuery = {}) =>
    this.request<EventPage>('GET', '/admin/v1/events', {
      query: { afterSeq: q.afterSeq, since: q.since, until: q.until, kind: q.kind?.join(','), limit: q.limit },
    });
  logs = (afterSeq?: number) => this.request<LogPage>('GET', '/admin/v1/logs', { query: { afterSeq } });

  /** Opens the server-sent event stream (fetch, so the token goes in a header). */
  async openEventStream(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.url('/admin/v1/events/stream'), {
        headers: { ...this.headers(false), Accept: 'text/event-stream' },
        signal,
      });
    } catch (e) {
      throw toApiError(e);
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (!res.body) throw localError('bad_response');
    return res.body;
  }
}

/** An admin account's path (its name may hold `@` and `.`). */
function accountPath(name: string): string {
  return `/admin/v1/accounts/${encodeURIComponent(name)}`;
}

/**
 * Signs in with an account's name and password, on the server `conn` names
 * (its token is not used): answers who signed in, with the session's token.
 * A wrong name or password is `sign_in_failed`, too many of them
 * `too_many_sign_ins` (its sentence says how many seconds to wait).
 */
export function signIn(conn: Connection, name: string, password: string, fetchImpl?: typeof fetch): Promise<SessionView> {
  return new Api({ ...conn, token: null }, fetchImpl).request<SessionView>('POST', '/admin/v1/session', { body: { name, password } });
}

/** User names may hold spaces, backslashes (CORP\alice) or any script: each path segment is encoded. */
function namedUserPath(product: string, user: string): string {
  return `/admin/v1/named-users/${encodeURIComponent(product)}/${encodeURIComponent(user)}`;
}

export { ApiError };
