// The admin's text of policy.toml while it is being edited. It outlives the
// tab (sessionStorage: switching tabs or reloading the page keeps it) and is
// never replaced by what the server reads unless the admin asks.
import { useCallback, useEffect, useState } from 'react';

interface Draft {
  /** The server's text the draft started from. */
  base: string;
  draft: string;
}

function read(key: string): Draft | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Partial<Draft> | null;
    return typeof v?.base === 'string' && typeof v.draft === 'string' ? { base: v.base, draft: v.draft } : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, d: Draft | undefined) {
  try {
    if (d && d.draft !== d.base) sessionStorage.setItem(key, JSON.stringify(d));
    else sessionStorage.removeItem(key);
  } catch {
    // No storage (a locked-down webview): the draft lives as long as the tab.
  }
}

export interface PolicyDraft {
  /** What the editor shows: the admin's text, else the server's. */
  text: string;
  /** The admin changed the text and has not saved it. */
  dirty: boolean;
  /** While dirty, the server's text changed (saved elsewhere, or the file edited). */
  changedOnServer: boolean;
  edit: (text: string) => void;
  /** The server now has the admin's text (the caller shows the status its save answered). */
  saved: () => void;
  /** Drops the admin's text for the server's. */
  discard: () => void;
}

/** `serverText`: policy.toml as the server last read it (undefined while loading). */
export function usePolicyDraft(storageKey: string, serverText: string | undefined): PolicyDraft {
  // Only while the admin has changes: otherwise the editor follows the server.
  const [stored, setStored] = useState<Draft | undefined>(() => read(storageKey));
  // Edited into what the server now has (saved elsewhere too): nothing unsaved.
  const edited = stored && stored.draft !== stored.base && stored.draft !== serverText ? stored : undefined;

  useEffect(() => write(storageKey, edited), [storageKey, edited]);

  const dirty = edited !== undefined;
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const edit = useCallback((text: string) => {
    setStored((s) => {
      const base = s && s.draft !== s.base ? s.base : (serverText ?? '');
      return text === base ? undefined : { base, draft: text };
    });
  }, [serverText]);
  const drop = useCallback(() => setStored(undefined), []);

  return {
    text: edited?.draft ?? serverText ?? '',
    dirty,
    changedOnServer: edited !== undefined && serverText !== undefined && serverText !== edited.base,
    edit,
    // The server's text (which the caller shows at once) is now the admin's.
    saved: drop,
    discard: drop,
  };
}
