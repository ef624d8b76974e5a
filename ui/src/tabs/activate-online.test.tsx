// Online activation: the Activate dialog offers Activate online when the
// server has an activation authority (and says where to set one when it has
// none), says what it did or why not in words; the Server tab shows, sets
// and forgets the authority's address with the server's sentence for a bad one.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { LicenseView, ServerStatus } from '../api';
import { fakeFetch, json, license, renderWithApi, status } from '../test/fixtures';
import { LicensesTab } from './LicensesTab';
import { ServerTab } from './ServerTab';

const AUTHORITY = 'http://activation.vendor.example:7900/';
const cam = license({
  licenseId: 'c4a1e0aa-0000-4000-8000-000000000001', product: 'cam', seats: 6, productSeats: 0, productInUse: 0, customer: 'Northwind Shop',
  state: 'needsActivation', stateReason: 'counts once its vendor activates it', activationRequired: true,
});
const LIMIT = 'licence c4a1e0aa-… may be active on 1 server at once and is active on 1: server licenses-west (3f2a…), activated on 2026-11-30. Deactivate it there first (leasehold admin activation deactivate), or ask your vendor for more activations';

/** A server with `cam` waiting for its activation; `online` answers Activate online. */
function server(opts: { authority?: string | null; online?: () => Response } = {}) {
  let activated = false;
  const f = fakeFetch({
    'GET /admin/v1/status': () => json(status({ authorityUrl: opts.authority ?? null })),
    'GET /admin/v1/licenses': () => json([activated ? { ...cam, state: 'active', stateReason: null, productSeats: 6, activatedAt: Date.now() } : cam] satisfies LicenseView[]),
    [`GET /admin/v1/licenses/${cam.licenseId}/activation-request`]: () => json({ licenseId: cam.licenseId, request: 'ABCDEF-GHJKLM' }),
    [`POST /admin/v1/licenses/${cam.licenseId}/activate-online`]: () => {
      if (opts.online) return opts.online();
      activated = true;
      return json({ ...cam, state: 'active', stateReason: null, productSeats: 6, activatedAt: Date.now() } satisfies LicenseView);
    },
  });
  return { f, activated: () => activated };
}

async function openActivate() {
  await userEvent.click(await screen.findByRole('button', { name: /^Activate the cam license/ }));
  return screen.getByRole('dialog', { name: 'Activate the cam license' });
}

