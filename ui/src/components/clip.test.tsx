import { fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clip } from './Clip';

// jsdom lays nothing out: a text is "cut" when its box is narrower than it, as set here.
let cut = true;
const props = ['scrollWidth', 'clientWidth'] as const;
const saved = props.map((p) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, p));
beforeEach(() => {
  Object.defineProperty(HTMLElement.prototype, 'scrollWidth', { configurable: true, get: () => (cut ? 300 : 100) });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 100 });
});
afterEach(() => props.forEach((p, i) => {
  if (saved[i]) Object.defineProperty(HTMLElement.prototype, p, saved[i]!);
  else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[p];
}));

describe('Clip', () => {
  it('a cut text takes the keyboard and shows whole in a tooltip on focus and on hover; Esc hides it', () => {
    cut = true;
    render(<Clip text="ws-engineering-floor3-bay12-workstation-07" />);
    const el = screen.getByText('ws-engineering-floor3-bay12-workstation-07');
    expect(el).toHaveAttribute('tabindex', '0');
    fireEvent.focus(el);
    expect(document.querySelector('.tooltip')).toHaveTextContent('ws-engineering-floor3-bay12-workstation-07');
    fireEvent.keyDown(el, { key: 'Escape' });
    expect(document.querySelector('.tooltip')).toBeNull();
    fireEvent.mouseEnter(el);
    expect(document.querySelector('.tooltip')).not.toBeNull();
    fireEvent.mouseLeave(el);
    expect(document.querySelector('.tooltip')).toBeNull();
  });

  it('a text that fits is no Tab stop and has no tooltip', () => {
    cut = false;
    render(<Clip text="ws-ann" />);
    const el = screen.getByText('ws-ann');
    expect(el).not.toHaveAttribute('tabindex');
    fireEvent.focus(el);
    expect(document.querySelector('.tooltip')).toBeNull();
  });
});
