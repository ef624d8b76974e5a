// Live events: the server-sent event stream, read with fetch so the admin
// token travels in a header; on any break it reconnects with backoff and
// catches up through GET /admin/v1/events?afterSeq=, so nothing is missed.
import type { Api } from './client';
import { ApiError, toApiError } from './errors';
import type { Event } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'polling';

export interface LiveHandlers {
  onEvents: (events: Event[]) => void;
  onState?: (state: LiveState, error?: ApiError) => void;
}

/** Splits an SSE byte stream into `data:` payloads. Exported for tests. */
export class SseParser {
  private buf = '';
  private data: string[] = [];

  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      if (line === '') {
        if (this.data.length) out.push(this.data.join('\n'));
        this.data = [];
      } else if (line.startsWith('data:')) {
        this.data.push(line.slice(5).replace(/^ /, ''));
      }
      // `event:`, `id:`, `retry:` and `:` comments (keep-alives) are ignored.
    }
    return out;
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

/**
 * Follows the event log from `afterSeq` until `signal` aborts. Returns at
 * once; reports events in order, each seq once.
 */
export function followEvents(api: Api, afterSeq: number, h: LiveHandlers, signal: AbortSignal): void {
  let last = afterSeq;
  const deliver = (events: Event[]) => {
    const fresh = events.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
    if (!fresh.length) return;
    last = fresh[fresh.length - 1].seq;
    h.onEvents(fresh);
  };

  const catchUp = async () => {
    for (;;) {
      const page = await api.events({ afterSeq: last, limit: 1000 });
      deliver(page.events);
      if (page.events.length < 1000) return;
    }
  };

  void (async () => {
    let failures = 0;
    h.onState?.('connecting');
    while (!signal.aborted) {
      try {
        await catchUp();
        const stream = await api.openEventStream(signal);
        failures = 0;
        h.onState?.('live');
        const reader = stream.getReader();
        const decoder = new TextDecoder();
        const parser = new SseParser();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const events: Event[] = [];
          for (const data of parser.push(decoder.decode(value, { stream: true }))) {
            try {
              events.push(JSON.parse(data) as Event);
            } catch {
              // A line we cannot read is skipped; the catch-up after a reconnect fills gaps.
            }
          }
          deliver(events);
        }
      } catch (e) {
        if (signal.aborted) return;
        const err = toApiError(e);
        failures += 1;
        // A server without the stream (404) is followed by polling instead.
        h.onState?.(err.status === 404 ? 'polling' : 'reconnecting', err);
        if (err.isUnauthorized) return;
        if (err.status === 404) {
          while (!signal.aborted) {
            await sleep(2000, signal);
            try { await catchUp(); } catch { /* shown through status elsewhere */ }
          }
          return;
        }
      }
      if (signal.aborted) return;
      // At most 3 s apart: the page should notice a server that is back within seconds (a refused connection costs nothing).
      await sleep(Math.min(500 * 2 ** failures, 3000), signal);
      h.onState?.('reconnecting');
    }
  })();
}
