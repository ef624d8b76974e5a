// The Deactivate action on the Licenses tab: offered for codes activated on
// this server only, says what happens, shows the proof (copy, save as file)
// and the server's refusal in words.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Deactivated, LicenseView } from '../api';
import { fakeFetch, json, license, renderWithApi } from '../test/fixtures';
import { LicensesTab } from './LicensesTab';

const PROOF = 'DEACT1-ABCDEF-GHJKLM-NPQRST';
const cam = license({ licenseId: 'c4a1e0aa-0000-4000-8000-000000000001', product: 'cam', seats: 6, productSeats: 6, productInUse: 2, customer: 'Northwind Shop', code: 'CODE-CAM', activationRequired: true, activatedAt: Date.now() - 86_400_000 });
const cad = license({ licenseId: 'c4a1e0aa-0000-4000-8000-000000000002', product: 'cad', seats: 10, customer: 'Northwind', code: 'CODE-CAD', activationRequired: false });
const sim = license({ licenseId: 'c4a1e0aa-0000-4000-8000-000000000003', product: 'sim', seats: 3, customer: 'Lab', code: 'CODE-SIM', state: 'needsActivation', stateReason: 'counts once its vendor activates it', activationRequired: true });
// Its data directory copied from another computer: activated, but not for this one (no activatedAt here).
const lathe = license({ licenseId: 'c4a1e0aa-0000-4000-8000-000000000004', product: 'lathe', seats: 2, customer: 'Lab', code: 'CODE-LATHE', state: 'activatedElsewhere', stateReason: 'activated for another computer', activationRequired: true });

/** A server where `cam` is activated here, `cad` needs no activation, `sim` waits for one and `lathe` was activated on another computer. */
function server(opts: { refuse?: { code: string; message: string; status: number }; authority?: Deactivated['authority'] } = {}) {
  let camActivated = true;
  const f = fakeFetch({
    'GET /admin/v1/licenses': () => json([
      camActivated ? cam : { ...cam, state: 'needsActivation', stateReason: 'counts once its vendor activates it', productSeats: 0, activatedAt: null },
      cad, sim, lathe,
    ] satisfies LicenseView[]),
    [`POST /admin/v1/licenses/${cam.licenseId}/deactivate`]: () => {
      if (opts.refuse) return json({ code: opts.refuse.code, message: opts.refuse.message }, opts.refuse.status);
      camActivated = false;
      return json({ licenseId: cam.licenseId, product: 'cam', seatsNow: 0, inUse: 2, proof: PROOF, authority: opts.authority } satisfies Deactivated);
    },
  });
  return { f, deactivated: () => !camActivated };
}

/** jsdom's Blob has no text(). */
const blobText = (b: Blob) => new Promise<string>((resolve) => { const r = new FileReader(); r.onload = () => resolve(String(r.result)); r.readAsText(b); });

const deactivateButton = (product: string) => screen.queryByRole('button', { name: new RegExp(`^Deactivate the ${product} license`) });

