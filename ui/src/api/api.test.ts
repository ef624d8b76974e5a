import { describe, expect, it } from 'vitest';
import { Api, ApiError, SseParser, describeError, signIn } from '.';
import { conn, fakeFetch, json, license } from '../test/fixtures';

describe('Api', () => {
  it('sends the token and parses a typed answer', async () => {
    const f = fakeFetch({ 'GET /admin/v1/licenses': ({ headers }) => (headers.Authorization === 'Bearer tok' ? json([license()]) : new Response(null, { status: 401 })) });
    const api = new Api(conn, f);
    const ls = await api.licenses();
    expect(ls[0].product).toBe('cad');
    expect(String(f.mock.calls[0][0])).toBe('http://srv:7878/admin/v1/licenses');
  });

  it('asks for a dry run before adding', async () => {
    const f = fakeFetch({ 'POST /admin/v1/licenses': ({ body }) => json({ ...license(), code: (body as { code: string }).code }) });
    const api = new Api(conn, f);
    await api.previewLicense('X');
    await api.addLicense('X');
    expect(f.mock.calls.map((c) => JSON.parse(String(c[1]?.body)))).toEqual([{ code: 'X', dryRun: true }, { code: 'X', dryRun: false }]);
  });

  it('turns an error body into an ApiError with the code and a sentence', async () => {
    const f = fakeFetch({ 'POST /admin/v1/licenses': () => json({ code: 'license_checksum', message: 'group 3 (`7QX2`) has a typo' }, 400) });
    const err = await new Api(conn, f).previewLicense('bad').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('license_checksum');
    expect(err.status).toBe(400);
    expect(err.message).toBe('Group 3 (`7QX2`) has a typo.');
    expect(err.body.code).toBe('license_checksum');
  });

  it('writes the seat policy whole and asks the dry run; a refused policy keeps its line in the sentence', async () => {
    const f = fakeFetch({
      'PUT /admin/v1/policy': ({ body }) => ((body as { text: string }).text.includes('exlcude')
        ? json({ code: 'invalid_policy', message: '/var/lib/leasehold/policy.toml:3: unknown key `exlcude`' }, 422)
        : json({ policy: { file: '', groups: [], products: [], precedence: [] }, text: (body as { text: string }).text })),
      'POST /admin/v1/policy/check': () => json({ granted: true, message: 'a seat would be granted now', seats: 3, inUse: 1 }),
    });
    const api = new Api(conn, f);
    expect((await api.setPolicy('[groups]\n')).text).toBe('[groups]\n');
    const err = await api.setPolicy('exlcude = 1').catch((e) => e);
    expect(err.code).toBe('invalid_policy');
    expect(err.status).toBe(422);
    expect(err.message).toBe('/var/lib/leasehold/policy.toml:3: unknown key `exlcude`.');
    expect((await api.checkPolicy({ product: 'cad', user: 'ann', host: 'ws-1' })).granted).toBe(true);
    expect(f.mock.calls.map((c) => [c[1]?.method, new URL(String(c[0])).pathname, JSON.parse(String(c[1]?.body))])).toEqual([
      ['PUT', '/admin/v1/policy', { text: '[groups]\n' }],
      ['PUT', '/admin/v1/policy', { text: 'exlcude = 1' }],
      ['POST', '/admin/v1/policy/check', { product: 'cad', user: 'ann', host: 'ws-1' }],
    ]);
  });

  it('lists who waits and removes one by ticket; a failure keeps the server’s sentence', async () => {
    const ticket = '429b33ab-8537-458e-9021-9c290b1391de';
    const f = fakeFetch({
      'GET /admin/v1/queue': () => json({ waiters: [{ ticket, product: 'cad', position: 1, clientId: 'ws-2', user: 'bob', host: 'ws-2', appName: 'Acme CAD', since: 1 }] }),
      [`DELETE /admin/v1/queue/${ticket}`]: () => json({ ticket, wasWaiting: true }),
      'DELETE /admin/v1/queue/bad': () => json({ code: 'storage_full', message: 'the disk holding the database is full' }, 507),
    });
    const api = new Api(conn, f);
    expect((await api.waiting()).waiters.map((w) => w.clientId)).toEqual(['ws-2']);
    expect(await api.removeWaiter(ticket)).toEqual({ ticket, wasWaiting: true });
    const err = await api.removeWaiter('bad').catch((e) => e);
    expect(err.code).toBe('storage_full');
    expect(err.message).toBe('The disk holding the database is full.');
    expect(f.mock.calls.map((c) => `${c[1]?.method} ${new URL(String(c[0])).pathname}`)).toEqual([
      'GET /admin/v1/queue', `DELETE /admin/v1/queue/${ticket}`, 'DELETE /admin/v1/queue/bad',
    ]);
  });

  it('keeps the extra fields of no_seat_free', async () => {
    const f = fakeFetch({ 'POST /v1/checkout': () => json({ code: 'no_seat_free', message: 'no seat of cad is free', seats: 10, inUse: 10, retryAfterSecs: 60 }, 409) });
    const err = (await new Api(conn, f).request('POST', '/v1/checkout', { body: {} }).catch((e) => e)) as ApiError;
    expect(err.body?.retryAfterSecs).toBe(60);
  });

  it('maps 401 to unauthorized without reading a body', async () => {
    const f = fakeFetch({ 'GET /admin/v1/status': () => new Response(null, { status: 401 }) });
    const err = await new Api(conn, f).status().catch((e) => e);
    expect(err.code).toBe('unauthorized');
    expect(err.isUnauthorized).toBe(true);
    expect(err.message).toMatch(/admin token was not accepted/);
  });

  it('keeps a wrong password a wrong password: a 401 that says sign_in_failed ends nothing', async () => {
    const f = fakeFetch({ 'PUT /admin/v1/accounts/ann/password': () => json({ code: 'sign_in_failed', message: 'the account name or password is wrong' }, 401) });
    const err = await new Api(conn, f).setPassword('ann', 'new password', 'old').catch((e) => e);
    expect(err.code).toBe('sign_in_failed');
    expect(err.isUnauthorized).toBe(false);
    expect(err.message).toBe('The account name or password is wrong.');
    expect(JSON.parse(String(f.mock.calls[0][1]?.body))).toEqual({ currentPassword: 'old', password: 'new password' });
    // The server's own 401 for a token it does not take is still the session ended.
    const gone = fakeFetch({ 'GET /admin/v1/session': () => json({ code: 'unauthorized', message: 'authentication required' }, 401) });
    expect((await new Api(conn, gone).session().catch((e) => e)).isUnauthorized).toBe(true);
  });

  it('shows a 403 forbidden as the server’s sentence, naming the role needed', async () => {
    const f = fakeFetch({ 'DELETE /admin/v1/licenses/x': () => json({ code: 'forbidden', message: '`vic` is a viewer; this needs the admin role (an admin can change the account\'s role)' }, 403) });
    const err = await new Api(conn, f).removeLicense('x').catch((e) => e);
    expect(err.code).toBe('forbidden');
    expect(describeError(err)).toBe('`vic` is a viewer; this needs the admin role (an admin can change the account\'s role).');
  });

  it('signs in without a token, and takes a 204 (signed out, removed) as done', async () => {
    const f = fakeFetch({
      'POST /admin/v1/session': ({ headers, body }) => json({ account: 'ann', role: 'viewer', by: 'session', localAdmin: false, hasPassword: true, token: 'lhs_1', seen: [headers.Authorization ?? null, body] }, 201),
      'DELETE /admin/v1/session': () => new Response(null, { status: 204 }),
      'DELETE /admin/v1/accounts/ann%40example.com': () => new Response(null, { status: 204 }),
    });
    const who = await signIn(conn, 'ann', 'secret', f) as unknown as { token: string; seen: unknown[] };
    expect(who.token).toBe('lhs_1');
    expect(who.seen).toEqual([null, { name: 'ann', password: 'secret' }]);
    const api = new Api(conn, f);
    expect(await api.signOut()).toBeUndefined();
    expect(await api.removeAccount('ann@example.com')).toBeUndefined();
  });

  it('lists, revokes one and revokes all of an account’s tokens, its name encoded; a refusal keeps the server’s words', async () => {
    const f = fakeFetch({
      'GET /admin/v1/accounts/ann%40example.com/tokens': () => json([{ id: 't1', label: 'backup', createdAt: 1, dataDir: false }]),
      'DELETE /admin/v1/accounts/ann%40example.com/tokens/t1': () => new Response(null, { status: 204 }),
      'DELETE /admin/v1/accounts/ann%40example.com/tokens': () => json({ revoked: 3 }),
      'DELETE /admin/v1/accounts/gone/tokens': () => json({ code: 'account_not_found', message: 'there is no admin account `gone`' }, 404),
    });
    const api = new Api(conn, f);
    expect((await api.tokens('ann@example.com')).map((t) => t.label)).toEqual(['backup']);
    expect(await api.revokeToken('ann@example.com', 't1')).toBeUndefined();
    expect(await api.revokeAllTokens('ann@example.com')).toEqual({ revoked: 3 });
    expect(f.mock.calls.map((c) => [c[1]?.method ?? 'GET', new URL(String(c[0])).pathname, c[1]?.body])).toEqual([
      ['GET', '/admin/v1/accounts/ann%40example.com/tokens', undefined],
      ['DELETE', '/admin/v1/accounts/ann%40example.com/tokens/t1', undefined],
      ['DELETE', '/admin/v1/accounts/ann%40example.com/tokens', undefined],
    ]);
    const err = await api.revokeAllTokens('gone').catch((e) => e);
    expect(err.code).toBe('account_not_found');
    expect(describeError(err)).toBe('There is no admin account `gone`.');
  });

  it('maps a network failure to an offline error in words', async () => {
    const f = fakeFetch({ 'GET /admin/v1/status': () => 'network' });
    const err = await new Api(conn, f).status().catch((e) => e);
    expect(err.code).toBe('network');
    expect(err.isOffline).toBe(true);
    expect(err.message).toMatch(/Cannot reach the Leasehold server/);
  });

  it('never shows raw JSON or "undefined" for odd answers', async () => {
    const f = fakeFetch({
      'GET /admin/v1/status': () => new Response('<html>oops</html>', { status: 502 }),
      'GET /admin/v1/computers': () => new Response('not json', { status: 200 }),
    });
    const api = new Api(conn, f);
    const e1 = await api.status().catch((e) => e);
    expect(e1.message).toMatch(/ran into a problem \(HTTP 502\)/);
    const e2 = await api.computers().catch((e) => e);
    expect(e2.code).toBe('bad_response');
    for (const m of [e1.message, e2.message, describeError(undefined), describeError({})]) {
      expect(m).not.toMatch(/undefined|\{|\}/);
    }
  });

  it('builds query strings and skips empty values', async () => {
    const f = fakeFetch({ 'GET /admin/v1/events': () => json({ events: [], lastSeq: 0 }) });
    await new Api(conn, f).events({ afterSeq: 5, kind: ['grant', 'deny'] });
    expect(String(f.mock.calls[0][0])).toBe('http://srv:7878/admin/v1/events?afterSeq=5&kind=grant%2Cdeny');
  });

  it('refuses server start/stop outside the desktop app', async () => {
    const err = await new Api(conn, fakeFetch({})).setServerRunning(false).catch((e) => e);
    expect(err.code).toBe('unavailable');
  });
});

