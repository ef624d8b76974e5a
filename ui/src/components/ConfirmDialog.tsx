import type { ReactNode } from 'react';
import { useSubmit } from '../hooks';
import { Dialog } from './Dialog';
import { ErrorText } from './States';

/** Asks before doing something that cannot be undone, and shows why it failed. */
export function ConfirmDialog(props: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const { busy, error, run: go } = useSubmit(props.onConfirm, props.onClose);
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      busy={busy}
      footer={
        <>
          <button type="button" className="button" onClick={props.onClose} disabled={busy} data-autofocus>Cancel</button>
          <button type="button" className={`button ${props.danger ? 'button-danger' : 'button-primary'}`} onClick={go} disabled={busy}>
            {busy ? 'Working…' : props.confirmLabel}
          </button>
        </>
      }
    >
      {props.children}
      <ErrorText error={error} />
    </Dialog>
  );
}
