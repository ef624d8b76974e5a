import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CopyValue } from './Copy';

const clipboard = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard');
function withClipboard(value: unknown) {
  Object.defineProperty(Navigator.prototype, 'clipboard', { configurable: true, get: () => value });
}
afterEach(() => {
  if (clipboard) Object.defineProperty(Navigator.prototype, 'clipboard', clipboard);
  else delete (Navigator.prototype as { clipboard?: unknown }).clipboard;
});

describe('Copy', () => {
  it('says Copied in a live region', async () => {
    const writeText = vi.fn(async () => {});
    withClipboard({ writeText });
    render(<CopyValue value="10.0.4.17:7878" label="listen address" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy listen address' })));
    expect(writeText).toHaveBeenCalledWith('10.0.4.17:7878');
    expect(screen.getByRole('status')).toHaveTextContent('Copied');
  });

  it('without a clipboard (plain http from another computer), selects the text and says which keys to press', async () => {
    withClipboard(undefined);
    render(<CopyValue value="10.0.4.17:7878" label="listen address" />);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Copy listen address' })));
    const field = screen.getByRole('textbox', { name: 'listen address' }) as HTMLInputElement;
    expect(field).toHaveFocus();
    expect([field.selectionStart, field.selectionEnd]).toEqual([0, field.value.length]);
    expect(field).toHaveValue('10.0.4.17:7878');
    expect(screen.getByRole('status')).toHaveTextContent(/^Selected: press (Ctrl\+C|⌘C) to copy\.$/);
  });
});
