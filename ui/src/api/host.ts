// The desktop host (the Tauri app): the only place that calls its commands.
// Shapes mirror src-tauri's `ConnectionInfo` (connection.rs) and the License
// Mode adapter (client_settings.rs); in a browser none of this is reachable.
import { ApiError, sentence } from './errors';

export interface PortConflict { wanted: number; got: number }
/** An error the host names by `code` and explains in `message`. */
export interface HostProblem { code: string; message: string }

/** What the host says about its embedded server. */
export interface HostState {
  running: boolean;
  /** `host:port` the server listens on (what a firewall must allow). */
  listen?: string;
  portConflict?: PortConflict;
  /** Why the server is not running, when it failed to start. */
  error?: HostProblem;
}

/** `window.__LEASEHOLD__` and the `connection` command's answer. */
export interface HostInfo extends Omit<HostState, 'running'> {
  running?: boolean;
  baseUrl?: string;
  token?: string;
  desktop?: boolean;
  serverControl?: boolean;
  canStartStop?: boolean;
}

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
  return { running: h.running ?? true, listen: h.listen, portConflict: h.portConflict ?? undefined, error: h.error ?? undefined };
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
