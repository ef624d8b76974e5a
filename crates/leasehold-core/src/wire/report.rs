//! The usage report a server signs for its vendor (`leasehold admin report`,
//! checked by `leasehold vendor verify-report`): one file with the period's
//! figures per product, the licences and activations they came from, and
//! the event log of the period as a hash chain with its ends.

use crate::event::Event;
use crate::ids::Product;
use crate::time::Timestamp;
use crate::wire::client::Chain;
use serde::{Deserialize, Serialize};

/// The report format this build writes and reads.
pub const REPORT_FORMAT: u32 = 1;

/// The report file: the body as the exact text the server signed, and the
/// signature (hex) by the server's key named in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedReport {
    /// A [`ReportBody`] as JSON text.
    pub report: String,
    pub signature: String,
}

/// What a report says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportBody {
    pub format: u32,
    pub server_id: String,
    pub server_name: String,
    /// The key the report is signed with (hex), as the server's hello and
    /// its activations name it.
    pub server_public_key: String,
    pub generated_at: Timestamp,
    pub from: Timestamp,
    pub to: Timestamp,
    pub products: Vec<ProductReport>,
    /// Per product, the licence codes counting when the report was made
    /// and their activations for this server.
    pub chains: Vec<Chain>,
    pub events: ReportEvents,
}

/// One product's figures over the period (from the hourly history and the
/// token ledger).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductReport {
    pub product: Product,
    /// Most seats licensed at once.
    pub seats: u32,
    /// Most seats in use at once.
    pub peak_in_use: u32,
    pub denials: u64,
    pub peak_waiting: u32,
    /// Most seats in use beyond the licensed ones at once.
    pub peak_overdraft: u32,
    /// Hours in which some seat was in overdraft.
    pub overdraft_hours: u32,
    /// Spends of consumption tokens, units spent, and of them units beyond
    /// the balance (the token overdraft).
    pub spends: u64,
    pub tokens_spent: u64,
    pub tokens_over: u64,
}

/// The event log of the period as a hash chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportEvents {
    /// The hash the first event links to (hex): the previous report's
    /// `endHash` when nothing is missing between the two.
    pub start_hash: String,
    /// The last event's hash (hex): the next report starts from it.
    pub end_hash: String,
    pub items: Vec<ChainedEvent>,
}

/// An event and its link in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChainedEvent {
    pub event: Event,
    /// [`Event::chain_hash`] over the previous link (hex).
    pub hash: String,
}
