// A dialog holding a form: its footer's button submits it (Enter in a field
// too), and the server's refusal is shown under the fields in its words.
import { useId, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api';
import { Dialog } from './Dialog';
import { ErrorProse } from './Prose';

export function FormDialog({ title, submit, busyLabel, busy, error, onClose, onSubmit, children }: {
  title: string;
  submit: string;
  busyLabel: string;
  busy: boolean;
  error: unknown;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  const form = useId();
  return (
    <Dialog
      title={title}
      onClose={onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>Cancel</button>
          <button type="submit" form={form} className="button button-primary" disabled={busy}>{busy ? busyLabel : submit}</button>
        </>
      }
    >
      <form id={form} noValidate onSubmit={(e: FormEvent) => { e.preventDefault(); if (!busy) onSubmit(); }}>
        {children}
        {/* Enter in any field submits (the footer's button is outside the form's box, which not every browser takes for it). */}
        <button type="submit" hidden />
      </form>
      {error !== undefined && (
        <div className="notice notice-error" role="alert" data-error-code={error instanceof ApiError ? error.code : undefined}>
          <ErrorProse error={error} />
        </div>
      )}
    </Dialog>
  );
}
