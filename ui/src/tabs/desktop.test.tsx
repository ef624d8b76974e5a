// The tabs inside the desktop app: Start/Stop, port conflicts, a server that
// did not start, and License Mode reading and writing this computer's settings.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { ClientSettingsView } from '../api';
import { fakeFetch, fakeInvoke, json, renderDesktop, renderWithApi, status } from '../test/fixtures';
import { LicenseModeTab } from './LicenseModeTab';
import { ServerTab } from './ServerTab';

describe('Server tab in the desktop app', () => {
  it('stops the server into a designed stopped state, and starts it again', async () => {
    let up = true;
    const f = fakeFetch({ 'GET /admin/v1/status': () => (up ? json(status()) : 'network') });
    const invoke = fakeInvoke({
      server_stop: () => { up = false; return { running: false, listen: '0.0.0.0:7878' }; },
      server_start: () => { up = true; return { running: true, listen: '0.0.0.0:7878' }; },
    });
    const { ctx } = renderDesktop(<ServerTab />, invoke, f);
    await userEvent.click(await screen.findByRole('button', { name: 'Stop server' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Stop server' }));
    expect(await screen.findByText('The license server is stopped')).toBeInTheDocument();
    expect(screen.getByText('Stopped')).toBeInTheDocument();
    expect(screen.queryByText(/not reachable/i)).not.toBeInTheDocument();
    expect(invoke).toHaveBeenCalledWith('server_stop', undefined);
    await userEvent.click(screen.getByRole('button', { name: 'Start server' }));
    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(invoke).toHaveBeenCalledWith('server_start', undefined);
    expect(ctx.notify).toHaveBeenCalledWith('Server started.');
  });

  it('has no Start/Stop in a browser: the service manager does it', async () => {
    renderWithApi(<ServerTab />, fakeFetch({ 'GET /admin/v1/status': () => json(status()) }));
    expect(await screen.findByText(/started and stopped by its service manager/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Stop server|Start server/ })).not.toBeInTheDocument();
  });

  it('says which port was taken and moves to another, explaining a refusal', async () => {
    const invoke = fakeInvoke({
      server_restart_on_port: (a) => {
        if (a?.port === 7000) throw { code: 'port_in_use', message: 'port 7000 is in use by another program; choose another port' };
        return { running: true, listen: `0.0.0.0:${String(a?.port)}` };
      },
    });
    const { ctx } = renderDesktop(<ServerTab />, invoke, fakeFetch({ 'GET /admin/v1/status': () => json(status({ listen: '0.0.0.0:40001' })) }),
      { running: true, listen: '0.0.0.0:40001', portConflict: { wanted: 7878, got: 40001 } });
    const notice = await screen.findByText(/Port 7878 was in use by another program;/);
    expect(notice.closest('.notice')).toHaveTextContent('Port 7878 was in use by another program; Leasehold is listening on 40001. Clients configured for 7878 won’t find it.');
    await userEvent.click(screen.getByRole('button', { name: 'Use another port…' }));
    const dialog = screen.getByRole('dialog', { name: 'Listen on another port' });
    const field = within(dialog).getByLabelText('Port');
    expect(field).toHaveValue('7878');
    await userEvent.clear(field);
    await userEvent.type(field, '7000');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Use this port' }));
    expect(await within(dialog).findByText('Port 7000 is in use by another program; choose another port.')).toBeInTheDocument();
    await userEvent.clear(field);
    await userEvent.type(field, '7001');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Use this port' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.queryByText(/was in use by another program/)).not.toBeInTheDocument();
    expect(ctx.notify).toHaveBeenCalledWith('Leasehold now listens on port 7001.');
  });

  it('shows a server that did not start, with the reason and a retry', async () => {
    const invoke = fakeInvoke({ server_start: () => { throw { code: 'store_locked', message: 'the data directory is in use by another Leasehold server' }; } });
    renderDesktop(<ServerTab />, invoke, fakeFetch({ 'GET /admin/v1/status': () => 'network' }),
      { running: false, error: { code: 'port_in_use', message: 'port 7878 is in use by another program; choose another port' } });
    expect(await screen.findByText('The license server did not start')).toBeInTheDocument();
    expect(screen.getByText('Port 7878 is in use by another program; choose another port.')).toBeInTheDocument();
    expect(screen.getByText('Did not start')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Use another port…' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('The data directory is in use by another Leasehold server.')).toBeInTheDocument();
  });
});

function view(over: Partial<ClientSettingsView> = {}): ClientSettingsView {
  return { path: '/home/ann/.config/leasehold/client.toml', exists: true, settings: { mode: 'network', auto: true, servers: [] }, error: null, license: null, ...over };
}

const hello = { address: '127.0.0.1:7878', serverName: 'licenses-hq', serverId: 'x', version: '0.1.0', protocolVersion: 1, elapsedMs: 4 };

describe('License Mode in the desktop app', () => {
  it('network: adds and orders servers, tests them, and saves', async () => {
    const invoke = fakeInvoke({
      client_settings_get: () => view({ exists: false }),
      client_test_connection: (a) => {
        if (a?.address === '10.0.0.9:7878') throw { code: 'unreachable', message: 'cannot reach the Leasehold server at 10.0.0.9:7878: connection refused' };
        return { ...hello, address: a?.address };
      },
      client_settings_set: (a) => view({ settings: a?.settings as ClientSettingsView['settings'] }),
    });
    const { ctx } = renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    expect(await screen.findByText(/not created yet: the defaults are shown/)).toBeInTheDocument();
    expect(screen.getByText('Not saved yet')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText(/Find servers automatically/));
    await userEvent.type(screen.getByLabelText('Add a server'), '10.0.0.9:7878{Enter}');
    await userEvent.type(screen.getByLabelText('Add a server'), '127.0.0.1:7878');
    await userEvent.click(screen.getByRole('button', { name: 'Add' }));
    await userEvent.click(screen.getByRole('button', { name: 'Move 127.0.0.1:7878 up' }));
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/Found “licenses-hq”, Leasehold 0.1.0 \(protocol 1\)/)).toBeInTheDocument();
    expect(screen.getByText(/Cannot reach the Leasehold server at 10.0.0.9:7878: connection refused./)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('License settings saved.'));
    expect(invoke).toHaveBeenCalledWith('client_settings_set', { settings: { mode: 'network', auto: false, servers: ['127.0.0.1:7878', '10.0.0.9:7878'], tlsFingerprints: [] }, replaceInvalid: false });
    expect(screen.getByText('Saved')).toBeInTheDocument();
  });

  it('standalone: shows the license’s validity, or says the vendor key is unknown', async () => {
    const standalone = { mode: 'standalone' as const, licenseFile: '/opt/designer.lic' };
    const { unmount } = renderDesktop(<LicenseModeTab />, fakeInvoke({
      client_settings_get: () => view({ settings: standalone, license: { state: 'valid', product: 'Designer', customer: 'Acme Ltd', validUntil: null, features: [] } }),
    }), fakeFetch({}));
    expect(await screen.findByLabelText('Path of the license file')).toHaveValue('/opt/designer.lic');
    expect(screen.getByRole('status')).toHaveTextContent('Valid on this computer. Designer for Acme Ltd, with no end date.');
    unmount();
    renderDesktop(<LicenseModeTab />, fakeInvoke({
      client_settings_get: () => view({ settings: standalone, license: { state: 'unknown', message: 'The vendor’s public key is not known to this app, so the license file cannot be checked here.' } }),
    }), fakeFetch({}));
    expect(await screen.findByText('Not checked here.')).toBeInTheDocument();
    expect(screen.getByText(/vendor’s public key is not known to this app/)).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText('Path of the license file'));
    await userEvent.type(screen.getByLabelText('Path of the license file'), '/opt/other.lic');
    expect(screen.getByText('Save to check this file.')).toBeInTheDocument();
  });

  it('switches modes and shows a save error in words', async () => {
    const invoke = fakeInvoke({
      client_settings_get: () => view(),
      client_settings_set: () => { throw { code: 'settings_unwritable', message: 'cannot write the client settings /etc/x.toml: permission denied (os error 13)' }; },
    });
    renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    await userEvent.click(await screen.findByLabelText(/Standalone/));
    await userEvent.type(screen.getByLabelText('Path of the license file'), '/opt/designer.lic');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot write the client settings /etc/x.toml: permission denied (os error 13).');
    expect(invoke).toHaveBeenCalledWith('client_settings_set', { settings: { mode: 'standalone', licenseFile: '/opt/designer.lic' }, replaceInvalid: false });
  });

  it('shows an invalid file and replaces it only after confirming', async () => {
    const invoke = fakeInvoke({
      client_settings_get: () => view({ settings: null, error: { code: 'settings_invalid', message: '/home/ann/.config/leasehold/client.toml, line 2: invalid type: string "yes", expected a boolean' } }),
      client_settings_set: (a) => view({ settings: a?.settings as ClientSettingsView['settings'] }),
    });
    renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    expect(await screen.findByText('This computer’s settings file cannot be used.')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('line 2: invalid type: string "yes", expected a boolean');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(invoke).not.toHaveBeenCalledWith('client_settings_set', expect.anything());
    const dialog = screen.getByRole('dialog', { name: 'Replace the invalid settings file?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Replace it' }));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('client_settings_set', { settings: { mode: 'network', auto: true, servers: [], tlsFingerprints: [] }, replaceInvalid: true }));
    expect(await screen.findByText('Saved')).toBeInTheDocument();
  });

  it('finds servers and adds one, or says why it cannot look', async () => {
    let disabled = false;
    const invoke = fakeInvoke({
      client_settings_get: () => view(),
      client_discover: () => {
        if (disabled) throw { code: 'discovery_disabled', message: 'Finding servers is turned off for this app (LEASEHOLD_NO_DISCOVERY is set). Enter the server’s address instead.' };
        return [{ name: 'licenses-hq', serverId: 'x', protocolVersion: 1, addresses: ['192.0.2.10:7878'] }];
      },
    });
    renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    await userEvent.click(await screen.findByRole('button', { name: 'Find servers' }));
    expect(await screen.findByText('licenses-hq')).toBeInTheDocument();
    expect(invoke).toHaveBeenCalledWith('client_discover', { timeoutSecs: 3 });
    await userEvent.click(screen.getByRole('button', { name: '192.0.2.10:7878 +' }));
    expect(screen.getByRole('button', { name: 'Remove 192.0.2.10:7878' })).toBeInTheDocument();
    disabled = true;
    await userEvent.click(screen.getByRole('button', { name: 'Find servers' }));
    expect(await screen.findByText(/Finding servers is turned off for this app/)).toBeInTheDocument();
  });
});