describe('Activate online', () => {
  it('is offered first when the server has an activation authority, and says what it did', async () => {
    const { f, activated } = server({ authority: AUTHORITY });
    renderWithApi(<LicensesTab />, f);
    const dialog = await openActivate();
    const online = await within(dialog).findByRole('button', { name: 'Activate online' });
    expect(dialog).toHaveTextContent(`Your vendor's activation authority at ${AUTHORITY} activates it for this server at once.`);
    await waitFor(() => expect(online).toHaveFocus());
    expect(online).toHaveClass('button-primary');
    // The offline exchange stays, second.
    expect(await within(dialog).findByDisplayValue('ABCDEF-GHJKLM')).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Activate' })).not.toHaveClass('button-primary');
    expect(dialog).toHaveTextContent('Or activate offline, through your vendor');

    await userEvent.click(online);
    const done = await screen.findByRole('dialog', { name: 'The cam license is activated' });
    expect(activated()).toBe(true);
    expect(within(done).getByRole('status')).toHaveTextContent('Activated: adds 6 seats of cam. cam now has 6 seats, 0 in use.');
    expect(done).toHaveTextContent(`activation authority at ${AUTHORITY} activated it for this server: it counts here, and on no other server, until it is deactivated here.`);
    expect(within(done).getByRole('button', { name: 'Done' })).toHaveFocus();
    // The list behind is reloaded: cam counts, and can be moved.
    await waitFor(() => expect(screen.getByRole('button', { name: /^Deactivate the cam license/ })).toBeInTheDocument());
    await userEvent.click(within(done).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows the authority’s refusal in words and keeps the offline exchange', async () => {
    const { f, activated } = server({ authority: AUTHORITY, online: () => json({ code: 'activation_limit_reached', message: LIMIT }, 409) });
    renderWithApi(<LicensesTab />, f);
    const dialog = await openActivate();
    await userEvent.click(await within(dialog).findByRole('button', { name: 'Activate online' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(`Not activated. ${LIMIT[0].toUpperCase()}${LIMIT.slice(1)}.`);
    expect(alert).toHaveAttribute('data-error-code', 'activation_limit_reached');
    expect(alert.textContent).not.toMatch(/[{}]|activation_limit_reached/);
    expect(activated()).toBe(false);
    expect(within(dialog).getByRole('button', { name: 'Activate online' })).toBeEnabled();
    expect(within(dialog).getByLabelText('Activation response')).toBeEnabled();
  });

  it('shows why the authority could not be reached, and keeps the offline exchange', async () => {
    const message = "the activation authority at http://activation.vendor.example:7900/ did not answer (connection refused); check the address and this computer's connection to it, or use the offline exchange (`leasehold admin activation request`)";
    const { f } = server({ authority: AUTHORITY, online: () => json({ code: 'authority_unreachable', message }, 502) });
    renderWithApi(<LicensesTab />, f);
    const dialog = await openActivate();
    await userEvent.click(await within(dialog).findByRole('button', { name: 'Activate online' }));
    // The command the server quotes in backticks reads as code, with no backtick left.
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(`Not activated. T${message.slice(1).replace(/`/g, '')}.`);
    expect(within(alert).getByText('leasehold admin activation request').tagName).toBe('CODE');
    expect(await within(dialog).findByDisplayValue('ABCDEF-GHJKLM')).toBeInTheDocument();
  });

  it('without an authority, says in one line where to set one, and keeps the offline exchange', async () => {
    const { f } = server({ authority: null });
    const { ctx } = renderWithApi(<LicensesTab />, f);
    const dialog = await openActivate();
    const link = await within(dialog).findByRole('button', { name: 'Server tab' });
    expect(link.parentElement).toHaveTextContent("To activate online, set your vendor's activation authority on the Server tab.");
    expect(within(dialog).queryByRole('button', { name: 'Activate online' })).not.toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Activate' })).toHaveClass('button-primary');
    expect(within(dialog).getByLabelText('Activation response')).toHaveFocus();
    await userEvent.click(link);
    expect(ctx.showTab).toHaveBeenCalledWith('server', 'authority');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(f.mock.calls.some((c) => c[1]?.method === 'POST')).toBe(false);
  });
});

describe('The activation authority on the Server tab', () => {
  /** A server keeping an authority address; `refuse` answers a PUT with a bad address. */
  function statusServer(initial: string | null, refuse?: { code: string; message: string }) {
    let url = initial;
    const puts: unknown[] = [];
    const f = fakeFetch({
      'GET /admin/v1/status': () => json(status({ authorityUrl: url })),
      'PUT /admin/v1/authority': ({ body }) => {
        puts.push(body);
        const wanted = (body as { url: string | null }).url;
        if (wanted && refuse) return json(refuse, 400);
        url = wanted ? (wanted.endsWith('/') ? wanted : `${wanted}/`) : null;
        return json(status({ authorityUrl: url }) satisfies ServerStatus);
      },
    });
    return { f, puts };
  }

  it('shows none, sets an address, and forgets it', async () => {
    const { f, puts } = statusServer(null);
    const { ctx } = renderWithApi(<ServerTab />, f);
    const card = (await screen.findByRole('heading', { name: 'Activation authority' })).parentElement!;
    expect(within(card).getByText('None')).toBeInTheDocument();
    expect(within(card).queryByRole('button', { name: 'Forget' })).not.toBeInTheDocument();
    const save = within(card).getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();

    await userEvent.type(within(card).getByLabelText('Authority address'), 'http://activation.vendor.example:7900');
    await userEvent.click(save);
    await waitFor(() => expect(within(card).getByText(AUTHORITY)).toBeInTheDocument());
    expect(puts).toEqual([{ url: 'http://activation.vendor.example:7900' }]);
    expect(within(card).getByLabelText('Authority address')).toHaveValue(AUTHORITY);
    expect(ctx.notify).toHaveBeenCalledWith(`Licenses are now activated online through ${AUTHORITY}.`);

    await userEvent.click(within(card).getByRole('button', { name: 'Forget' }));
    await waitFor(() => expect(within(card).getByText('None')).toBeInTheDocument());
    expect(puts.at(-1)).toEqual({ url: null });
    expect(within(card).getByLabelText('Authority address')).toHaveValue('');
  });

  it('shows the server’s sentence for an address it refuses', async () => {
    const message = 'https is not supported by this build: give the activation authority’s http:// address';
    const { f } = statusServer(null, { code: 'invalid_field', message });
    renderWithApi(<ServerTab />, f);
    const card = (await screen.findByRole('heading', { name: 'Activation authority' })).parentElement!;
    const field = within(card).getByLabelText('Authority address');
    await userEvent.type(field, 'https://activation.vendor.example{Enter}');
    const alert = await within(card).findByRole('alert');
    expect(alert).toHaveTextContent(`Not saved. Https is not supported by this build: give the activation authority’s http:// address.`);
    expect(alert).toHaveAttribute('data-error-code', 'invalid_field');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    // What was typed stays, to correct.
    expect(field).toHaveValue('https://activation.vendor.example');
    expect(within(card).getByText('None')).toBeInTheDocument();
  });

  it('puts focus on the address when another tab sent the admin here', async () => {
    const { f } = statusServer(null);
    renderWithApi(<ServerTab spot="authority" />, f);
    await waitFor(() => expect(screen.getByLabelText('Authority address')).toHaveFocus());
  });
});
