// Usage over time, on the Usage tab above the tokens: for the product and
// range picked (Day, Week, Month, Year, ending now), seats in use against
// the seats licensed, denials, clients waiting, overdraft seats and tokens
// spent, as charts (values on hover) or as a table, exported as CSV.
// Refreshed every minute while visible; a step with no point is a gap.
import { useEffect, useId, useMemo, useState } from 'react';
import { ApiError } from '../api';
import { Empty, ErrorState, Loading, StaleNotice } from '../components/States';
import { fileStamp, saveBlob } from '../download';
import { chartData, chartsFor, chartSummary, readPalette, type Palette } from './usageChart';
import { usageCsv, usageCsvName } from './usageCsv';
import { UsageChart } from './UsageChart';
import { useUsageHistory, type HistoryView } from './usageHistoryLoad';
import { alignPoints, RANGES, rangeOf, type RangeKey } from './usageSteps';
import { UsageTable } from './UsageTable';

/** The page's colours, read again when the system switches between light and dark. */
function usePalette(): Palette {
  const [palette, setPalette] = useState(readPalette);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const dark = window.matchMedia('(prefers-color-scheme: dark)');
    const change = () => setPalette(readPalette());
    dark.addEventListener('change', change);
    return () => dark.removeEventListener('change', change);
  }, []);
  return palette;
}

export function UsageHistory() {
  const [range, setRange] = useState<RangeKey>('day');
  const [picked, setPicked] = useState('');
  const [asTable, setAsTable] = useState(false);
  const history = useUsageHistory(range, picked);
  const { view, products, error, current } = history;
  const headingId = useId();

  let body;
  if (view) body = <HistoryBody view={view} current={current} asTable={asTable} />;
  else if (!error) body = <Loading label="Loading the usage history…" />;
  else if (error instanceof ApiError && error.status === 404) {
    body = <Empty title="This server keeps no usage history">It is a Leasehold version from before the history. Update it to see seats, denials and the queue over time here.</Empty>;
  } else body = <ErrorState error={error} onRetry={history.refresh} what="the usage history" />;

  return (
    <section className="usage-history" aria-labelledby={headingId} aria-busy={!!view && !current}>
      <div className="usage-history-head">
        <h2 id={headingId}>Use over time</h2>
        {view && <RangeAndProduct range={range} onRange={setRange} products={products} product={picked || view.product} onPick={setPicked} />}
      </div>
      {view && <ViewActions range={range} view={view} current={current} asTable={asTable} onTable={setAsTable} />}
      <StaleNotice error={view ? error : undefined} offlineSaidAbove />
      {body}
    </section>
  );
}

function RangeAndProduct(props: { range: RangeKey; onRange: (r: RangeKey) => void; products: string[]; product: string; onPick: (p: string) => void }) {
  const { range, onRange, products, product, onPick } = props;
  return (
    <>
      <div className="segmented" role="group" aria-label="Range">
        {RANGES.map((r) => (
          <button key={r.key} type="button" className="segment" aria-pressed={r.key === range} onClick={() => onRange(r.key)}>{r.label}</button>
        ))}
      </div>
      {products.length > 0 && (
        <label className="field-inline">
          <span>Product</span>
          <select value={product} onChange={(e) => onPick(e.target.value)}>
            {products.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
      )}
    </>
  );
}

function ViewActions(props: { range: RangeKey; view: HistoryView; current: boolean; asTable: boolean; onTable: (t: boolean) => void }) {
  const { range, view, current, asTable, onTable } = props;
  const exportCsv = () => {
    // A byte order mark first, so spreadsheets read the names as UTF-8.
    saveBlob(usageCsvName(view.product, view.range, fileStamp()), new Blob(['\uFEFF', usageCsv(view.product, view.query.step, view.points)], { type: 'text/csv;charset=utf-8' }));
  };
  const none = !view.points.length;
  return (
    <div className="usage-history-head usage-history-sub">
      <p className="muted small">{rangeOf(range).description}.</p>
      <button type="button" className="button button-small" aria-pressed={asTable} onClick={() => onTable(!asTable)} disabled={none}>Show as table</button>
      <button type="button" className="button button-small" onClick={exportCsv} disabled={none || !current} title="Every point of this product in the range shown, as a CSV file">Export CSV</button>
    </div>
  );
}

function HistoryBody({ view, current, asTable }: { view: HistoryView; current: boolean; asTable: boolean }) {
  const palette = usePalette();
  const aligned = useMemo(() => alignPoints(view.points, view.query), [view]);
  // The specs are constants: a refresh hands new data to the same charts rather than building them again.
  const specs = useMemo(() => chartsFor(view.points), [view]);
  const data = useMemo(() => specs.map((s) => chartData(s, aligned)), [specs, aligned]);
  const dataKey = `${view.range}|${view.product}|${view.query.to}`;

  if (!view.product || !view.points.length) {
    return (
      <Empty title={view.product ? `No usage of ${view.product} recorded in this range yet` : 'No usage recorded in this range yet'}>
        The server writes a point each minute for every product it has seats of, and sums them into hours and days.
        {view.range !== 'year' && ' A longer range may show earlier use.'}
      </Empty>
    );
  }
  if (asTable) return <UsageTable product={view.product} aligned={aligned} tokens={specs.some((s) => s.key === 'tokens')} />;
  return (
    <div className="usage-charts" data-range={view.range} aria-busy={!current}>
      {specs.map((s, i) => (
        <UsageChart key={s.key} spec={s} data={data[i]} step={view.query.step} palette={palette} dataKey={dataKey} summary={chartSummary(s, aligned)} />
      ))}
    </div>
  );
}
