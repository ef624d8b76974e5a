//! The License Mode tab's host side: this computer's `client.toml` (the file
//! `leasehold-client` reads), read and written through the client library,
//! plus finding servers and testing one. No settings logic lives here: the
//! library parses, validates and writes; this module only shapes the answers
//! for the window.

use leasehold_client::discovery::{self, FoundServer};
use leasehold_client::settings::{self, SettingsError};
use leasehold_client::standalone::{self, StandaloneError};
use leasehold_client::{ClientError, ServerApi, Settings, VendorPublicKey};
use leasehold_core::Timestamp;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Set to anything but `0`/`false` and "Find servers" refuses to browse the
/// network (tests must never send mDNS queries on real interfaces).
pub const NO_DISCOVERY_ENV: &str = "LEASEHOLD_NO_DISCOVERY";
/// The vendor's public key(s), comma-separated, for checking a standalone
/// license file (as `leasehold client` reads it).
pub const VENDOR_KEY_ENV: &str = "LEASEHOLD_VENDOR_KEY";
/// The longest "Find servers" may browse.
const MAX_DISCOVERY: Duration = Duration::from_secs(10);

/// What the commands need from the app's environment, read once at start
/// (the app's managed state for License Mode).
pub struct ClientContext {
    /// For checking a standalone license file (`LEASEHOLD_VENDOR_KEY`, trusted keys).
    pub vendor_keys: Vec<VendorPublicKey>,
    /// `LEASEHOLD_NO_DISCOVERY`: "Find servers" refuses to browse.
    pub no_discovery: bool,
}

impl ClientContext {
    #[must_use]
    pub fn from_env(trusted: &[VendorPublicKey]) -> Self {
        Self {
            vendor_keys: vendor_keys(std::env::var(VENDOR_KEY_ENV).ok(), trusted),
            no_discovery: discovery_disabled(std::env::var(NO_DISCOVERY_ENV).ok().as_deref()),
        }
    }
}

/// An error the window can show (`message`) and tell apart (`code`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<SettingsError> for CommandError {
    fn from(e: SettingsError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

/// The settings as the window sees them: the client's settings, flat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum ClientSettings {
    // Fields renamed per variant: utoipa does not read `rename_all_fields`.
    #[serde(rename_all = "camelCase")]
    Standalone {
        #[schema(value_type = String)]
        license_file: PathBuf,
    },
    #[serde(rename_all = "camelCase")]
    Network {
        /// Find servers over mDNS first.
        auto: bool,
        /// `host:port` (`https://host:port` over TLS), tried in order.
        servers: Vec<String>,
        /// SHA-256 fingerprints of the certificates trusted for `https://`
        /// servers.
        #[serde(default)]
        tls_fingerprints: Vec<String>,
    },
}

impl From<Settings> for ClientSettings {
    fn from(s: Settings) -> Self {
        match s {
            Settings::Standalone { license_file } => Self::Standalone { license_file },
            Settings::Network {
                auto,
                servers,
                tls_fingerprints,
            } => Self::Network {
                auto,
                servers,
                tls_fingerprints,
            },
        }
    }
}

impl From<ClientSettings> for Settings {
    fn from(s: ClientSettings) -> Self {
        match s {
            ClientSettings::Standalone { license_file } => Self::Standalone { license_file },
            ClientSettings::Network {
                auto,
                servers,
                tls_fingerprints,
            } => Self::Network {
                auto,
                servers,
                tls_fingerprints,
            },
        }
    }
}

/// What `client_settings_get` and `client_settings_set` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// The settings file (shown, so a person can find it).
    #[schema(value_type = String)]
    pub path: PathBuf,
    /// False until the file is first saved (the defaults are shown).
    pub exists: bool,
    /// The settings in effect; the defaults when there is no file, null
    /// when the file is invalid.
    #[schema(required)]
    pub settings: Option<ClientSettings>,
    /// Why the file cannot be used (invalid, unreadable): it is left as it
    /// is until the person confirms replacing it.
    #[schema(required)]
    pub error: Option<CommandError>,
    /// For standalone mode: what the license file holds.
    #[schema(required)]
    pub license: Option<LicenseCheck>,
}

/// A standalone license file, checked the way the client checks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum LicenseCheck {
    /// Valid for this computer now.
    #[serde(rename_all = "camelCase")]
    Valid {
        product: String,
        customer: String,
        #[schema(required)]
        valid_until: Option<Timestamp>,
        features: Vec<String>,
    },
    /// Cannot be used; `code` as the client reports it.
    Invalid { code: String, message: String },
    /// No vendor key is known to this app, so the file cannot be checked here.
    Unknown { message: String },
}

/// What a server said to `hello`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestedServer {
    /// `host:port` as asked.
    pub address: String,
    pub server_name: String,
    pub server_id: String,
    pub version: String,
    pub protocol_version: u32,
    pub elapsed_ms: u64,
}

/// The settings file: `LEASEHOLD_CLIENT_CONFIG`, else the platform's.
///
/// # Errors
/// No config directory (and no override).
pub fn path() -> Result<PathBuf, CommandError> {
    Ok(settings::default_path()?)
}

