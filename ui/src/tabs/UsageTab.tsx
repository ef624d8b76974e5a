// Usage: what the applications have used of what the licences give. Use
// over time first (UsageHistory.tsx: seats, denials, the queue, overdraft
// and tokens per minute, hour or day), then the consumption tokens
// (TokenLedger.tsx).
import { PanelHead } from '../components/PanelHead';
import { StaleNotice } from '../components/States';
import { TokenLedger } from './TokenLedger';
import { UsageHistory } from './UsageHistory';

export function UsageTab() {
  return (
    <section className="panel">
      <PanelHead title="Usage" subtitle="Seats, denials and the queue over time; consumption tokens: what is left, and every spend" />
      {/* Once for both parts below, while the server cannot be reached. */}
      <StaleNotice error={undefined} />
      <UsageHistory />
      <TokenLedger />
    </section>
  );
}
