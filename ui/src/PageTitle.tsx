// The window's title names the tab and the server ("Computers — Leasehold on
// licenses-hq"), so a window among many, a bookmark and the history say which.
import { useEffect } from 'react';
import { useApp, useResource } from './hooks';

export function PageTitle({ tab }: { tab: string }) {
  const { api } = useApp();
  // The server's name hardly changes: the status kept by the other tabs, asked again each minute.
  const res = useResource(api.status, { key: 'status', intervalMs: 60_000 });
  const name = res.data?.serverName;
  useEffect(() => {
    document.title = `${tab ? `${tab} — ` : ''}Leasehold${name ? ` on ${name}` : ''}`;
  }, [tab, name]);
  return null;
}
