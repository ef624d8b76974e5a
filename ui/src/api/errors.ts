// ApiError: what went wrong talking to the server, as a stable `code` plus a
// sentence a person can act on. Never raw JSON, never "undefined".
import type { ErrorBody, ErrorCode } from './types';

/** Codes made on this side of the wire (the server's codes pass through). */
export type LocalCode = 'network' | 'unauthorized' | 'bad_response' | 'timeout' | 'unavailable';

export class ApiError extends Error {
  readonly code: string;
  /** HTTP status, or 0 when no answer arrived. */
  readonly status: number;
  /** The server's error body, when it sent one. */
  readonly body?: ErrorBody;

  constructor(code: string, message: string, status: number, body?: ErrorBody) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.body = body;
  }

  get isOffline(): boolean {
    return this.code === 'network' || this.code === 'timeout';
  }

  get isUnauthorized(): boolean {
    return this.code === 'unauthorized';
  }
}

/** Sentences for codes whose server message may be missing or too terse
 * (the server's codes are the generated ErrorCode union, so a typo fails to compile). */
const FALLBACK: Record<LocalCode | 'not_found', string> & Partial<Record<ErrorCode, string>> = {
  network: 'Cannot reach the Leasehold server. Check that it is running and that this computer can reach it.',
  timeout: 'The Leasehold server did not answer in time. It may be busy or unreachable.',
  unauthorized: 'The admin token was not accepted. Sign in again with the token the server printed.',
  bad_response: 'The server sent an answer this page could not read. The server and this page may be different versions.',
  unavailable: 'This is available in the Leasehold desktop app only.',
  not_found: 'That item no longer exists on the server. It may have been removed a moment ago.',
  no_seat_free: 'No seat is free right now.',
};

function statusSentence(status: number): string {
  if (status >= 500) return `The server ran into a problem (HTTP ${status}). Its log may say more.`;
  if (status === 404) return FALLBACK.not_found;
  if (status === 403) return 'The server refused this request: admin calls may be allowed only from the server computer itself.';
  return `The server refused the request (HTTP ${status}).`;
}

/** A readable first letter and a full stop, so server sentences sit well in the UI. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

function isErrorBody(v: unknown): v is ErrorBody {
  return (
    typeof v === 'object' && v !== null &&
    typeof (v as { code?: unknown }).code === 'string' &&
    typeof (v as { message?: unknown }).message === 'string'
  );
}

/** Turns an HTTP answer that is not 2xx into an ApiError. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let parsed: unknown;
  try {
    parsed = await res.json();
  } catch {
    parsed = undefined;
  }
  // A 401 is the token refused (the session ended), unless the server says it is
  // something else: a wrong password given on purpose (`sign_in_failed`) ends nothing.
  if (res.status === 401 && !(isErrorBody(parsed) && parsed.code !== 'unauthorized')) {
    return new ApiError('unauthorized', FALLBACK.unauthorized, 401);
  }
  if (isErrorBody(parsed)) {
    const msg = parsed.message.trim() ? sentence(parsed.message) : (FALLBACK[parsed.code] ?? statusSentence(res.status));
    return new ApiError(parsed.code, msg, res.status, parsed);
  }
  return new ApiError(`http_${res.status}`, statusSentence(res.status), res.status);
}

/** Turns anything thrown by fetch (or our own code) into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof DOMException && e.name === 'TimeoutError') return new ApiError('timeout', FALLBACK.timeout, 0);
  if (e instanceof TypeError) return new ApiError('network', FALLBACK.network, 0);
  return new ApiError('network', FALLBACK.network, 0);
}

export function localError(code: LocalCode): ApiError {
  return new ApiError(code, FALLBACK[code], 0);
}

/** What to show for any error, whatever it is. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return sentence(e.message);
  return 'Something went wrong. Try again.';
}
