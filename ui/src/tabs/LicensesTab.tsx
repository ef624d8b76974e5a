// Licenses: every code, what it licenses, whether it counts now, and why not.
import { useState } from 'react';
import type { LicenseView } from '../api';
import { Badge, SeatMeter } from '../components/Badge';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyValue } from '../components/Copy';
import { Dialog } from '../components/Dialog';
import { PanelHead } from '../components/PanelHead';
import { Empty, ErrorState, Loading, StaleNotice } from '../components/States';
import { formatCalendarDay, formatDateTime, formatDuration, plural } from '../format';
import { useApp, useMediaQuery, useResource } from '../hooks';
import { ActivateDialog } from './ActivateDialog';
import { AddLicenseDialog } from './AddLicenseDialog';
import { DeactivateDialog } from './DeactivateDialog';
import { BorrowedCount, FeatureMeters, useProductUse } from './ProductUse';
import { NamedUsers } from './NamedUsers';
import { featuresWithSeats, removalEffect, seatRuleNotes, stateBadge, stateReasonText, validity } from './licenseText';
import { Prose } from '../components/Prose';
import { RoleNote } from '../components/RoleNote';
import { useNeeds } from '../roles';

const LICENSE_EVENTS = new Set(['license_added', 'license_removed', 'license_activated', 'license_deactivated', 'grant', 'borrow', 'release', 'expire', 'disconnect', 'reclaim']);

