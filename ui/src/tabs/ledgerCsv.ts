// The token ledger as CSV (RFC 4180), for the vendor's bill or a spreadsheet:
// the spends loaded on the Usage tab, one a row, newest first.
import type { LedgerEntry } from '../api';

const HEADER = ['Seq', 'When (UTC)', 'Product', 'Amount', 'Over', 'Left after', 'User', 'Computer', 'Key', 'Note'];

/**
 * One field: quoted when it holds a comma, a quote or a line break, its
 * quotes doubled. Text from applications that a spreadsheet would run as a
 * formula (`=`, `+`, `-`, `@` first) gets a leading `'`, so opening the file
 * runs nothing.
 */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The spends as CSV text: a header, then a row each, lines ended by CRLF. */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const rows = entries.map(({ seq, spend: s }) => [
    seq, new Date(s.at).toISOString(), s.product, s.amount, s.over, s.left, s.user, s.clientId, s.key, s.note,
  ]);
  return [HEADER, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
