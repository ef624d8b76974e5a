// The usage history of one product as CSV (RFC 4180), for a spreadsheet:
// every point of the range shown, oldest first, all its series. A step with
// no point (the server was not running) has no row.
import type { HistoryStep, UsagePoint } from '../api';
import { csvField } from './ledgerCsv';

const HEADER = ['Product', 'Step', 'Start (UTC)', 'Most in use', 'Fewest in use', 'Seats licensed', 'Overdraft seats', 'Denials', 'Most waiting', 'Tokens spent'];

/** The points as CSV text: a header, then a row each, lines ended by CRLF. */
export function usageCsv(product: string, step: HistoryStep, points: UsagePoint[]): string {
  const rows = points.map((p) => [product, step, new Date(p.at).toISOString(), p.high, p.low, p.seats, p.overdraft, p.denials, p.waiting, p.tokens]);
  return [HEADER, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A file name for `product`'s history: no characters a file system refuses. */
export function usageCsvName(product: string, range: string, stamp: string): string {
  const safe = product.replace(/[^\p{L}\p{N}._-]+/gu, '_') || 'product';
  return `leasehold-usage-${safe}-${range}-${stamp}.csv`;
}
