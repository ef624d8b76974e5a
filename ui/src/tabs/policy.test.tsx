// The Policy tab: the policy in force and its order of precedence, the
// editor (a refused save names its line and keeps the text), the dry run.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Event, PolicyCheck, PolicyStatus } from '../api';
import { event, fakeFetch, json, license, noPolicy, POLICY_FILE, POLICY_TEXT, policyStatus, PRECEDENCE, renderWithApi } from '../test/fixtures';
import { PolicyTab } from './PolicyTab';
import { checkMessage, decidingStep, errorLine, errorReason, EXAMPLE_POLICY, splitRule } from './policyText';

const editor = () => screen.getByLabelText('Text of policy.toml') as HTMLTextAreaElement;
const rowTexts = (table: HTMLElement) => within(table).getAllByRole('row').slice(1).map((r) => r.textContent);

beforeEach(() => sessionStorage.clear());

describe('policy words', () => {
  it('finds the line a policy error names', () => {
    expect(errorLine(`${POLICY_FILE}:3: unknown key \`exlcude\``)).toBe(3);
    expect(errorLine('C:\\data\\policy.toml:12: invalid type')).toBe(12);
    expect(errorLine('the policy is too long')).toBeUndefined();
    expect(errorReason(`${POLICY_FILE}:3: unknown key \`exlcude\``)).toBe('unknown key `exlcude`');
  });

  it('splits a rule from its file and line, and the message from the rule', () => {
    expect(splitRule(`reserve 3 for group:cad-core (${POLICY_FILE}:9)`)).toEqual({ text: 'reserve 3 for group:cad-core', line: 9 });
    expect(splitRule('include [group:a, user:b] (/srv/x (old)/policy.toml:6)')).toEqual({ text: 'include [group:a, user:b]', line: 6 });
    const rule = `exclude user:mallory (${POLICY_FILE}:5)`;
    const c: PolicyCheck = { granted: false, code: 'excluded_by_policy', rule, message: `user mallory may not use cad: the policy excludes user mallory [${rule}]`, seats: 5, inUse: 0 };
    expect(checkMessage(c)).toBe('user mallory may not use cad: the policy excludes user mallory');
    expect(decidingStep(c, PRECEDENCE)?.step).toBe(1);
    expect(decidingStep({ ...c, rule: `include [user:carol] (${POLICY_FILE}:4)` }, PRECEDENCE)?.step).toBe(2);
    expect(decidingStep({ granted: false, code: 'no_seat_free', message: 'all 5 seats are in use', seats: 5, inUse: 5 }, PRECEDENCE)?.step).toBe(5);
  });
});

