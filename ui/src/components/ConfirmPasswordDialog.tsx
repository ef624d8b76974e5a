// Asking for the password again: a session may make accounts and tokens,
// change roles and set others' passwords only within 15 minutes of giving
// its password. A call the server refuses for that
// (`password_confirmation_required`) waits while this dialog asks
// (`Api.onConfirmPassword`), and is sent again once the server took the
// password; Cancel leaves the refusal to the action, which says it as usual.
import { useEffect, useId, useRef, useState } from 'react';
import { useApp, useSubmit } from '../hooks';
import { FormDialog } from './FormDialog';

/**
 * Asks `account`'s password and gives it to the server (`POST
 * /admin/v1/session/confirm`). `onDone(true)` once it took it; a wrong one
 * (or too many) keeps the dialog open with the server's sentence, a
 * session ended meanwhile is reported to the shell (`reportError`);
 * `onDone(false)` on Cancel or Esc.
 */
export function ConfirmPasswordDialog({ account, onDone }: { account: string; onDone: (confirmed: boolean) => void }) {
  const { api, reportError } = useApp();
  const ids = useId();
  const [password, setPassword] = useState('');
  const field = useRef<HTMLInputElement>(null);
  const s = useSubmit(async () => {
    if (!password) throw new Error('Enter your password.');
    try {
      await api.confirmPassword(password);
    } catch (e) {
      // The session itself ended meanwhile: back to the sign-in page, like any call.
      reportError(e);
      throw e;
    }
  }, () => onDone(true));
  // Refused: the password is selected, to be typed again at once.
  useEffect(() => { if (s.error !== undefined) field.current?.select(); }, [s.error]);

  return (
    <FormDialog title="Confirm your password" submit="Confirm" busyLabel="Confirming…" onSubmit={s.run} onClose={() => onDone(false)} busy={s.busy} error={s.error}>
      <p id={`${ids}-why`}>
        You gave your password more than 15 minutes ago. Making accounts and tokens, changing roles and setting other accounts’ passwords
        need it again, so a page left signed in cannot hand out access.
      </p>
      {/* For the browser's password manager: whose password this is. */}
      <input type="text" name="username" value={account} autoComplete="username" readOnly hidden />
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-password`}>Your password</label>
        <input
          id={`${ids}-password`}
          ref={field}
          type="password"
          value={password}
          onChange={(e) => { setPassword(e.target.value); s.setError(undefined); }}
          autoComplete="current-password"
          aria-describedby={`${ids}-why`}
          data-autofocus
        />
      </div>
    </FormDialog>
  );
}

/**
 * The shell's part: while mounted, a call refused for a password given too
 * long ago opens `ConfirmPasswordDialog` for the account signed in (one
 * dialog for every call refused meanwhile: the client shares the question).
 * Unmounted with the dialog open (signed out), the calls get their refusal.
 */
export function PasswordConfirmer() {
  const { api, me } = useApp();
  const [answer, setAnswer] = useState<(confirmed: boolean) => void>();
  const pending = useRef<(confirmed: boolean) => void>(undefined);

  useEffect(() => {
    api.onConfirmPassword = () => new Promise<boolean>((resolve) => {
      pending.current = resolve;
      setAnswer(() => resolve);
    });
    return () => {
      api.onConfirmPassword = undefined;
      pending.current?.(false);
      pending.current = undefined;
    };
  }, [api]);

  if (!answer) return null;
  const done = (confirmed: boolean) => {
    pending.current = undefined;
    setAnswer(undefined);
    answer(confirmed);
  };
  return <ConfirmPasswordDialog account={me?.account ?? ''} onDone={done} />;
}
