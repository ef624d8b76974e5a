//! The usage report for the vendor (`GET /admin/v1/report`, `leasehold
//! admin report`): the period's figures per product, the chains (codes and
//! activations) they came from, and the events of the period with their
//! links, signed by the server's key. `leasehold_core::report::verify` is
//! the vendor's check.

use super::Engine;
use crate::error::{Error, Result};
use crate::store::MAX_REPORT_EVENTS;
use ed25519_dalek::Signer;
use leasehold_core::Timestamp;
use leasehold_core::event::CHAIN_START;
use leasehold_core::wire::report::{REPORT_FORMAT, ReportBody, ReportEvents, SignedReport};

impl Engine {
    /// Makes and signs the report of `from..to`.
    ///
    /// # Errors
    /// `invalid_field` for an empty period or one with more events than a
    /// report carries; a store error.
    pub async fn usage_report(&self, from: Timestamp, to: Timestamp) -> Result<SignedReport> {
        // A period that ends before it starts is an empty one: no figures,
        // no events, the chain where it stood before it.
        let to = Timestamp(to.0.max(from.0));
        let data = self
            .inner
            .store
            .report_data(from, to)
            .await?
            .ok_or_else(|| Error::InvalidField {
                field: "from",
                reason: format!(
                    "the period holds more than {MAX_REPORT_EVENTS} events; make reports of shorter periods"
                ),
            })?;
        let start_hash = data.start_hash.unwrap_or_else(|| hex::encode(CHAIN_START));
        let end_hash = data
            .events
            .last()
            .map_or_else(|| start_hash.clone(), |e| e.hash.clone());
        let products = self.table().pools().products();
        let chains = products
            .iter()
            .map(|p| (*self.chain(p)).clone())
            .filter(|c| !c.links.is_empty())
            .collect();
        let identity = self.identity();
        let body = ReportBody {
            format: REPORT_FORMAT,
            server_id: identity.server_id.to_string(),
            server_name: identity.server_name.clone(),
            server_public_key: self.public_key_hex(),
            generated_at: self.now(),
            from,
            to,
            products: data.products,
            chains,
            events: ReportEvents {
                start_hash,
                end_hash,
                items: data.events,
            },
        };
        let report = serde_json::to_string(&body)
            .map_err(|e| Error::Internal(format!("writing the report: {e}")))?;
        let signature = hex::encode(self.inner.signer.key().sign(report.as_bytes()).to_bytes());
        Ok(SignedReport { report, signature })
    }
}