describe('SseParser', () => {
  it('joins data lines across chunks and skips comments', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\n\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\ndata: 2\r\n\r\n')).toEqual(['{"a":1}', '2']);
  });
});

describe('the desktop host', () => {
  it('starts and stops through the app’s commands, and refuses in a browser', async () => {
    const { fakeInvoke } = await import('../test/fixtures');
    const invoke = fakeInvoke({ server_stop: () => ({ running: false, listen: '0.0.0.0:7878' }), server_restart_on_port: () => { throw { code: 'port_in_use', message: 'port 80 is in use by another program; choose another port' }; } });
    const desk = new Api({ ...conn, desktop: true, serverControl: true }, fakeFetch({}), invoke);
    expect(await desk.setServerRunning(false)).toEqual({ running: false, listen: '0.0.0.0:7878' });
    expect(invoke).toHaveBeenCalledWith('server_stop', undefined);
    const err = await desk.restartServerOnPort(80).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('port_in_use');
    expect(err.message).toBe('Port 80 is in use by another program; choose another port.');
    const browser = await new Api(conn, fakeFetch({}), invoke).setServerRunning(true).catch((e) => e);
    expect(browser.code).toBe('unavailable');
    expect(invoke).toHaveBeenCalledTimes(2);
  });

  it('installs the service through the app and answers the new connection', async () => {
    const { fakeInvoke } = await import('../test/fixtures');
    const attached = { dataDir: '/var/lib/leasehold', version: '0.1.0', manager: 'systemd' };
    const invoke = fakeInvoke({ service_install: () => ({ running: true, listen: '0.0.0.0:7878', attached }) });
    const desk = new Api({ ...conn, desktop: true, serverControl: true }, fakeFetch({}), invoke);
    expect(await desk.installService()).toEqual({ running: true, listen: '0.0.0.0:7878', attached });
    const refused = fakeInvoke({ service_install: () => { throw { code: 'service_cli_missing', message: 'the `leasehold` command is not installed next to this app' }; } });
    const err = await new Api({ ...conn, desktop: true, serverControl: true }, fakeFetch({}), refused).installService().catch((e) => e);
    expect(err.code).toBe('service_cli_missing');
    expect(err.message).toBe('The `leasehold` command is not installed next to this app.');
    expect((await new Api(conn, fakeFetch({}), invoke).installService().catch((e) => e)).code).toBe('unavailable');
  });
});
