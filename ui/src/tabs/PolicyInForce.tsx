// The seat policy in force as tables: its groups, each product's rules (in
// the order they apply) with their lines, and the order of precedence.
import type { PolicyGroupView, PolicyView, PrecedenceStep, ProductPolicyView } from '../api';
import { Prose } from '../components/Prose';
import { plural } from '../format';
import { ruleEffect, subjectWords } from './policyText';

/** Shows a line of policy.toml in the editor; absent when the editor holds other text. */
export type ShowLine = ((line: number) => void) | undefined;

/** "line 7" (`bare`: "7", in a Line column), a button to it when the editor holds the text in force. */
export function LineRef({ line, onShow, what, bare }: { line: number; onShow: ShowLine; what?: string; bare?: boolean }) {
  const label = bare ? String(line) : `line ${line}`;
  if (!onShow) return <span className="line-ref">{label}</span>;
  return (
    <button type="button" className="link-button line-ref" onClick={() => onShow(line)} aria-label={`Show line ${line}${what ? ` (${what})` : ''} in the editor`}>
      {label}
    </button>
  );
}

function Subject({ subject }: { subject: string }) {
  const s = subjectWords(subject);
  return <span className="subject">{s.kind && <span className="muted">{s.kind} </span>}<strong>{s.name}</strong></span>;
}

function Names({ names }: { names: string[] }) {
  return names.length ? <>{names.join(', ')}</> : <span className="muted">—</span>;
}

export function PolicyGroups({ groups, onShow }: { groups: PolicyGroupView[]; onShow: ShowLine }) {
  if (!groups.length) return null;
  return (
    <div className="policy-block">
      <h3 className="block-title" id="policy-groups">Groups</h3>
      <div className="table-scroll">
        <table className="table table-compact" aria-labelledby="policy-groups">
          <thead><tr><th scope="col">Group</th><th scope="col">Users</th><th scope="col">Computers</th><th scope="col">Line</th></tr></thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.name}>
                <td><strong>{g.name}</strong></td>
                <td className="wrap-long"><Names names={g.users} /></td>
                <td className="wrap-long"><Names names={g.hosts} /></td>
                <td className="nowrap"><LineRef line={g.line} onShow={onShow} what={`group ${g.name}`} bare /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** One product's rules in the order they apply, each with its step. */
export function ProductRules({ p, precedence, onShow }: { p: ProductPolicyView; precedence: PrecedenceStep[]; onShow: ShowLine }) {
  const stepOf = (kind: string) => precedence.find((s) => s.rule === kind)?.step;
  const titleId = `policy-product-${p.product}`;
  return (
    <div className="policy-block">
      <h3 className="block-title" id={titleId}>
        {p.product} <span className="muted block-where">[products.{p.product}], <LineRef line={p.line} onShow={onShow} what={`products.${p.product}`} /></span>
      </h3>
      {p.rules.some((r) => r.kind === 'include') && <p className="muted small">Only those its include list names may use {p.product}.</p>}
      {p.keepUnborrowed > 0 && <p className="muted small">{plural(p.keepUnborrowed, 'seat')} never lent out for working offline.</p>}
      {p.rules.length ? (
        <div className="table-scroll">
          <table className="table table-compact" aria-labelledby={titleId}>
            <thead><tr><th scope="col">Step</th><th scope="col">Rule</th><th scope="col">Who</th><th scope="col">Effect</th><th scope="col">Line</th></tr></thead>
            <tbody>
              {p.rules.map((r, i) => (
                <tr key={`${r.kind}-${r.subject}-${r.line}-${i}`}>
                  <td className="num">{stepOf(r.kind) ?? ''}</td>
                  <td><code>{r.kind}</code></td>
                  <td className="wrap-long"><Subject subject={r.subject} /></td>
                  <td>{ruleEffect(r.kind, r.seats)}</td>
                  <td className="nowrap"><LineRef line={r.line} onShow={onShow} what={`${r.kind} ${r.subject}`} bare /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted small">No rules: everyone may use it while seats are free.</p>
      )}
    </div>
  );
}

export function PolicyRules({ policy, onShow }: { policy: PolicyView; onShow: ShowLine }) {
  return (
    <>
      <PolicyGroups groups={policy.groups} onShow={onShow} />
      {policy.products.map((p) => <ProductRules key={p.product} p={p} precedence={policy.precedence} onShow={onShow} />)}
      {!policy.products.length && <p className="muted">No product has rules: everyone may use every product while seats are free.</p>}
    </>
  );
}

/** The order rules apply in: the first step that refuses decides. */
export function Precedence({ steps, decided }: { steps: PrecedenceStep[]; decided?: number }) {
  return (
    <div className="table-scroll">
      <table className="table table-compact precedence" aria-label="Order of precedence">
        <thead><tr><th scope="col">Step</th><th scope="col">Rule</th><th scope="col">What it does</th><th scope="col">Refused with</th></tr></thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.step} className={s.step === decided ? 'row-decided' : undefined} aria-current={s.step === decided ? 'step' : undefined}>
              <td className="num">{s.step}</td>
              <td><code>{s.rule}</code></td>
              <td><Prose text={s.effect} /></td>
              <td className="wrap-long">{s.code ? <code>{s.code}</code> : <span className="muted">the licence’s own</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
