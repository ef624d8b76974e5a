// What the signed-in account's role lets it do, for the buttons that change
// something: each is disabled, with the reason in sight, below the role it
// needs, and disabled without a word until the role is known. The server
// decides (a `forbidden` answer is shown as its sentence); this only spares
// the admin a button that would be refused.
import type { Role } from './api';
import { useApp } from './hooks';

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export const ROLE_LABEL: Record<Role, string> = { viewer: 'Viewer', operator: 'Operator', admin: 'Admin' };

/** What each role may do, in a line (the Accounts tab's role picker). */
export const ROLE_HELP: Record<Role, string> = {
  viewer: 'sees everything, changes nothing but its own password and tokens',
  operator: 'also disconnects computers and takes clients out of the line',
  admin: 'also adds and removes codes, keys, accounts, the policy and the settings',
};

/** Why the signed-in account may not do what needs `role` ("Needs the admin role"); undefined when it may, or while who is signed in is not known yet. */
export function lacks(have: Role | undefined, role: Role): string | undefined {
  if (have === undefined || RANK[have] >= RANK[role]) return undefined;
  return `Needs the ${role} role`;
}

/** An action that needs a role, for the account signed in on this page. */
export interface Needs {
  /**
   * The action is closed: below the role it needs, and also while the role
   * is not known yet (after a reload, until the session has answered), so
   * nothing above the account's role is usable for a moment.
   */
  closed: boolean;
  /** Why, once the role is known ("Needs the admin role"); nothing while it is not, so no wrong reason flashes by. */
  why?: string;
}

/** Whether the account signed in on this page may take an action that needs `role`, and why not. */
export function useNeeds(role: Role): Needs {
  const have = useApp().me?.role;
  return { closed: have === undefined || RANK[have] < RANK[role], why: lacks(have, role) };
}