describe('Policy tab', () => {
  it('shows the groups, each rule with its line and step, and the order of precedence with its codes', async () => {
    renderWithApi(<PolicyTab />, fakeFetch({ 'GET /admin/v1/policy': () => json(policyStatus()), 'GET /admin/v1/licenses': () => json([license()]) }));
    expect(screen.getByRole('status')).toHaveTextContent('Loading the seat policy');
    const groups = await screen.findByRole('table', { name: 'Groups' });
    expect(rowTexts(groups)).toEqual(['cad-corealice, bob—2']);
    const cad = screen.getByRole('table', { name: /^cad/ });
    expect(rowTexts(cad)).toEqual(['1excludeuser mallorynever5', '4reservegroup cad-core3 seats kept for them6']);
    const order = screen.getByRole('table', { name: 'Order of precedence' });
    expect(rowTexts(order)).toEqual([
      expect.stringMatching(/^1exclude.*excluded_by_policy$/),
      expect.stringMatching(/^2include.*excluded_by_policy$/),
      expect.stringMatching(/^3max.*user_limit_reached$/),
      expect.stringMatching(/^4reserve.*seats_reserved$/),
      expect.stringMatching(/^5licence.*the licence’s own$/),
    ]);
    expect(editor()).toHaveValue(POLICY_TEXT);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/undefined|\[object|\{"/);
  });

  it('puts the cursor on a rule’s line when its line is clicked', async () => {
    renderWithApi(<PolicyTab />, fakeFetch({ 'GET /admin/v1/policy': () => json(policyStatus()), 'GET /admin/v1/licenses': () => json([]) }));
    await userEvent.click(await screen.findByRole('button', { name: 'Show line 6 (reserve group:cad-core) in the editor' }));
    const ta = editor();
    expect(ta).toHaveFocus();
    expect(ta.selectionStart).toBe(POLICY_TEXT.split('\n').slice(0, 5).join('\n').length + 1);
  });

  it('warns when policy.toml is not in force, and still shows the policy before', async () => {
    const bad = '[products.cad]\nexclude = ["user:x"]\nmax = 3\n';
    const error = `${POLICY_FILE}:3: invalid type: integer \`3\`, expected a list`;
    renderWithApi(<PolicyTab />, fakeFetch({ 'GET /admin/v1/policy': () => json(policyStatus({ text: bad, error })), 'GET /admin/v1/licenses': () => json([]) }));
    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent(`policy.toml is not in force: ${POLICY_FILE}:3: invalid type: integer 3, expected a list; the policy before stays in force until it is fixed.`);
    expect(screen.getByRole('heading', { name: 'In force (the policy before)' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: /^cad/ })).toHaveTextContent('user mallory');
    // The editor holds the file as it is, its bad line marked.
    expect(editor()).toHaveValue(bad);
    expect(editor()).toHaveAttribute('aria-invalid', 'true');
    expect(document.querySelector('.code-gutter-error')).toHaveTextContent('3');
    await userEvent.click(within(banner).getByRole('button', { name: 'Show line 3' }));
    expect(editor().selectionStart).toBe(bad.indexOf('max'));
  });

  it('a refused save shows the line and the reason next to the editor, marks the line and keeps the text', async () => {
    const puts: unknown[] = [];
    renderWithApi(<PolicyTab />, fakeFetch({
      'GET /admin/v1/policy': () => json(policyStatus()),
      'GET /admin/v1/licenses': () => json([]),
      'PUT /admin/v1/policy': ({ body }) => { puts.push(body); return json({ code: 'invalid_policy', message: `${POLICY_FILE}:6: unknown key \`reserv\`, expected one of \`include\`, \`exclude\`` }, 422); },
    }));
    await screen.findByRole('table', { name: 'Order of precedence' });
    const typo = POLICY_TEXT.replace('reserve =', 'reserv =');
    fireEvent.change(editor(), { target: { value: typo } });
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Not saved. Line 6: unknown key reserv, expected one of include, exclude. Show line 6');
    expect(alert).toHaveTextContent('Your text is kept; the policy in force has not changed.');
    expect(alert).toHaveAttribute('data-error-code', 'invalid_policy');
    expect(puts).toEqual([{ text: typo }]);
    const ta = editor();
    expect(ta).toHaveValue(typo);
    expect(ta).toHaveAttribute('aria-invalid', 'true');
    expect(ta).toHaveAccessibleDescription(expect.stringContaining('Line 6: unknown key reserv'));
    expect(ta).toHaveFocus();
    expect(ta.selectionStart).toBe(typo.indexOf('reserv ='));
    expect(document.querySelector('.code-gutter-error')).toHaveTextContent('6');
    // The policy in force is still the one shown.
    expect(screen.getByRole('table', { name: /^cad/ })).toHaveTextContent('3 seats kept for them');
    // Fixing it takes the mark away (the line may have moved); the message stays until the next save.
    fireEvent.change(ta, { target: { value: POLICY_TEXT.replace('reserve =', 'reserve  =') } });
    expect(ta).not.toHaveAttribute('aria-invalid');
    expect(screen.getByRole('alert')).toHaveTextContent('Not saved.');
  });

  it('saves with Ctrl+S and shows what the server put in force', async () => {
    const next = policyStatus({ text: `${POLICY_TEXT}\n[products.sim]\nexclude = ["user:eve"]\n` });
    next.policy.products.push({ product: 'sim', line: 8, keepUnborrowed: 0, rules: [{ kind: 'exclude', subject: 'user:eve', line: 9, text: `exclude user:eve (${POLICY_FILE}:9)` }] });
    let current: PolicyStatus = policyStatus();
    const f = fakeFetch({
      'GET /admin/v1/policy': () => json(current),
      'GET /admin/v1/licenses': () => json([]),
      'PUT /admin/v1/policy': () => { current = next; return json(next); },
    });
    const { ctx } = renderWithApi(<PolicyTab />, f);
    await screen.findByRole('table', { name: 'Order of precedence' });
    fireEvent.change(editor(), { target: { value: next.text } });
    fireEvent.keyDown(editor(), { key: 's', ctrlKey: true });
    expect(await screen.findByRole('table', { name: /^sim/ })).toHaveTextContent('user eve');
    expect(ctx.notify).toHaveBeenCalledWith('Seat policy saved. It is in force now.');
    expect(screen.queryByText('Unsaved changes')).not.toBeInTheDocument();
    expect(editor()).toHaveValue(next.text);
  });

  it('asks before saving empty text over a policy in force', async () => {
    const f = fakeFetch({ 'GET /admin/v1/policy': () => json(policyStatus()), 'GET /admin/v1/licenses': () => json([]), 'PUT /admin/v1/policy': () => json(noPolicy()) });
    renderWithApi(<PolicyTab />, f);
    await screen.findByRole('table', { name: 'Order of precedence' });
    fireEvent.change(editor(), { target: { value: '' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove the seat policy?' });
    expect(f.mock.calls.some((c) => c[1]?.method === 'PUT')).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save empty policy' }));
    await waitFor(() => expect(f.mock.calls.some((c) => c[1]?.method === 'PUT')).toBe(true));
    expect(await screen.findByText('No policy: the licences alone decide who gets a seat.')).toBeInTheDocument();
  });

  it('keeps unsaved text when the tab is left, and when the file changes on the server', async () => {
    let current = policyStatus();
    const f = fakeFetch({ 'GET /admin/v1/policy': () => json(current), 'GET /admin/v1/licenses': () => json([]) });
    const first = renderWithApi(<PolicyTab />, f);
    await screen.findByRole('table', { name: 'Order of precedence' });
    const mine = `${POLICY_TEXT}# mine\n`;
    fireEvent.change(editor(), { target: { value: mine } });
    first.unmount();

    current = policyStatus({ text: `${POLICY_TEXT}# edited in the file\n` });
    renderWithApi(<PolicyTab />, f);
    await screen.findByRole('table', { name: 'Order of precedence' });
    expect(editor()).toHaveValue(mine);
    expect(screen.getByText(/policy.toml changed on the server while you were editing/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Use the server’s text…' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Discard changes' }));
    expect(editor()).toHaveValue(current.text);
    expect(screen.queryByText('Unsaved changes')).not.toBeInTheDocument();
  });

  it('offers the example policy when there is none, and puts it in the editor unsaved', async () => {
    renderWithApi(<PolicyTab />, fakeFetch({ 'GET /admin/v1/policy': () => json(noPolicy()), 'GET /admin/v1/licenses': () => json([]) }));
    expect(await screen.findByText('No policy: the licences alone decide who gets a seat.')).toBeInTheDocument();
    expect(screen.getByRole('figure', { name: 'Example policy' })).toHaveTextContent('reserve = [{ seats = 3, for = "group:cad-core" }]');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Put the example in the editor' }));
    expect(editor()).toHaveValue(EXAMPLE_POLICY);
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
    // Edited, the example asks before replacing the admin's text.
    fireEvent.change(editor(), { target: { value: '# mine' } });
    await userEvent.click(screen.getByRole('button', { name: 'Put the example in the editor' }));
    expect(screen.getByRole('dialog', { name: 'Replace your text with the example?' })).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    expect(editor()).toHaveValue('# mine');
  });

  it('says the file can be edited in the data directory and is read again within seconds', async () => {
    renderWithApi(<PolicyTab />, fakeFetch({ 'GET /admin/v1/policy': () => json(policyStatus()), 'GET /admin/v1/licenses': () => json([]) }));
    await screen.findByRole('table', { name: 'Order of precedence' });
    expect(editor()).toHaveAccessibleDescription(/Empty text means no policy\. You can also edit the file directly in the server’s data directory \(\s*\/var\/lib\/leasehold\/policy\.toml\s*\): the server reads it again within seconds\./);
  });

  it('follows a policy_changed event', async () => {
    let current = noPolicy();
    const listeners = new Set<(e: Event[]) => void>();
    renderWithApi(<PolicyTab />, fakeFetch({ 'GET /admin/v1/policy': () => json(current), 'GET /admin/v1/licenses': () => json([]) }), {
      subscribe: (fn) => { listeners.add(fn); return () => { listeners.delete(fn); }; },
    });
    await screen.findByText('No policy: the licences alone decide who gets a seat.');
    current = policyStatus();
    act(() => listeners.forEach((fn) => fn([event(9, { kind: 'policy_changed', message: 'seat policy changed' })])));
    expect(await screen.findByRole('table', { name: /^cad/ })).toBeInTheDocument();
    expect(editor()).toHaveValue(POLICY_TEXT);
  });
});

describe('the dry run', () => {
  const refusal: PolicyCheck = {
    granted: false, code: 'seats_reserved', rule: `reserve 3 for group:cad-core (${POLICY_FILE}:6)`,
    message: `3 of 3 free seats are reserved for group cad-core (none in use) [reserve 3 for group:cad-core (${POLICY_FILE}:6)]`, seats: 5, inUse: 2,
  };

  it('asks about a licensed product, and shows the refusal’s code, step, rule with its line, and seats', async () => {
    const asked: unknown[] = [];
    renderWithApi(<PolicyTab />, fakeFetch({
      'GET /admin/v1/policy': () => json(policyStatus()),
      'GET /admin/v1/licenses': () => json([license(), license({ licenseId: 'b', product: 'sim' }), license({ licenseId: 'c' })]),
      'POST /admin/v1/policy/check': ({ body }) => { asked.push(body); return json(refusal); },
    }));
    await screen.findByRole('table', { name: 'Order of precedence' });
    const product = screen.getByLabelText('Product');
    await waitFor(() => expect(within(product).getAllByRole('option').map((o) => o.textContent)).toEqual(['cad', 'sim', 'Another product…']));
    await userEvent.type(screen.getByRole('textbox', { name: 'User' }), 'dave');
    await userEvent.type(screen.getByRole('textbox', { name: 'Computer' }), 'ws-9{Enter}');
    expect(await screen.findByText('Would be refused')).toBeInTheDocument();
    expect(asked).toEqual([{ product: 'cad', user: 'dave', host: 'ws-9' }]);
    const verdict = screen.getByText('Would be refused').closest('.verdict') as HTMLElement;
    expect(verdict).toHaveTextContent('user dave on ws-9, cad');
    expect(verdict).toHaveTextContent('3 of 3 free seats are reserved for group cad-core (none in use).');
    expect(verdict).not.toHaveTextContent('[reserve');
    expect(verdict).toHaveTextContent('Decided bystep 4 of the order of precedence (reserve)');
    expect(verdict).toHaveTextContent('Refused withseats_reserved');
    expect(verdict).toHaveTextContent('Rulereserve 3 for group:cad-core, line 6');
    expect(verdict).toHaveTextContent('Seats2 of 5 seats in use');
    // The deciding step is marked in the order of precedence.
    const order = screen.getByRole('table', { name: 'Order of precedence' });
    expect(within(order).getAllByRole('row')[4]).toHaveAttribute('aria-current', 'step');
    // Its line, shown in the editor.
    await userEvent.click(within(verdict).getByRole('button', { name: /Show line 6/ }));
    expect(editor().selectionStart).toBe(POLICY_TEXT.indexOf('reserve ='));
  });

  it('takes a product by name, and shows a grant and the rule it draws on', async () => {
    const asked: unknown[] = [];
    renderWithApi(<PolicyTab />, fakeFetch({
      'GET /admin/v1/policy': () => json(noPolicy()),
      'GET /admin/v1/licenses': () => json([]),
      'POST /admin/v1/policy/check': ({ body }) => { asked.push(body); return json({ granted: true, message: 'a seat would be granted now', seats: 1, inUse: 0 }); },
    }));
    await screen.findByText('No policy: the licences alone decide who gets a seat.');
    expect(screen.getByRole('button', { name: 'Check' })).toBeDisabled();
    await userEvent.type(screen.getByLabelText('Product name'), 'viewer');
    await userEvent.click(screen.getByRole('button', { name: 'Check' }));
    expect(await screen.findByText('Would be granted')).toBeInTheDocument();
    expect(asked).toEqual([{ product: 'viewer', user: '', host: '' }]);
    expect(screen.getByText('A seat would be granted now.')).toBeInTheDocument();
    expect(screen.getByText('0 of 1 seat in use')).toBeInTheDocument();
    const verdict = screen.getByText('Would be granted').closest('.verdict') as HTMLElement;
    expect(within(verdict).queryByText('Refused with')).not.toBeInTheDocument();
    expect(within(verdict).queryByText('Decided by')).not.toBeInTheDocument();
  });

  it('says in words when the server cannot be asked', async () => {
    renderWithApi(<PolicyTab />, fakeFetch({
      'GET /admin/v1/policy': () => json(policyStatus()),
      'GET /admin/v1/licenses': () => json([license()]),
      'POST /admin/v1/policy/check': () => 'network',
    }));
    await screen.findByRole('table', { name: 'Order of precedence' });
    await waitFor(() => expect(screen.getByLabelText('Product')).toHaveValue('cad'));
    await userEvent.click(screen.getByRole('button', { name: 'Check' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the Leasehold server.');
  });
});
