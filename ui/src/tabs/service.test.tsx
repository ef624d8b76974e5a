// The desktop app as the console of the Leasehold service: attached, the
// service's problems in words, the service stopped, and installing it.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import type { HostState } from '../api';
import { fakeFetch, fakeInvoke, json, renderDesktop, status } from '../test/fixtures';
import { ServerTab } from './ServerTab';

const systemd = { dataDir: '/var/lib/leasehold', version: '0.1.0', manager: 'systemd' as const };
const attachedHost: HostState = { running: true, listen: '0.0.0.0:7878', attached: systemd };

describe('Server tab attached to the service', () => {
  it('says plainly that the window is the service’s console, with its version', async () => {
    renderDesktop(<ServerTab />, fakeInvoke({}), fakeFetch({ 'GET /admin/v1/status': () => json(status()) }), attachedHost);
    const notice = await screen.findByText(/This window is the console of the Leasehold service/);
    expect(notice.closest('.notice')).toHaveTextContent(
      'This window is the console of the Leasehold service on this computer (systemd, data in /var/lib/leasehold). Start and Stop control the service.',
    );
    expect(screen.getByText('licenses-hq · Leasehold service 0.1.0')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Stop service' })).toBeInTheDocument();
    expect(screen.queryByText('Run as a service')).not.toBeInTheDocument();
  });

  it('stops the service; a refused Stop comes back in words and keeps it running', async () => {
    let allowed = false;
    const f = fakeFetch({ 'GET /admin/v1/status': () => json(status()) });
    const invoke = fakeInvoke({
      server_stop: () => (allowed
        ? { running: false, listen: '0.0.0.0:7878', attached: systemd }
        : { running: true, listen: '0.0.0.0:7878', attached: systemd, error: { code: 'service_not_permitted', message: 'not permitted: the administrator password was not given or was refused (Request dismissed)' } }),
      server_start: () => ({ running: true, listen: '0.0.0.0:7878', attached: systemd }),
    });
    const { ctx } = renderDesktop(<ServerTab />, invoke, f, attachedHost);
    await userEvent.click(await screen.findByRole('button', { name: 'Stop service' }));
    const dialog = screen.getByRole('dialog', { name: 'Stop the Leasehold service?' });
    expect(dialog).toHaveTextContent('may ask for an administrator’s password');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Stop service' }));
    const problem = await screen.findByRole('alert');
    expect(problem).toHaveTextContent('Administrator rights needed. Not permitted: the administrator password was not given or was refused (Request dismissed).');
    expect(problem).toHaveTextContent('Try again and give an administrator’s password when asked');
    expect(screen.getByText('Running')).toBeInTheDocument();
    expect(ctx.notify).not.toHaveBeenCalled();

    allowed = true;
    await userEvent.click(screen.getByRole('button', { name: 'Stop service' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Stop service' }));
    expect(await screen.findByText('The Leasehold service is stopped')).toBeInTheDocument();
    expect(screen.getByText(/This window is the console of the Leasehold service/)).toBeInTheDocument();
    expect(ctx.notify).toHaveBeenCalledWith('Service stopped.');
    await userEvent.click(screen.getByRole('button', { name: 'Start service' }));
    expect(await screen.findByText('Running')).toBeInTheDocument();
    expect(invoke).toHaveBeenCalledWith('server_start', undefined);
    expect(ctx.notify).toHaveBeenCalledWith('Service started.');
  });

  it('explains a Start the service manager refused, with the command in code', async () => {
    const invoke = fakeInvoke({ server_start: () => { throw { code: 'service_control_failed', message: '`pkexec systemctl start leasehold.service` failed: Unit leasehold.service is masked.' }; } });
    renderDesktop(<ServerTab />, invoke, fakeFetch({ 'GET /admin/v1/status': () => 'network' }), { running: false, listen: '0.0.0.0:7878', attached: systemd });
    await userEvent.click(await screen.findByRole('button', { name: 'Start service' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The service manager refused. pkexec systemctl start leasehold.service failed: Unit leasehold.service is masked.');
    expect(within(alert).getByText('pkexec systemctl start leasehold.service').tagName).toBe('CODE');
    expect(alert).toHaveTextContent('journalctl -u leasehold');
  });

  it('names a server found by its data directory, without Start and Stop', async () => {
    renderDesktop(<ServerTab />, fakeInvoke({}), fakeFetch({ 'GET /admin/v1/status': () => json(status()) }),
      { running: true, listen: '127.0.0.1:40001', attached: { dataDir: '/tmp/svc', version: '0.1.0', manager: 'none' } });
    expect(await screen.findByText(/This window is the console of the Leasehold service/)).toHaveTextContent('(no service manager, data in /tmp/svc). It was started outside this app');
    expect(screen.queryByRole('button', { name: /Stop|Start/ })).not.toBeInTheDocument();
  });

  it('shows a service that does not answer', async () => {
    renderDesktop(<ServerTab />, fakeInvoke({}), fakeFetch({ 'GET /admin/v1/status': () => 'network' }),
      { ...attachedHost, error: { code: 'service_not_answering', message: 'the service runs but does not answer on 127.0.0.1:7878; see `journalctl -u leasehold`' } });
    expect(await screen.findByText('The service does not answer.')).toBeInTheDocument();
    expect(screen.getByText(/This window is the console of the Leasehold service/)).toBeInTheDocument();
  });
});

describe('installing the service from the app', () => {
  it('explains what installing does, shows progress, and becomes the console', async () => {
    let finish: (v: unknown) => void = () => {};
    const invoke = fakeInvoke({ service_install: () => new Promise((r) => { finish = r; }) });
    const { ctx } = renderDesktop(<ServerTab />, invoke, fakeFetch({ 'GET /admin/v1/status': () => json(status()) }),
      { running: true, listen: '0.0.0.0:7878', canInstallService: true });
    await userEvent.click(await screen.findByRole('button', { name: 'Install as a service…' }));
    const dialog = screen.getByRole('dialog', { name: 'Install Leasehold as a service?' });
    expect(dialog).toHaveTextContent('It runs when nobody is logged in, and starts again after a reboot.');
    expect(dialog).toHaveTextContent('Installing needs administrator rights');
    expect(dialog).toHaveTextContent('its window becomes the console of the service');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Install' }));
    expect(invoke).toHaveBeenCalledWith('service_install', undefined);
    expect(within(dialog).getByRole('button', { name: 'Installing…' })).toBeDisabled();
    expect(within(dialog).getByRole('status')).toHaveTextContent('Installing the service and waiting for it to answer.');
    finish({ running: true, listen: '0.0.0.0:7878', attached: systemd, canInstallService: false });
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByText(/Leasehold is installed as a service\./)).toBeInTheDocument();
    expect(screen.getByText(/This window is the console of the Leasehold service/)).toBeInTheDocument();
    expect(ctx.notify).toHaveBeenCalledWith('Leasehold is installed as a service.');
    await userEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText(/Leasehold is installed as a service\./)).not.toBeInTheDocument();
  });

  it('shows a refused install in words and can try again', async () => {
    const invoke = fakeInvoke({ service_install: () => { throw { code: 'service_not_permitted', message: 'not permitted: the administrator password was not given or was refused' }; } });
    renderDesktop(<ServerTab />, invoke, fakeFetch({ 'GET /admin/v1/status': () => json(status()) }),
      { running: true, listen: '0.0.0.0:7878', canInstallService: true });
    await userEvent.click(await screen.findByRole('button', { name: 'Install as a service…' }));
    const dialog = screen.getByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Install' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Administrator rights needed. Not permitted: the administrator password was not given or was refused.');
    expect(dialog).toHaveTextContent('Nothing was installed. This app’s own server runs again.');
    expect(within(dialog).getByRole('button', { name: 'Try again' })).toBeEnabled();
  });

  it('says how to install by hand when the app cannot', async () => {
    renderDesktop(<ServerTab />, fakeInvoke({}), fakeFetch({ 'GET /admin/v1/status': () => json(status()) }), { running: true, listen: '0.0.0.0:7878' });
    expect(await screen.findByText('sudo leasehold service install')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Install as a service…' })).not.toBeInTheDocument();
  });
});

describe('the window attached to a service whose token it may not read', () => {
  it('says what to do instead of asking for a token', () => {
    render(<App connection={{
      baseUrl: 'http://127.0.0.1:7878', token: null, desktop: true, serverControl: true,
      host: { ...attachedHost, error: { code: 'service_token_unreadable', message: 'the Leasehold service runs on this computer, but you may not read its admin token (/var/lib/leasehold/admin-token): ask an administrator to run `sudo usermod -aG leasehold-admin $USER`, then log out and in again' } },
    }} />);
    expect(screen.getByRole('heading', { name: 'The Leasehold service console' })).toBeInTheDocument();
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Your account may not manage the service yet.');
    expect(alert).toHaveTextContent('sudo usermod -aG leasehold-admin $USER');
    expect(alert).toHaveTextContent('log out and in again');
    expect(screen.getByText(/This window is the console of the Leasehold service/)).toBeInTheDocument();
    expect(screen.queryByLabelText('Admin token')).not.toBeInTheDocument();
  });
});
