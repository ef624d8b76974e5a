// The visible reason beside actions the signed-in account's role may not
// take: "Needs the admin role to add or remove codes (you are a viewer)."
import type { Role } from '../api';
import { useApp } from '../hooks';
import { lacks } from '../roles';

/** Nothing when the account may; `id` lets the disabled buttons name it (aria-describedby). */
export function RoleNote({ need, to, id }: { need: Role; to: string; id?: string }) {
  const { me } = useApp();
  const reason = lacks(me?.role, need);
  if (!reason || !me) return null;
  return (
    <p className="role-note" id={id}>
      <LockIcon /> {reason} {to} (you are {me.role === 'admin' || me.role === 'operator' ? 'an' : 'a'} {me.role}).
    </p>
  );
}

/** A small padlock beside a reason an action is closed. */
export function LockIcon() {
  return (
    <svg className="lock-icon" width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
      <rect x="3" y="7" width="10" height="8" rx="1.5" fill="currentColor" />
      <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" stroke="currentColor" strokeWidth="1.6" fill="none" />
    </svg>
  );
}
