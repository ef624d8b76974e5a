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
    /// Verified, but counts only once the vendor activates it for this server.
    NeedsActivation,
    /// Activated for this server's key, but on another computer (the data
    /// directory was copied): counts 0 seats until activated here.
    ActivatedElsewhere,
    /// A code with dates, not counted while this computer's clock is set back.
    ClockSetBack,
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
    /// The first instant the code is valid: 00:00 UTC of its first day.
    pub valid_from: Option<Timestamp>,
    /// The first instant the code is **no longer** valid: 00:00 UTC of the
    /// day after its last day. Show `lastDay`, not this, as its end date.
    pub valid_until: Option<Timestamp>,
    /// The first day the code is valid, `YYYY-MM-DD` (a UTC calendar day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day: Option<String>,
    /// The last day the code is valid, `YYYY-MM-DD` (a UTC calendar day; the
    /// `--expires` day it was issued with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_day: Option<String>,
    /// Whole days from today (UTC) to `lastDay`: 0 on the last day itself.
    /// Absent for a code without an end, or one that has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_left: Option<u32>,
    /// It counts now and `daysLeft` is within the server's warning window
    /// (`expiryWarningDays`): the admin should renew it.
    #[serde(default)]
    pub expiring_soon: bool,
    pub lease_secs: u32,
    pub state: LicenseState,
    /// Why it is not active, in words.
    pub state_reason: Option<String>,
    /// Fingerprint of the vendor key that signed it.
    pub vendor_key: String,
    pub added_at: Timestamp,
    pub code: String,
    /// The code counts only once activated for a server (`vendor issue
    /// --activation required`).
    #[serde(default)]
    pub activation_required: bool,
    /// When the vendor activated it for this server on this computer (the
    /// vendor's time); absent when it is not activated here. Only such a
    /// code can be deactivated here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activated_at: Option<Timestamp>,
    /// What the code lets its seats do beyond being counted (overdraft,
    /// queue, named users, borrowing, linger, feature seats).
    #[serde(default)]
    pub seat_rules: crate::license::SeatRules,
}

/// `GET /admin/v1/licenses/{licenseId}/activation-request`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivationRequestView {
    pub license_id: LicenseId,
    /// The request as copy-safe text, for the vendor's `leasehold vendor activate`.
    pub request: String,
}

/// `GET /admin/v1/licenses/{licenseId}/deactivation-proof`: the proof of
/// this server's last deactivation of the licence, to send again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeactivationProofView {
    pub license_id: LicenseId,
    pub proof: String,
}

/// `POST /admin/v1/activations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportActivation {
    /// The vendor's activation response.
    #[schema(min_length = 1)]
    pub response: String,
}

/// `POST /admin/v1/licenses/{licenseId}/deactivate`: what it did, and the
/// proof for the vendor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deactivated {
    pub license_id: LicenseId,
    pub product: Product,
    /// Seats of the product counting now.
    pub seats_now: u32,
    pub in_use: u32,
    /// The server-signed deactivation proof, for `leasehold vendor deactivate`.
    pub proof: String,
    /// With an activation authority: what it did with the proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<AuthoritySent>,
}

/// `POST /admin/v1/licenses`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddLicense {
    #[schema(min_length = 1)]
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

/// How the Computers list is sorted (`GET /admin/v1/computers?sort=`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum ComputerSort {
    /// Computer name, then client id: a computer's seats stay together.
    #[default]
    Host,
    User,
    Product,
    Address,
    /// Application name, then version.
    App,
    /// When the seat was checked out.
    Since,
    /// When it was last renewed.
    Renewed,
    /// When it runs out unless renewed.
    Expires,
}

impl ComputerSort {
    pub const ALL: [ComputerSort; 8] = [
        Self::Host,
        Self::User,
        Self::Product,
        Self::Address,
        Self::App,
        Self::Since,
        Self::Renewed,
        Self::Expires,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::User => "user",
            Self::Product => "product",
            Self::Address => "address",
            Self::App => "app",
            Self::Since => "since",
            Self::Renewed => "renewed",
            Self::Expires => "expires",
        }
    }

    /// Its place in [`Self::ALL`].
    #[must_use]
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

