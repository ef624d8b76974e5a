// The usage history as a table, the charts' keyboard and screen-reader
// equal: every point of the range, newest first, and a row for each run of
// steps with no point (the server was not running).
import type { HistoryStep } from '../api';
import { formatStep, STEP_WORDS, tableRows, type Aligned } from './usageSteps';

export function UsageTable({ product, aligned, tokens }: { product: string; aligned: Aligned; tokens: boolean }) {
  const rows = tableRows(aligned);
  const step: HistoryStep = aligned.step;
  const columns = tokens ? 7 : 6;
  return (
    <div className="table-wrap usage-table-wrap" tabIndex={0} role="region" aria-label={`Usage of ${product}, a row per ${STEP_WORDS[step][0]}`}>
      <table className="table table-compact usage-table">
        <thead>
          <tr>
            <th scope="col">{step === 'day' ? 'Day (UTC)' : `${STEP_WORDS[step][0][0].toUpperCase()}${STEP_WORDS[step][0].slice(1)} from`}</th>
            <th scope="col" className="num">Seats in use</th>
            <th scope="col" className="num">Licensed</th>
            <th scope="col" className="num">Overdraft</th>
            <th scope="col" className="num">Denials</th>
            <th scope="col" className="num">Waiting</th>
            {tokens && <th scope="col" className="num">Tokens</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => r.kind === 'point' ? (
            <tr key={r.point.at}>
              <td><time dateTime={new Date(r.point.at).toISOString()}>{formatStep(r.point.at, step)}</time></td>
              <td className="num">{r.point.low === r.point.high ? r.point.high.toLocaleString() : `${r.point.low.toLocaleString()}–${r.point.high.toLocaleString()}`}</td>
              <td className="num">{r.point.seats.toLocaleString()}</td>
              <td className={`num${r.point.overdraft > 0 ? ' text-warn' : ''}`}>{r.point.overdraft.toLocaleString()}</td>
              <td className="num">{r.point.denials.toLocaleString()}</td>
              <td className="num">{r.point.waiting.toLocaleString()}</td>
              {tokens && <td className="num">{r.point.tokens.toLocaleString()}</td>}
            </tr>
          ) : (
            <tr key={`gap-${r.from}`} className="usage-gap">
              <td colSpan={columns} className="muted">
                No point {r.steps === 1 ? `for the ${STEP_WORDS[step][0]} of ${formatStep(r.from, step)}` : `from ${formatStep(r.from, step)} to ${formatStep(r.to, step)} (${r.steps.toLocaleString()} ${STEP_WORDS[step][1]})`}: the server was not running.
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
