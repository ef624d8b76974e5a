// Usage: what the applications have used of what the licences give. For now
// the consumption tokens (TokenLedger.tsx); charts of use over time come
// beside them.
import { PanelHead } from '../components/PanelHead';
import { TokenLedger } from './TokenLedger';

export function UsageTab() {
  return (
    <section className="panel">
      <PanelHead title="Usage" subtitle="Consumption tokens: what is left, and every spend" />
      <TokenLedger />
    </section>
  );
}