impl SortOrder {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// Rows of a Computers page when the request does not say, and at most.
pub const COMPUTERS_PAGE_DEFAULT: u32 = 200;
pub const COMPUTERS_PAGE_MAX: u32 = 1000;
/// Events of a page when the request does not say, and at most.
pub const EVENTS_PAGE_DEFAULT: u32 = 500;
pub const EVENTS_PAGE_MAX: u32 = 10_000;

/// One seat in the Computers list: the lease, and how many seats its
/// computer holds in all (what "disconnect the whole computer" would end).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatRow {
    pub lease: Lease,
    pub computer_seats: u32,
    /// Seats of this client id are held from more than one computer: a
    /// machine image cloned without a new machine id. Each computer has its
    /// own seat; give each clone its own machine id.
    #[serde(default)]
    pub shared_machine_id: bool,
    /// The seat is out on loan (`client borrow`) until the lease's
    /// `expiresAt`; disconnecting it ends the loan (the client loses it on
    /// its next contact).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub borrowed: bool,
    /// Feature seats the lease holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// `GET /admin/v1/computers`: one page of the seats held, in the asked order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComputersPage {
    pub rows: Vec<SeatRow>,
    /// Seats that match the search (all seats without one), as of `asOf`.
    pub matching: u64,
    /// Seats held now, and computers holding them.
    pub seats: u64,
    pub computers: u64,
    /// Give this back as `cursor` for the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// When the order and the search were worked out. Rows show each
    /// lease as it is now; a seat taken after this time is on the list from
    /// the next refresh (within seconds).
    pub as_of: Timestamp,
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
    /// Of `in_use`: seats out on loan.
    #[serde(default)]
    pub borrowed: u32,
    /// The product's features with counts of their own, and their use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<crate::wire::feature::FeatureUsage>,
    /// The product's consumption tokens in the running period, when its
    /// counting codes give any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<crate::tokens::Balance>,
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
    #[schema(min_length = 1)]
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
    /// Set while this computer's clock is behind the latest time the server
    /// saw by more than a day: codes with dates do not count meanwhile.
    pub clock_set_back: Option<ClockSetBack>,
    /// The vendor's activation authority this server activates licences
    /// with online (`PUT /admin/v1/authority`); absent when none is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority_url: Option<String>,
    /// Codes that count now and end within `expiryWarningDays`, soonest first.
    #[serde(default)]
    pub expiring: Vec<ExpiringLicense>,
    /// How many days before a code's last day it is warned of (0: never).
    #[serde(default)]
    pub expiry_warning_days: u32,
    /// HTTPS on the same port, when on; absent: plain HTTP only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsInfo>,
}

/// A code that ends soon (`ServerStatus::expiring`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExpiringLicense {
    pub license_id: LicenseId,
    pub product: Product,
    pub customer: String,
    pub seats: u32,
    /// Its last valid day, `YYYY-MM-DD` (UTC).
    pub last_day: String,
    /// 0 on the last day itself.
    pub days_left: u32,
}

/// `GET /admin/v1/settings`: the server's settings an admin may change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Warn this many days before a code's last day (0: never).
    #[schema(maximum = 365)]
    pub expiry_warning_days: u32,
}

/// `PUT /admin/v1/settings`: the settings to change; those left out stay.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChange {
    #[serde(default, deserialize_with = "super::opt_whole_u32")]
    #[schema(maximum = 365, value_type = Option<u32>)]
    pub expiry_warning_days: Option<u32>,
}

/// The longest warning window taken, in days.
pub const MAX_EXPIRY_WARNING_DAYS: u32 = 365;
/// The warning window a server starts with.
pub const DEFAULT_EXPIRY_WARNING_DAYS: u32 = 30;

/// `PUT /admin/v1/authority`: the activation authority's address, as the
/// vendor gave it (`http://host:port`); null or empty forgets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SetAuthority {
    #[schema(schema_with = authority_url)]
    pub url: Option<String>,
}

/// The address of an activation authority as the server takes it: an
/// `http://` URL naming a host by name or address, with a port and a path
/// or not; blank for none. (The server reads any URL its parser reads with
/// scheme http, a host and no user name; this is the form to send.)
#[must_use]
pub fn authority_url() -> utoipa::openapi::schema::ObjectBuilder {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .description(Some(
            "The activation authority's address, e.g. `http://activate.example.com:7879`.",
        ))
        .max_length(Some(MAX_AUTHORITY_URL))
        .pattern(Some(AUTHORITY_URL_PATTERN))
}

/// The longest authority address taken.
pub const MAX_AUTHORITY_URL: usize = 2048;

/// See [`authority_url`]: `http://`, a host (names whose last label starts
/// with a letter, or an IPv4 address), an optional port, an optional path;
/// or blank.
pub const AUTHORITY_URL_PATTERN: &str = "^ *$|^ *[Hh][Tt][Tt][Pp]://(?:(?:[A-Za-z0-9-]+\\.)*[A-Za-z][A-Za-z0-9-]*|(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?(?:/[A-Za-z0-9._~/-]*)? *$";

/// What the activation authority said to a deactivation proof this server
/// sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthoritySent {
    pub url: String,
    /// The authority freed the activation: the licence may be activated on
    /// another server now.
    pub freed: bool,
    /// Why it was not sent or not accepted; then send the proof to the
    /// vendor by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The clock was set back: what the server saw, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClockSetBack {
    /// The latest time this server saw.
    pub latest_seen: Timestamp,
    /// This computer's clock when the server noticed.
    pub clock_showed: Timestamp,
    /// What is wrong and what to do, in words.
    pub message: String,
}

/// HTTPS on the server's port (`ServerStatus::tls`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TlsInfo {
    /// SHA-256 of the certificate, `AB:CD:…` as browsers show it: compare
    /// it with what the browser (or `--tls-fingerprint`) sees.
    pub fingerprint: String,
    pub source: TlsSource,
    /// The certificate's file.
    pub certificate: String,
}

/// Whose certificate the server serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TlsSource {
    /// The admin's (`serve --tls-cert --tls-key`).
    Provided,
    /// Made by this server on its first start with TLS (self-signed).
    Made,
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
