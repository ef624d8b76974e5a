// The one module that talks to the Leasehold server (and to the desktop host).
export { Api, signIn } from './client';
export type { ComputersQuery, EventQuery, HistoryQuery, LedgerQuery } from './client';
export { ApiError, describeError, sentence } from './errors';
export { detectConnection, rememberToken, adminUrlFor, fromHost } from './connection';
export { onHostChange, hostError, hostState } from './host';
export type { HostState, HostInfo, HostProblem, PortConflict, Invoke, ServiceAttachment, ServiceManager } from './host';
export type { Connection } from './connection';
export { followEvents, SseParser } from './live';
export type { LiveState } from './live';
export * from './clientSettings';
export type * from './types';