export function LicensesTab() {
  const { api, notify } = useApp();
  const res = useResource(api.licenses, { key: 'licenses', refreshOn: (e) => LICENSE_EVENTS.has(e.kind) });
  const [adding, setAdding] = useState(false);
  const [details, setDetails] = useState<LicenseView>();
  const [removing, setRemoving] = useState<LicenseView>();
  const [activating, setActivating] = useState<LicenseView>();
  const [deactivating, setDeactivating] = useState<LicenseView>();

  const licenses = res.data;
  // Narrower than every column needs: Customer and Features are read under the product, then the seats too.
  const medium = useMediaQuery('(max-width: 1279px)');
  const narrow = useMediaQuery('(max-width: 999px)');
  const productUse = useProductUse(licenses);
  // Adding, removing, activating and deactivating codes: the admin role.
  const needs = useNeeds('admin');
  const roleNote = needs.why ? 'licenses-role-note' : undefined;
  const addButton = <button type="button" className="button button-primary" onClick={() => setAdding(true)} disabled={needs.closed} title={needs.why} aria-describedby={roleNote}>Add license code</button>;

  let body;
  if (res.loading && !licenses) body = <Loading label="Loading licenses…" />;
  else if (!licenses) body = <ErrorState error={res.error} onRetry={res.reload} what="the licenses" />;
  else if (!licenses.length)
    body = (
      <Empty title="No license codes yet" action={addButton}>
        Add the license code your vendor sent. Each code adds seats for one product; applications on this network then borrow a seat while they run.
      </Empty>
    );
  else
    body = (
      <>
        <StaleNotice error={res.error} />
        <div className="table-wrap">
          <table className="table licenses-table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                {!narrow && <th scope="col">Seats</th>}
                <th scope="col">In use now</th>
                {!medium && <th scope="col">Customer</th>}
                {!medium && <th scope="col">Features</th>}
                <th scope="col">Valid</th>
                <th scope="col">State</th>
                <th scope="col"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {licenses.map((l) => {
                const s = stateBadge(l);
                return (
                  <tr key={l.licenseId}>
                    <td className="cell-product">
                      <strong className="product-name">{l.product}</strong>
                      {/* Narrower, the columns that step aside are read here, under the product. */}
                      {narrow && <div>{plural(l.seats, 'seat')}</div>}
                      {narrow && <SeatRuleChips l={l} />}
                      {medium && l.customer && <div className="muted">{l.customer}</div>}
                      {medium && <div><FeatureChips l={l} quiet /></div>}
                    </td>
                    {!narrow && (
                      <td>
                        <div className="nowrap">{plural(l.seats, 'seat')}</div>
                        <SeatRuleChips l={l} />
                      </td>
                    )}
                    <td className="cell-use">
                      <InUse l={l} />
                      <OverLicence l={l} />
                      <BorrowedCount usage={productUse.get(l.product)} />
                      <FeatureMeters product={l.product} features={productUse.get(l.product)?.features} />
                    </td>
                    {!medium && <td>{l.customer || <span className="muted">—</span>}</td>}
                    {!medium && <td><FeatureChips l={l} /></td>}
                    <td className="nowrap-wide">{keepDatesWhole(validity(l))}</td>
                    <td>
                      <Badge tone={s.tone} className={l.expiringSoon ? 'badge-keep' : undefined}>{s.label}</Badge>
                      {l.stateReason && <div className="reason"><Prose text={stateReasonText(l.stateReason)} /></div>}
                    </td>
                    <td className="actions">
                      <div className="action-buttons">
                        {(l.state === 'needsActivation' || l.state === 'activatedElsewhere') && (
                          <button type="button" className="button button-small button-primary" onClick={() => setActivating(l)} disabled={needs.closed} title={needs.why} aria-label={`Activate the ${l.product} license for ${l.customer || 'this customer'}`}>Activate…</button>
                        )}
                        {/* Activated on this server on this computer: only then can it be moved. */}
                        {l.activatedAt != null && (
                          <button type="button" className="button button-small" onClick={() => setDeactivating(l)} disabled={needs.closed} title={needs.why} aria-label={`Deactivate the ${l.product} license for ${l.customer || 'this customer'}`}>Deactivate…</button>
                        )}
                        <span className="action-pair">
                          <button type="button" className="button button-small" onClick={() => setDetails(l)} aria-label={`Details of the ${l.product} license for ${l.customer || 'this customer'}`}>Details</button>
                          <button type="button" className="button button-small button-quiet-danger" onClick={() => setRemoving(l)} disabled={needs.closed} title={needs.why} aria-label={`Remove the ${l.product} license for ${l.customer || 'this customer'}`}>Remove</button>
                        </span>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </>
    );

  const products = licenses ? new Set(licenses.map((l) => l.product)).size : 0;
  return (
    <section className="panel">
      <PanelHead title="Licenses" subtitle={licenses && licenses.length > 0 ? <>{plural(licenses.length, 'code')} for {plural(products, 'product')}</> : undefined}>
        {licenses && licenses.length > 0 && addButton}
      </PanelHead>
      <RoleNote need="admin" to="to add, remove, activate or deactivate license codes" id={roleNote} />
      {body}
      {/* Asked only when a code has named users, so a plain server makes no extra call. */}
      {licenses?.some((l) => l.seatRules?.namedUsers) && <NamedUsers />}
      {adding && <AddLicenseDialog onClose={() => setAdding(false)} onAdded={(l) => { notify(`Added ${l.seats} ${l.seats === 1 ? 'seat' : 'seats'} of ${l.product}.`); res.reload(); }} />}
      {details && <LicenseDetails l={details} onClose={() => setDetails(undefined)} />}
      {activating && (
        <ActivateDialog
          l={activating}
          onClose={() => setActivating(undefined)}
          onActivated={() => res.reload()}
        />
      )}
      {deactivating && <DeactivateDialog l={deactivating} onClose={() => setDeactivating(undefined)} onDeactivated={() => res.reload()} />}
      {removing && (
        <ConfirmDialog
          title={`Remove the ${removing.product} license?`}
          confirmLabel="Remove license"
          danger
          onClose={() => setRemoving(undefined)}
          onConfirm={async () => {
            const r = await api.removeLicense(removing.licenseId);
            notify(`Removed. ${r.product} now has ${plural(r.seatsNow, 'seat')}, ${r.inUse} in use.`);
            res.reload();
          }}
        >
          <p>
            This removes the code for <strong>{removing.customer || 'this customer'}</strong> ({plural(removing.seats, 'seat')} of {removing.product}) from this server.
          </p>
          <p>{removalEffect(removing)}</p>
          <p className="muted">You can add the same code again later.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The code's seat rules under its seat count ("+2 overdraft", "no queue"); nothing for a plain code. */
function SeatRuleChips({ l }: { l: LicenseView }) {
  const notes = seatRuleNotes(l.seatRules);
  if (!notes.length) return null;
  return (
    <ul className="chips rule-chips" aria-label="Seat rules">
      {notes.map((n) => <li key={n.label} className="chip chip-rule" title={n.help}>{n.label}</li>)}
    </ul>
  );
}

/**
 * The product's seats in use of those that count ("3 of 15"); for a code
 * whose product has no seat counting yet, why not instead of "0 of 0".
 */
function InUse({ l }: { l: LicenseView }) {
  if (l.productSeats > 0 || l.productInUse > 0 || l.state === 'active') return <SeatMeter inUse={l.productInUse} seats={l.productSeats} />;
  if (l.state === 'notYetValid' && l.firstDay != null) return <span className="muted">Not valid yet: counts from {formatCalendarDay(l.firstDay)}</span>;
  return <span className="muted">None: no code of {l.product} counts now</span>;
}

/** Seats granted beyond the licence from the overdraft, which the vendor bills. */
function OverLicence({ l }: { l: LicenseView }) {
  const over = l.productInUse - l.productSeats;
  if (over <= 0 || !l.seatRules?.overdraft) return null;
  return <div className="reason">{plural(over, 'seat')} over licence, from the overdraft (billed by the vendor)</div>;
}

/** Each feature, with its own seat count when the code gives it one ("render · 2 seats"); `quiet`: nothing for none. */
function FeatureChips({ l, quiet }: { l: LicenseView; quiet?: boolean }) {
  const features = featuresWithSeats(l);
  if (!features.length) return quiet ? null : <span className="muted">None</span>;
  return (
    <span className="chips">
      {features.map((f) => (
        <span key={f.feature} className="chip">
          {f.feature}{f.seats !== undefined && <span className="chip-count"> · {plural(f.seats, 'seat')}</span>}
        </span>
      ))}
    </span>
  );
}

/** "Jan 1, 2026 – Jul 1, 2027" that wraps at the dash (or before "no end date"), never inside a date. */
function keepDatesWhole(text: string): string {
  return text.replace(/ /g, '\u00a0').replace(/\u00a0–\u00a0/g, ' – ').replace(/,\u00a0(?=\D)/g, ', ');
}

function featuresText(l: LicenseView): string {
  const features = featuresWithSeats(l);
  if (!features.length) return 'None';
  return features.map((f) => (f.seats === undefined ? f.feature : `${f.feature} (${plural(f.seats, 'seat')} of its own)`)).join(', ');
}

function LicenseDetails({ l, onClose }: { l: LicenseView; onClose: () => void }) {
  const s = stateBadge(l);
  const rules = seatRuleNotes(l.seatRules);
  return (
    <Dialog title={`${l.product} license`} onClose={onClose} wide footer={<button type="button" className="button" onClick={onClose}>Close</button>}>
      <dl className="facts">
        <dt>Product</dt><dd>{l.product}</dd>
        <dt>Seats</dt><dd>{plural(l.seats, 'seat')} · {l.product} has {l.productSeats} in all, {l.productInUse} in use</dd>
        <dt>State</dt><dd><Badge tone={s.tone}>{s.label}</Badge>{l.stateReason && <span className="reason-inline"> <Prose text={stateReasonText(l.stateReason)} /></span>}</dd>
        <dt>Customer</dt><dd>{l.customer || '—'}</dd>
        <dt>Features</dt><dd>{featuresText(l)}</dd>
        {rules.length > 0 && (
          <>
            <dt>Seat rules</dt>
            <dd><ul className="plain-list rule-list">{rules.map((n) => <li key={n.label}><strong>{n.label}</strong>: {n.help}</li>)}</ul></dd>
          </>
        )}
        <dt>Valid</dt><dd>{validity(l)}</dd>
        <dt>Lease length</dt><dd>{formatDuration(l.leaseSecs * 1000)} (a computer that stops answering frees its seat after this)</dd>
        <dt>Added</dt><dd>{formatDateTime(l.addedAt)}</dd>
        <dt>License id</dt><dd className="mono">{l.licenseId}</dd>
        <dt>Vendor key</dt><dd className="mono">{l.vendorKey}</dd>
        <dt>Code</dt><dd><CopyValue value={l.code} label="license code" /></dd>
      </dl>
    </Dialog>
  );
}