/// Reads the settings at `path`. An invalid file is not an error here: it is
/// reported in the view, so the tab can show it and offer to replace it.
#[must_use]
pub fn load(path: &Path, vendor_keys: &[VendorPublicKey]) -> SettingsView {
    let (exists, settings, error) = match Settings::load_if_exists(path) {
        Ok(Some(s)) => (true, Some(s), None),
        Ok(None) => (false, Some(Settings::default()), None),
        Err(e) => (path.exists(), None, Some(CommandError::from(e))),
    };
    let license = match &settings {
        Some(Settings::Standalone { license_file }) => {
            Some(check_license(license_file, vendor_keys))
        }
        _ => None,
    };
    SettingsView {
        path: path.to_owned(),
        exists,
        settings: settings.map(ClientSettings::from),
        error,
        license,
    }
}

/// Writes `new` to `path` (atomically, by the client library) and answers
/// the file as it now reads. A file that exists but is invalid is replaced
/// only when `replace_invalid` is true.
///
/// # Errors
/// `settings_invalid` for settings the client would refuse (a network mode
/// with neither discovery nor servers, a bad address, an empty license path);
/// `settings_invalid_existing` for an invalid file not to be replaced; the
/// library's write errors.
pub fn save(
    path: &Path,
    new: ClientSettings,
    replace_invalid: bool,
    vendor_keys: &[VendorPublicKey],
) -> Result<SettingsView, CommandError> {
    let new = Settings::from(new);
    // The same check the client makes when it reads the file back.
    Settings::parse(&new.to_toml(), path)?;
    if !replace_invalid && let Err(e) = Settings::load_if_exists(path) {
        return Err(CommandError::new(
            "settings_invalid_existing",
            format!("{e}. Confirm to replace it with the new settings."),
        ));
    }
    new.save(path)?;
    Ok(load(path, vendor_keys))
}

/// Checks a standalone license file for this computer, now.
#[must_use]
pub fn check_license(file: &Path, vendor_keys: &[VendorPublicKey]) -> LicenseCheck {
    if vendor_keys.is_empty() {
        return LicenseCheck::Unknown {
            message: format!(
                "The vendor's public key is not known to this app, so the license file cannot be \
                 checked here; the application checks it when it starts. (Set {VENDOR_KEY_ENV} \
                 to check it here.)"
            ),
        };
    }
    let machine = match leasehold_client::identity::machine_id() {
        Ok(m) => m,
        Err(e) => {
            return LicenseCheck::Invalid {
                code: "identity".into(),
                message: e.to_string(),
            };
        }
    };
    let latest = leasehold_client::clock_state::default_path()
        .and_then(|p| leasehold_client::clock_state::latest_seen(&p));
    match standalone::verify_file(file, vendor_keys, &machine, Timestamp::now(), latest) {
        Ok(lic) => LicenseCheck::Valid {
            product: lic.terms.product.to_string(),
            customer: lic.terms.customer,
            valid_until: lic.terms.valid_until,
            features: lic.terms.features,
        },
        Err(e @ StandaloneError::NoVendorKey) => LicenseCheck::Unknown {
            message: e.to_string(),
        },
        Err(e) => LicenseCheck::Invalid {
            code: e.code().into(),
            message: e.to_string(),
        },
    }
}

/// Vendor keys for checking standalone files: `LEASEHOLD_VENDOR_KEY`, then
/// the keys the app's server was told to trust.
#[must_use]
pub fn vendor_keys(var: Option<String>, trusted: &[VendorPublicKey]) -> Vec<VendorPublicKey> {
    let mut keys: Vec<VendorPublicKey> = var
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .filter_map(|k| match k.parse() {
            Ok(key) => Some(key),
            Err(e) => {
                tracing::warn!("{VENDOR_KEY_ENV} has {k:?}, which is not a vendor public key: {e}");
                None
            }
        })
        .collect();
    keys.extend(trusted.iter().cloned());
    keys
}

/// Whether `LEASEHOLD_NO_DISCOVERY` forbids browsing.
#[must_use]
pub fn discovery_disabled(var: Option<&str>) -> bool {
    var.is_some_and(|v| {
        let v = v.trim();
        !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false")
    })
}

/// Browses the network for `timeout` (at most 10 s) and lists the servers.
///
/// # Errors
/// `discovery_disabled` when `disabled`; mDNS that cannot run at all.
pub async fn discover(timeout: Duration, disabled: bool) -> Result<Vec<FoundServer>, CommandError> {
    if disabled {
        return Err(CommandError::new(
            "discovery_disabled",
            format!(
                "Finding servers is turned off for this app ({NO_DISCOVERY_ENV} is set). \
                 Enter the server's address instead."
            ),
        ));
    }
    discovery::discover(timeout.min(MAX_DISCOVERY))
        .await
        .map_err(|e| CommandError::new("discovery_failed", e.to_string()))
}

/// Asks the server at `address` who it is (an `https://` one trusted by
/// one of `tls_fingerprints`, or by the system).
///
/// # Errors
/// The client's error: `invalid_address`, `invalid_tls_fingerprint`,
/// `unreachable` (with the reason), `untrusted_certificate`, `protocol`, or
/// the server's own.
pub async fn test_connection(
    address: &str,
    tls_fingerprints: &[String],
) -> Result<TestedServer, CommandError> {
    let t0 = Instant::now();
    let api = ServerApi::with_fingerprints(address.trim(), tls_fingerprints)?;
    let hello = api.hello().await?;
    Ok(TestedServer {
        address: api.address().to_owned(),
        server_name: hello.server_name,
        server_id: hello.server_id.to_string(),
        version: hello.version,
        protocol_version: hello.protocol_version,
        elapsed_ms: u64::try_from(t0.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
#[path = "client_settings_tests.rs"]
mod tests;
