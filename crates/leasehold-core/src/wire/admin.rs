//! The admin API under `/admin/v1/`: licenses, computers, disconnect, status,
//! events, trusted keys.

use crate::event::Event;
use crate::ids::{ClientId, LeaseId, LicenseId, Product, ServerId};
use crate::lease::Lease;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A license code's state on this server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum LicenseState {
    Active,
    Expired,
    NotYetValid,
    /// Stored, but no longer verifies (e.g. its vendor key was removed).
    Invalid,
}

/// One license code as the Licenses tab shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseView {
    pub license_id: LicenseId,
    pub product: Product,
    pub seats: u32,
    /// Seats of this code's product in use now (all codes of a product share one pool).
    pub product_in_use: u32,
    /// Seats of this code's product counting now, summed over its codes.
    pub product_seats: u32,
    pub customer: String,
    pub features: Vec<String>,
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub lease_secs: u32,
    pub state: LicenseState,
    /// Why it is not active, in words.
    pub state_reason: Option<String>,
    /// Fingerprint of the vendor key that signed it.
    pub vendor_key: String,
    pub added_at: Timestamp,
    pub code: String,
}

/// `POST /admin/v1/licenses`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddLicense {
    pub code: String,
    /// Only check the code and show what it would add; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// `DELETE /admin/v1/licenses/{licenseId}`: what the removal did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LicenseRemoved {
    pub license_id: LicenseId,
    pub product: Product,
    /// Seats of the product counting after the removal.
    pub seats_now: u32,
    /// Seats in use: if more than `seats_now`, those leases run to their end
    /// and are not renewed.
    pub in_use: u32,
}

/// A lease as the Computers tab shows it.
pub type LeaseView = Lease;

/// Every lease of one computer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComputerView {
    pub client_id: ClientId,
    pub host: String,
    pub address: String,
    pub leases: Vec<Lease>,
}

/// `POST /admin/v1/disconnect`: one lease, or every lease of a computer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DisconnectRequest {
    pub lease_id: Option<LeaseId>,
    pub client_id: Option<ClientId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    pub ended: Vec<LeaseId>,
}

/// Seats and use of one product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductUsage {
    pub product: Product,
    pub seats: u32,
    pub in_use: u32,
    /// Most seats in use at once since the server started.
    pub high_water: u32,
    pub denials_last_hour: u32,
    /// Of `in_use`: leases that have ended but whose end could not be
    /// written yet (a full disk); their seats come back once it is.
    #[serde(default)]
    pub ending: u32,
}

/// Where a trusted vendor key came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum KeySource {
    /// Compiled into this build (a vendor's own build).
    BuiltIn,
    /// Given with `serve --trust`.
    CommandLine,
    /// Added to the data directory (admin API or CLI).
    DataDir,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrustedKeyView {
    pub public_key: String,
    pub fingerprint: String,
    pub source: KeySource,
}

/// `POST /admin/v1/trusted-keys`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddTrustedKey {
    pub public_key: String,
}

/// `GET /admin/v1/status`: what the Server tab shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerStatus {
    pub version: String,
    pub server_id: ServerId,
    pub server_name: String,
    pub started_at: Timestamp,
    pub uptime_secs: u64,
    pub listen: String,
    pub data_dir: String,
    pub admin_remote: bool,
    /// Computers holding at least one seat.
    pub connected_clients: u32,
    pub leases: u32,
    pub products: Vec<ProductUsage>,
    pub trusted_keys: Vec<TrustedKeyView>,
    /// mDNS announcement: `announcing`, `off`, `failed`, with detail.
    pub mdns: MdnsState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MdnsState {
    /// `starting`, `announcing`, `failed` or `off`.
    pub state: String,
    /// Why it failed, or the last warning.
    pub detail: Option<String>,
    /// The addresses clients see for this server.
    pub addresses: Vec<String>,
}

/// `PUT /admin/v1/mdns`: switch the announcement on or off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetMdns {
    pub enabled: bool,
}

/// `GET /admin/v1/events`: a page of events, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    pub events: Vec<Event>,
    /// The highest seq recorded so far; ask for `afterSeq` this to follow.
    pub last_seq: u64,
}
