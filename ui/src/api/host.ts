// The desktop host (the Tauri app): the only place that calls its commands.
// The shapes are generated from src-tauri's types (host-openapi.json →
// `npm run gen:api` → host-schema.d.ts); in a browser none of this is reachable.
import { ApiError, sentence } from './errors';
import type { components } from './host-schema';

type S = components['schemas'];
export type PortConflict = S['PortConflict'];
/** An error the host names by `code` and explains in `message`. */
export type HostProblem = S['Problem'];
/** The service manager running the attached service; `none`: found by its data directory. */
export type ServiceManager = S['Control'];
/** The Leasehold service this window is the console of. */
export type ServiceAttachment = S['Attached'];
type ConnectionInfo = S['ConnectionInfo'];

/**
 * `window.__LEASEHOLD__` and the `connection` command's answer (src-tauri's
 * `ConnectionInfo`), read leniently: a field the host left out gets a default.
 */
export type HostInfo = Partial<ConnectionInfo>;

/** What the host says about its server: its own embedded one, or the service it is attached to. */
export type HostState = Pick<ConnectionInfo, 'running'>
  & Partial<Pick<ConnectionInfo, 'listen' | 'portConflict' | 'error' | 'attached' | 'canInstallService'>>;

export type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

function isProblem(v: unknown): v is HostProblem {
  return typeof v === 'object' && v !== null && typeof (v as HostProblem).code === 'string' && typeof (v as HostProblem).message === 'string';
}

/** A host command's refusal as an ApiError, in words. */
export function hostError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isProblem(e)) return new ApiError(e.code, sentence(e.message), 0);
  if (typeof e === 'string' && e.trim()) return new ApiError('host', sentence(e), 0);
  return new ApiError('host', 'The Leasehold app did not answer. Restart it and try again.', 0);
}

/** Calls a command of the desktop app. */
export const invokeHost: Invoke = async <T,>(cmd: string, args?: Record<string, unknown>): Promise<T> => {
  try {
    const { invoke } = await import('@tauri-apps/api/core');
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw hostError(e);
  }
};

export function hostState(h: HostInfo): HostState {
  return {
    running: h.running ?? true,
    listen: h.listen,
    portConflict: h.portConflict,
    error: h.error,
    attached: h.attached,
    canInstallService: h.canInstallService || undefined,
  };
}

/** Calls `fn` when the app reports a new connection (stopped, started, moved). */
export function onHostChange(fn: (h: HostInfo) => void): () => void {
  const listener = (e: Event) => {
    const detail = (e as CustomEvent<HostInfo>).detail;
    if (detail) fn(detail);
  };
  window.addEventListener('leasehold:connection', listener);
  return () => window.removeEventListener('leasehold:connection', listener);
}
