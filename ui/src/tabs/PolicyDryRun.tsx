// The dry run: would this user on this computer get a seat of this product
// now, and which rule decides? Asks the server; takes no seat.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { sentence, type PolicyCheck, type PrecedenceStep } from '../api';
import { Prose } from '../components/Prose';
import { Badge } from '../components/Badge';
import { ErrorText } from '../components/States';
import { useApp } from '../hooks';
import { LineRef, type ShowLine } from './PolicyInForce';
import { checkMessage, decidingStep, splitRule } from './policyText';

/** The select's choice that opens the free-text product field. */
const OTHER = ' other';

interface Asked { product: string; user: string; host: string }
type Result = { asked: Asked; check: PolicyCheck } | { asked: Asked; error: unknown };

export function PolicyDryRun(props: {
  /** Products to choose from (licensed, or named by the policy). */
  products: string[];
  precedence: PrecedenceStep[];
  /** Shows a rule's line in the editor (when it holds the policy in force). */
  onShowLine: ShowLine;
  /** The admin has unsaved changes: the check is against the policy in force. */
  unsaved: boolean;
  /** The step that decided the last check (marked in the order of precedence). */
  onDecided: (step: number | undefined) => void;
}) {
  const { products, precedence, onShowLine, unsaved, onDecided } = props;
  const { api } = useApp();
  const ids = useId();
  const [choice, setChoice] = useState<string>();
  const [other, setOther] = useState('');
  const [user, setUser] = useState('');
  const [host, setHost] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result>();
  const resultRef = useRef<HTMLDivElement>(null);
  // The answer may land below the window's edge: bring it into view.
  useEffect(() => { if (result) resultRef.current?.scrollIntoView?.({ block: 'nearest' }); }, [result]);

  // The first product until the admin picks one; free text when there is none to pick.
  const selected = choice ?? (products[0] ?? OTHER);
  const product = (selected === OTHER ? other : selected).trim();

  const check = async (e: FormEvent) => {
    e.preventDefault();
    if (!product || busy) return;
    const asked = { product, user: user.trim(), host: host.trim() };
    setBusy(true);
    try {
      const c = await api.checkPolicy(asked);
      setResult({ asked, check: c });
      onDecided(c.granted ? undefined : decidingStep(c, precedence)?.step);
    } catch (error) {
      setResult({ asked, error });
      onDecided(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`} id="policy-dry-run" tabIndex={-1}>
      <h2 id={`${ids}-title`}>Would this checkout be granted?</h2>
      <p className="muted small">Asks the server now, against the policy in force and the seats in use. No seat is taken.</p>
      <form className="dry-run-form" onSubmit={check}>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-product`}>Product</label>
          <select id={`${ids}-product`} value={selected} onChange={(e) => setChoice(e.target.value)}>
            {products.map((p) => <option key={p} value={p}>{p}</option>)}
            <option value={OTHER}>{products.length ? 'Another product…' : 'Type a product…'}</option>
          </select>
        </div>
        {selected === OTHER && (
          <div className="field">
            <label className="field-label" htmlFor={`${ids}-other`}>Product name</label>
            <input id={`${ids}-other`} type="text" value={other} onChange={(e) => setOther(e.target.value)} maxLength={200} autoComplete="off" spellCheck={false} placeholder="as the vendor names it" />
          </div>
        )}
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-user`}>User</label>
          <input id={`${ids}-user`} type="text" value={user} onChange={(e) => setUser(e.target.value)} maxLength={200} autoComplete="off" spellCheck={false} placeholder="e.g. alice" />
        </div>
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-host`}>Computer</label>
          <input id={`${ids}-host`} type="text" value={host} onChange={(e) => setHost(e.target.value)} maxLength={200} autoComplete="off" spellCheck={false} placeholder="host name, e.g. ws-12" />
        </div>
        <div className="dry-run-submit">
          <button type="submit" className="button button-primary" disabled={!product || busy}>{busy ? 'Checking…' : 'Check'}</button>
        </div>
      </form>
      {unsaved && <p className="field-hint">Your unsaved changes are not checked: save them first.</p>}
      <div aria-live="polite" className="dry-run-result" ref={resultRef}>
        {result && 'check' in result && <Verdict asked={result.asked} c={result.check} precedence={precedence} onShowLine={onShowLine} />}
        {result && 'error' in result && <ErrorText error={result.error} />}
      </div>
    </section>
  );
}

function who(a: Asked): string {
  const parts = [a.user && `user ${a.user}`, a.host && `on ${a.host}`].filter(Boolean);
  return parts.length ? `${parts.join(' ')}, ${a.product}` : a.product;
}

function Verdict({ asked, c, precedence, onShowLine }: { asked: Asked; c: PolicyCheck; precedence: PrecedenceStep[]; onShowLine: ShowLine }) {
  const step = c.granted ? undefined : decidingStep(c, precedence);
  const rule = c.rule ? splitRule(c.rule) : undefined;
  const message = checkMessage(c);
  return (
    <div className={`verdict verdict-${c.granted ? 'ok' : 'bad'}`} data-code={c.code ?? undefined}>
      <p className="verdict-title">
        <Badge tone={c.granted ? 'ok' : 'bad'}>{c.granted ? 'Would be granted' : 'Would be refused'}</Badge>
        <span className="verdict-who">{who(asked)}</span>
      </p>
      {message && <p><Prose text={sentence(message)} /></p>}
      <dl className="facts facts-tight">
        {step && (<><dt>Decided by</dt><dd>step {step.step} of the order of precedence (<code>{step.rule}</code>)</dd></>)}
        {!c.granted && c.code && (<><dt>Refused with</dt><dd><code className="code-refusal">{c.code}</code></dd></>)}
        {rule && (
          <>
            <dt>{c.granted ? 'Draws on' : 'Rule'}</dt>
            <dd><code className="wrap-long">{rule.text}</code>{rule.line !== undefined && <>, <LineRef line={rule.line} onShow={onShowLine} what={rule.text} /></>}</dd>
          </>
        )}
        <dt>Seats</dt>
        <dd>{c.seats > 0 ? `${c.inUse.toLocaleString()} of ${c.seats.toLocaleString()} ${c.seats === 1 ? 'seat' : 'seats'} in use` : `None licensed now${c.inUse ? `, ${c.inUse.toLocaleString()} in use` : ''}`}</dd>
      </dl>
    </div>
  );
}