// A certificate's SHA-256 fingerprint as the settings file may hold it (lower
// case, no colons), and as the server shows it.
const FP_RAW = 'ab'.repeat(16) + '0123456789abcdef'.repeat(2);
const FP = FP_RAW.toUpperCase().match(/../g)?.join(':') ?? '';
const SEEN = '12:'.repeat(31) + '12';
/** The fingerprints listed (each broken over lines at its colons). */
const listed = (group: HTMLElement) => [...group.querySelectorAll('li .clip')].map((el) => el.textContent);

describe('License Mode: https:// servers and their certificates', () => {
  it('keeps the fingerprints of the settings file when saving', async () => {
    const loaded = { mode: 'network' as const, auto: false, servers: ['https://lic:7878'], tlsFingerprints: [FP_RAW] };
    const invoke = fakeInvoke({
      client_settings_get: () => view({ settings: loaded }),
      client_settings_set: (a) => view({ settings: a?.settings as ClientSettingsView['settings'] }),
    });
    const { ctx } = renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    const group = await screen.findByRole('group', { name: 'Trusted certificates' });
    expect(listed(group)).toEqual([FP]);
    expect(screen.getByText('Saved')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Add a server'), '10.0.0.5:7878{Enter}');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(ctx.notify).toHaveBeenCalledWith('License settings saved.'));
    expect(invoke).toHaveBeenCalledWith('client_settings_set', {
      settings: { mode: 'network', auto: false, servers: ['https://lic:7878', '10.0.0.5:7878'], tlsFingerprints: [FP_RAW] }, replaceInvalid: false,
    });
  });

  it('takes an https:// address, and then says its certificate must be trusted by the system', async () => {
    renderDesktop(<LicenseModeTab />, fakeInvoke({ client_settings_get: () => view() }), fakeFetch({}));
    const field = await screen.findByLabelText('Add a server');
    expect(field).toHaveAccessibleDescription(/https:\/\/host:port for a server with TLS/);
    expect(screen.queryByRole('group', { name: 'Trusted certificates' })).not.toBeInTheDocument();
    await userEvent.type(field, 'ftp://lic.example.com');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Add' })).toBeDisabled();
    await userEvent.clear(field);
    await userEvent.type(field, 'https://lic.example.com{Enter}');
    expect(screen.getByRole('button', { name: 'Remove https://lic.example.com' })).toBeInTheDocument();
    const group = screen.getByRole('group', { name: 'Trusted certificates' });
    expect(group).toHaveTextContent('None, so https://lic.example.com must show a certificate that this computer’s system trusts.');
    expect(group).toHaveTextContent('as the server’s Server tab or leasehold admin status shows it');
    expect(within(group).getByText('leasehold admin status').tagName).toBe('CODE');
  });

  it('checks a fingerprint before adding it, as the server shows it, and removes it', async () => {
    const invoke = fakeInvoke({
      client_settings_get: () => view({ settings: { mode: 'network', auto: true, servers: ['https://lic:7878'], tlsFingerprints: [] } }),
      client_settings_set: (a) => view({ settings: a?.settings as ClientSettingsView['settings'] }),
    });
    renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    const field = await screen.findByLabelText('Add a fingerprint');
    const add = screen.getByRole('button', { name: 'Add fingerprint' });
    expect(add).toBeDisabled();
    // Still being typed: not called wrong until Add.
    await userEvent.type(field, 'AB:CD');
    expect(field).toHaveAttribute('aria-invalid', 'false');
    await userEvent.click(add);
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription('A SHA-256 fingerprint has 64 hex digits; this has 4.');
    // A character that cannot be in one: said at once.
    await userEvent.type(field, ':XY');
    expect(field).toHaveAccessibleDescription('“X” cannot be in a fingerprint: it is 64 hex digits (0–9 and A–F), with or without colons.');
    await userEvent.clear(field);
    await userEvent.type(field, `${FP_RAW}00`);
    expect(field).toHaveAccessibleDescription('A SHA-256 fingerprint has 64 hex digits; this has 66.');
    await userEvent.type(field, '{Backspace}{Backspace}{Enter}');
    const group = screen.getByRole('group', { name: 'Trusted certificates' });
    expect(listed(group)).toEqual([FP]);
    expect(field).toHaveValue('');
    expect(group).not.toHaveTextContent('None, so');
    // The same one written another way is already there.
    await userEvent.type(field, FP.toLowerCase());
    expect(field).toHaveAccessibleDescription('Already in the list.');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith('client_settings_set', {
      settings: { mode: 'network', auto: true, servers: ['https://lic:7878'], tlsFingerprints: [FP] }, replaceInvalid: false,
    }));
    await userEvent.click(await screen.findByRole('button', { name: `Remove fingerprint ${FP.slice(0, 11)}…` }));
    expect(listed(group)).toEqual([]);
    expect(field).toHaveFocus();
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
  });

  it('tests with the fingerprints shown, and shows a refused certificate in words', async () => {
    const invoke = fakeInvoke({
      client_settings_get: () => view({ settings: { mode: 'network', auto: false, servers: ['https://lic:7878', '10.0.0.5:7878'], tlsFingerprints: [FP] } }),
      client_test_connection: (a) => {
        if (a?.address === 'https://lic:7878') {
          throw {
            code: 'untrusted_certificate',
            message: `the Leasehold server at https://lic:7878 was not used: its certificate is not the one trusted: it has the fingerprint ${SEEN}, which is not among those given. Compare the fingerprint \`leasehold admin status\` shows on the server, and put it in \`tls_fingerprints\` in the client settings (or give it to the application)`,
          };
        }
        return { ...hello, address: a?.address };
      },
    });
    renderDesktop(<LicenseModeTab />, invoke, fakeFetch({}));
    await userEvent.click(await screen.findByRole('button', { name: 'Test connection' }));
    const refused = await screen.findByText(/was not used: its certificate is not the one trusted/);
    expect(refused.closest('.notice')).toHaveTextContent(`it has the fingerprint ${SEEN}, which is not among those given.`);
    expect(refused.closest('.notice')).toHaveTextContent('In this app: add the fingerprint the server’s Server tab shows under Trusted certificates.');
    expect(screen.getByText(/Found “licenses-hq”/)).toBeInTheDocument();
    expect(invoke).toHaveBeenCalledWith('client_test_connection', { address: 'https://lic:7878', tlsFingerprints: [FP] });
    expect(invoke).toHaveBeenCalledWith('client_test_connection', { address: '10.0.0.5:7878', tlsFingerprints: [FP] });
  });
});
