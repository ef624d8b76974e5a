// Usage: a card per product whose codes give consumption tokens, what is
// left of them in the running period, what was spent, the overdraft the
// codes allow and any of it used (the vendor bills it), and when the
// tokens are given again.
import { useId } from 'react';
import type { Balance, TokenPeriod } from '../api';
import { Badge } from '../components/Badge';
import { formatDateTime, formatDay, plural } from '../format';

const PERIOD_WORDS: Record<TokenPeriod, string> = { month: ' this month', year: ' this year', none: '' };
const PERIOD_EVERY: Record<TokenPeriod, string> = { month: 'each month', year: 'each year', none: '' };

/** What spending beyond the balance means, for the flag's tooltip and the card. */
export const OVER_HELP = 'Spent beyond the balance, from the licence’s token overdraft. The vendor bills each such token.';

/** The numbers a card shows, worked out once. */
function balanceNumbers(b: Balance) {
  const left = Math.max(b.units - b.spent, 0);
  const over = Math.max(b.spent - b.units, 0);
  // Nothing more can be spent this period: the balance and the overdraft are used up.
  const spentOut = b.spent >= b.units + b.overdraft;
  return { left, over, spentOut, overdraftLeft: Math.max(b.overdraft - over, 0) };
}

export function TokenBalances({ balances }: { balances: Balance[] }) {
  if (!balances.length) return null;
  return (
    <div className="token-cards">
      {balances.map((b) => <BalanceCard key={b.product} b={b} />)}
    </div>
  );
}

function BalanceCard({ b }: { b: Balance }) {
  const { left, over, spentOut, overdraftLeft } = balanceNumbers(b);
  const period = PERIOD_WORDS[b.period];
  const titleId = useId();
  const pct = b.units > 0 ? Math.min(100, Math.round((b.spent / b.units) * 100)) : 100;
  const tone = spentOut ? 'bad' : over > 0 || pct >= 90 ? 'warn' : 'ok';
  return (
    <section className="card token-card" aria-labelledby={titleId}>
      <div className="card-head">
        <h3 id={titleId} className="token-product">{b.product}</h3>
        {spentOut ? <Badge tone="bad">Spent out</Badge> : over > 0 ? <Badge tone="warn" title={OVER_HELP}>Over balance</Badge> : null}
      </div>
      <p className="token-left"><strong>{left.toLocaleString()} of {plural(b.units, 'token')} left{period}</strong></p>
      <span className="meter-bar token-bar" aria-hidden="true"><span className={`meter-fill meter-${tone}`} style={{ width: `${pct}%` }} /></span>
      <dl className="facts facts-tight token-facts">
        <dt>Spent</dt>
        <dd>{plural(b.spent, 'token')}{period}</dd>
        <dt>Overdraft</dt>
        <dd>{b.overdraft > 0 ? `Up to ${plural(b.overdraft, 'token')} beyond the balance, billed by the vendor` : 'None: spends beyond the balance are refused'}</dd>
        {over > 0 && (
          <>
            <dt>Over the balance</dt>
            <dd>
              <span className="badge badge-warn badge-flag" title={OVER_HELP}><span aria-hidden="true">⚠ </span>{plural(over, 'token')} over</span>{' '}
              <span className="text-warn">from the overdraft, billed by the vendor</span>
              {overdraftLeft > 0 && <span className="muted">; {plural(overdraftLeft, 'more token')} may go over</span>}
            </dd>
          </>
        )}
        <dt>Given again</dt>
        <dd>
          {b.periodEnd != null ? (
            <><time dateTime={new Date(b.periodEnd).toISOString()} title={formatDateTime(b.periodEnd)}>{formatDay(b.periodEnd)}</time> <span className="muted">({PERIOD_EVERY[b.period]}, UTC)</span></>
          ) : 'Given once, not again'}
        </dd>
      </dl>
      {spentOut && (
        <p className="notice notice-error token-out" role="status">
          {b.overdraft > 0 ? 'The balance and its overdraft are spent' : 'The balance is spent'}: further spends of {b.product} are refused{b.periodEnd != null ? ` until ${formatDay(b.periodEnd)}` : ''}.
        </p>
      )}
    </section>
  );
}
