// The desktop host (the Tauri app): the only place that calls its commands.
// Shapes mirror src-tauri's `ConnectionInfo` (connection.rs) and the License
// Mode adapter (client_settings.rs); in a browser none of this is reachable.
import { ApiError, sentence } from './errors';

export interface PortConflict { wanted: number; got: number }
/** An error the host names by `code` and explains in `message`. */
export interface HostProblem { code: string; message: string }

/** The service manager running the attached service; `none`: found by its data directory. */
export type ServiceManager = 'systemd' | 'launchd' | 'windows' | 'none';

/** The Leasehold service this window is the console of (src-tauri's `Attached`). */
export interface ServiceAttachment {
  dataDir: string;
  version?: string | null;
  manager: ServiceManager;
}

/** What the host says about its server: its own embedded one, or the service it is attached to. */
export interface HostState {
  running: boolean;
  /** `host:port` the server listens on (what a firewall must allow). */
  listen?: string;
  portConflict?: PortConflict;
  /**
   * Why the server is not running, when it failed to start; when attached,
   * a problem with the service (`service_token_unreadable`, a failed Stop, …).
   */
  error?: HostProblem;
  /** Set when the window is the console of the Leasehold service on this computer. */
  attached?: ServiceAttachment;
  /** Not attached, and this computer can have the service: `service_install` is offered. */
  canInstallService?: boolean;
}

/** `window.__LEASEHOLD__` and the `connection` command's answer. */
export interface HostInfo extends Omit<HostState, 'running' | 'attached' | 'error'> {
  running?: boolean;
  attached?: ServiceAttachment | null;
  error?: HostProblem | null;
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
  return {
    running: h.running ?? true,
    listen: h.listen,
    portConflict: h.portConflict ?? undefined,
    error: h.error ?? undefined,
    attached: h.attached ?? undefined,
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
