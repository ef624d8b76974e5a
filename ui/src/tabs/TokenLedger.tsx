// Usage: consumption tokens. The balance of each product whose codes give
// tokens (TokenBalances.tsx), then the ledger of spends, newest first: who
// spent how many, on which computer, under which key and why; filtered by
// product, paged back with "Load older", exported as CSV.
import { useId, useState } from 'react';
import { ApiError, type LedgerEntry } from '../api';
import { Empty, ErrorState, Loading, StaleNotice } from '../components/States';
import { fileStamp, saveBlob } from '../download';
import { formatDateTime, plural } from '../format';
import { ledgerCsv } from './ledgerCsv';
import { useLedgerPages, type Loaded } from './ledgerPages';
import { OVER_HELP, TokenBalances } from './TokenBalances';
import { Clip } from '../components/Clip';

export function TokenLedger() {
  const [product, setProduct] = useState('');
  const ledger = useLedgerPages(product);
  const { loaded } = ledger;

  if (!loaded && !ledger.error) return <Loading label="Loading the token ledger…" />;
  if (!loaded && ledger.error instanceof ApiError && ledger.error.status === 404) {
    return <Empty title="This server keeps no consumption tokens">It is a Leasehold version from before tokens. Update it to see balances and spends here.</Empty>;
  }
  if (!loaded) return <ErrorState error={ledger.error} onRetry={ledger.refresh} what="the token ledger" />;
  if (!loaded.balances.length && !loaded.entries.length && !product) {
    return (
      <>
        <StaleNotice error={ledger.error} offlineSaidAbove />
        <Empty title="No licence here gives consumption tokens">
          Some license codes give a product tokens that its applications spend, for example one per export or per simulation run.
          Once such a code is added on the Licenses tab, what is left of them and every spend show here.
        </Empty>
      </>
    );
  }

  return (
    <>
      <StaleNotice error={ledger.error} offlineSaidAbove />
      {loaded.balances.length ? (
        <TokenBalances balances={loaded.balances} />
      ) : (
        <p className="notice notice-info">No licence here gives consumption tokens now. The spends below are from before.</p>
      )}
      <Spends loaded={loaded} product={product} onProduct={setProduct} current={ledger.current} loadingOlder={ledger.loadingOlder} onOlder={ledger.older} />
    </>
  );
}

function Spends(props: { loaded: Loaded; product: string; onProduct: (p: string) => void; current: boolean; loadingOlder: boolean; onOlder: () => void }) {
  const { loaded, product, onProduct, current, loadingOlder, onOlder } = props;
  const headingId = useId();
  const rows = loaded.entries;
  const products = [...new Set([...loaded.balances.map((b) => b.product), ...rows.map((e) => e.spend.product), ...(product ? [product] : [])])].sort();
  const exportCsv = () => {
    // A byte order mark first, so spreadsheets read the names as UTF-8.
    saveBlob(`leasehold-tokens-${product || 'all'}-${fileStamp()}.csv`, new Blob(['\uFEFF', ledgerCsv(rows)], { type: 'text/csv;charset=utf-8' }));
  };

  return (
    <section className="token-ledger" aria-labelledby={headingId}>
      <div className="token-ledger-head">
        <h2 id={headingId}>Spends</h2>
        <label className="field-inline">
          <span>Product</span>
          <select value={product} onChange={(e) => onProduct(e.target.value)}>
            <option value="">All products</option>
            {products.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <button type="button" className="button" onClick={exportCsv} disabled={!rows.length || !current} title="The spends listed here, as a CSV file">Export CSV</button>
      </div>
      {!rows.length ? (
        <Empty title="No spends yet">
          {product ? `When an application spends tokens of ${product}, ` : 'When an application spends tokens, '}
          each spend is listed here: when, how many, who, on which computer and why.
        </Empty>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table table-compact ledger-table" aria-label="Token spends" aria-busy={!current || loadingOlder}>
              <colgroup>
                <col className="col-when" /><col className="col-product" /><col className="col-amount" />
                <col className="col-user" /><col className="col-computer" /><col className="col-key" /><col />
              </colgroup>
              <thead>
                <tr>
                  <th scope="col">When</th><th scope="col">Product</th><th scope="col" className="num">Amount</th>
                  <th scope="col">User</th><th scope="col">Computer</th><th scope="col">Key</th><th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => <SpendRow key={e.seq} e={e} />)}
              </tbody>
            </table>
          </div>
          <p className="list-footer muted small ledger-footer" role="status">
            {plural(rows.length, 'spend')} shown, newest first{loaded.nextBefore === null ? ': all of them.' : '.'}
            {loaded.nextBefore !== null && (
              <button type="button" className="button button-small" onClick={onOlder} disabled={loadingOlder || !current}>
                {loadingOlder ? 'Loading…' : 'Load older'}
              </button>
            )}
          </p>
        </>
      )}
    </section>
  );
}

function SpendRow({ e }: { e: LedgerEntry }) {
  const s = e.spend;
  return (
    <tr>
      <td><time dateTime={new Date(s.at).toISOString()}>{formatDateTime(s.at)}</time></td>
      <td><div className="cell-clip" title={s.product}><span className="chip">{s.product}</span></div></td>
      <td className="num" title={`${plural(s.left, 'token')} of the balance left after it`}>
        <div>{s.amount.toLocaleString()}</div>
        {s.over > 0 && <span className="badge badge-warn badge-flag" title={`${plural(s.over, 'token')} of it: ${OVER_HELP}`}>{s.over.toLocaleString()} over</span>}
      </td>
      <td>{s.user ? <Clip text={s.user} /> : <span className="muted">—</span>}</td>
      <td><Clip className="mono small" text={s.clientId} /></td>
      <td><Clip className="mono small" text={s.key} /></td>
      <td>{s.note ? <Clip lines={2} text={s.note} /> : <span className="muted">—</span>}</td>
    </tr>
  );
}