describe('Deactivate on the Licenses tab', () => {
  let saved: { name: string; blob: Blob }[];
  beforeEach(() => {
    saved = [];
    let lastBlob: Blob | undefined;
    // jsdom has no object URLs; keep what "Save as file" would download.
    Object.defineProperty(URL, 'createObjectURL', { configurable: true, value: (b: Blob) => { lastBlob = b; return 'blob:proof'; } });
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => {} });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (lastBlob) saved.push({ name: this.download, blob: lastBlob });
    });
  });
  afterEach(() => {
    delete (URL as { createObjectURL?: unknown }).createObjectURL;
    delete (URL as { revokeObjectURL?: unknown }).revokeObjectURL;
  });

  it('is offered only for a code activated on this server (it has activatedAt)', async () => {
    const { f } = server();
    renderWithApi(<LicensesTab />, f);
    await waitFor(() => expect(deactivateButton('cam')).toBeInTheDocument());
    // Active without an activation (issued with --activation none), one still waiting for its
    // activation, and one activated for another computer.
    expect(deactivateButton('cad')).not.toBeInTheDocument();
    expect(deactivateButton('sim')).not.toBeInTheDocument();
    expect(deactivateButton('lathe')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Activate the sim license/ })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^Activate the lathe license/ })).toBeInTheDocument();
    // The licences say it themselves: one request, nothing else asked.
    expect(f.mock.calls.map((c) => new URL(String(c[0])).pathname)).toEqual(['/admin/v1/licenses']);
  });

  it('says what happens, and Cancel changes nothing', async () => {
    const { f, deactivated } = server();
    renderWithApi(<LicensesTab />, f);
    await waitFor(() => expect(deactivateButton('cam')).toBeInTheDocument());
    await userEvent.click(deactivateButton('cam')!);
    const dialog = screen.getByRole('dialog', { name: 'Deactivate the cam license?' });
    expect(dialog).toHaveTextContent('The code for Northwind Shop stops counting on this server at once: its 6 seats of cam go away.');
    expect(dialog).toHaveTextContent('cam goes from 6 to 0 seats. 2 are in use now. 2 leases keep running until they end, but are not renewed');
    expect(dialog).toHaveTextContent("It must reach your vendor's activation authority (this server sends it there at once when one is set) or your vendor, who checks it with leasehold vendor deactivate: that frees the activation, so the license can be activated on another computer.");
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(deactivated()).toBe(false);
    expect(f.mock.calls.some((c) => c[1]?.method === 'POST')).toBe(false);
  });

  it('deactivates, shows the proof to copy or save, and the code needs activation again', async () => {
    const user = userEvent.setup();
    const { f, deactivated } = server();
    renderWithApi(<LicensesTab />, f);
    await waitFor(() => expect(deactivateButton('cam')).toBeInTheDocument());
    await user.click(deactivateButton('cam')!);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Deactivate license' }));

    const dialog = await screen.findByRole('dialog', { name: 'The cam license is deactivated here' });
    expect(deactivated()).toBe(true);
    expect(within(dialog).getAllByRole('status')[0]).toHaveTextContent('It no longer counts on this server: cam now has 0 seats, 2 in use. 2 leases run to their end and are not renewed.');
    expect(within(dialog).getByLabelText('Deactivation proof')).toHaveValue(PROOF);
    expect(dialog).toHaveTextContent('What to do next');
    expect(dialog).toHaveTextContent('They check it with leasehold vendor deactivate');
    const copy = within(dialog).getByRole('button', { name: 'Copy proof' });
    expect(copy).toHaveFocus();

    await user.click(copy);
    expect(await navigator.clipboard.readText()).toBe(PROOF);
    expect(within(dialog).getByRole('button', { name: 'Copied' })).toBeInTheDocument();

    await user.click(within(dialog).getByRole('button', { name: 'Save as file…' }));
    expect(saved).toHaveLength(1);
    expect(saved[0].name).toBe('deactivation-proof-cam-c4a1e0aa.txt');
    expect(await blobText(saved[0].blob)).toBe(`${PROOF}\n`);

    // The list behind is reloaded: cam waits for an activation again, and has no Deactivate any more.
    await waitFor(() => expect(screen.getByRole('button', { name: /^Activate the cam license/ })).toBeInTheDocument());
    expect(deactivateButton('cam')).not.toBeInTheDocument();

    // A click beside the dialog does not lose the proof; Done closes it.
    fireEvent.mouseDown(dialog.parentElement!);
    expect(screen.getByRole('dialog', { name: 'The cam license is deactivated here' })).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('says when the activation authority freed the activation, or why it did not take the proof', async () => {
    const deactivateWith = async (authority: Deactivated['authority']) => {
      const { f } = server({ authority });
      const view = renderWithApi(<LicensesTab />, f);
      await waitFor(() => expect(deactivateButton('cam')).toBeInTheDocument());
      await userEvent.click(deactivateButton('cam')!);
      await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Deactivate license' }));
      const dialog = await screen.findByRole('dialog', { name: 'The cam license is deactivated here' });
      return { dialog, view };
    };

    const freed = await deactivateWith({ url: 'http://authority.example:7900', freed: true });
    expect(within(freed.dialog).getAllByRole('status')[0]).toHaveTextContent('The activation authority at http://authority.example:7900 freed the activation: the license may be activated on another computer now.');
    expect(freed.dialog).not.toHaveTextContent('Send the proof to your vendor');
    expect(within(freed.dialog).getByLabelText('Deactivation proof')).toHaveValue(PROOF);
    freed.view.unmount();

    const refused = await deactivateWith({ url: 'http://authority.example:7900', freed: false, error: 'cannot reach http://authority.example:7900: connection refused' });
    expect(within(refused.dialog).getByRole('alert')).toHaveTextContent('The activation authority did not take the proof. http://authority.example:7900: Cannot reach http://authority.example:7900: connection refused. Send the proof to your vendor instead.');
    expect(within(refused.dialog).getAllByRole('status')[0]).not.toHaveTextContent('freed');
    expect(refused.dialog).toHaveTextContent('Send the proof to your vendor, by email or on a USB stick.');
  });

  it('shows the server’s refusal in words and keeps the dialog', async () => {
    const message = 'licence c4a1e0aa-0000-4000-8000-000000000001 is not activated on this server; there is nothing to deactivate';
    const { f } = server({ refuse: { code: 'not_activated_here', message, status: 409 } });
    renderWithApi(<LicensesTab />, f);
    await waitFor(() => expect(deactivateButton('cam')).toBeInTheDocument());
    await userEvent.click(deactivateButton('cam')!);
    const dialog = screen.getByRole('dialog', { name: 'Deactivate the cam license?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Deactivate license' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent(`Not deactivated. Licence c4a1e0aa-0000-4000-8000-000000000001 is not activated on this server; there is nothing to deactivate.`);
    expect(alert).toHaveAttribute('data-error-code', 'not_activated_here');
    expect(alert.textContent).not.toMatch(/[{}]|not_activated_here/);
    expect(within(dialog).getByRole('button', { name: 'Deactivate license' })).toBeEnabled();
    expect(screen.queryByLabelText('Deactivation proof')).not.toBeInTheDocument();
  });

  it('says when the server cannot be reached', async () => {
    const f = fakeFetch({
      'GET /admin/v1/licenses': () => json([cam]),
      [`POST /admin/v1/licenses/${cam.licenseId}/deactivate`]: () => 'network',
    });
    renderWithApi(<LicensesTab />, f);
    await waitFor(() => expect(deactivateButton('cam')).toBeInTheDocument());
    await userEvent.click(deactivateButton('cam')!);
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Deactivate license' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Not deactivated. Cannot reach the Leasehold server.');
  });
});
