// Computers: a seat out on loan (`client borrow`), taken away to work without
// the server until its lease ends and never renewed, and ending it early.
import type { SeatRow } from '../api';
import { Badge } from '../components/Badge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { formatDateTime, formatDuration } from '../format';

/** What a loan is, for the badge's tooltip. */
const LOAN_HELP = 'Borrowed to work without the server. The seat counts until the loan ends and is never renewed; End loan frees it sooner.';

/**
 * A borrowed seat's times: one cell over the Connected, Last renew and
 * Expires columns (the badge is longer than any of them), saying until when
 * and since when. The two cells it covers stay in the row, empty and hidden,
 * so the narrow layout hides the same columns in every row.
 */
export function LoanCells({ row }: { row: SeatRow }) {
  const { grantedAt, expiresAt } = row.lease;
  const since = formatDateTime(grantedAt);
  const until = formatDateTime(expiresAt);
  return (
    <>
      <div role="cell" className="loan-cell" title={`Borrowed on ${since} for ${formatDuration(expiresAt - grantedAt)}, until ${until}`}>
        <Badge tone="info" title={LOAN_HELP}>Borrowed until {until}</Badge>
        <div className="muted small">since {since}</div>
      </div>
      <div className="cell-covered" aria-hidden="true" />
      <div className="cell-covered" aria-hidden="true" />
    </>
  );
}

/** Asks before ending a loan, saying what happens on each side: the server counts it no more, the computer hears it later. */
export function EndLoanDialog({ row, onClose, onConfirm }: { row: SeatRow; onClose: () => void; onConfirm: () => Promise<void> }) {
  const { product, holder, expiresAt } = row.lease;
  const computer = holder.host ? `${holder.user}’s computer (${holder.host})` : `${holder.user}’s computer`;
  return (
    <ConfirmDialog title={`End ${holder.user}’s loan of ${product}?`} confirmLabel="End loan" danger onClose={onClose} onConfirm={onConfirm}>
      <p>The seat stops counting now: it is free for someone else at once.</p>
      <p>
        {computer} loses it at its next contact with the server. Until then it may go on working offline with it, at most until {formatDateTime(expiresAt)}, when the loan would have ended.
      </p>
    </ConfirmDialog>
  );
}
