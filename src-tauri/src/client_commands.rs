//! The License Mode tab's commands. Each is one call into
//! [`crate::client_settings`], which calls the client library.

use crate::client_settings::{
    self as cs, ClientSettings, CommandError, SettingsView, TestedServer,
};
use leasehold_client::VendorPublicKey;
use leasehold_client::discovery::FoundServer;
use tauri::State;

/// What the commands need from the app's environment, read once at start.
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
            vendor_keys: cs::vendor_keys(std::env::var(cs::VENDOR_KEY_ENV).ok(), trusted),
            no_discovery: cs::discovery_disabled(
                std::env::var(cs::NO_DISCOVERY_ENV).ok().as_deref(),
            ),
        }
    }
}

#[tauri::command]
pub fn client_settings_get(ctx: State<'_, ClientContext>) -> Result<SettingsView, CommandError> {
    Ok(cs::load(&cs::path()?, &ctx.vendor_keys))
}

#[tauri::command]
pub fn client_settings_set(
    ctx: State<'_, ClientContext>,
    settings: ClientSettings,
    replace_invalid: Option<bool>,
) -> Result<SettingsView, CommandError> {
    cs::save(
        &cs::path()?,
        settings,
        replace_invalid.unwrap_or(false),
        &ctx.vendor_keys,
    )
}

#[tauri::command]
pub async fn client_discover(
    ctx: State<'_, ClientContext>,
    timeout_secs: Option<f64>,
) -> Result<Vec<FoundServer>, CommandError> {
    let secs = timeout_secs
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(3.0);
    cs::discover(
        std::time::Duration::from_secs_f64(secs.min(10.0)),
        ctx.no_discovery,
    )
    .await
}

#[tauri::command]
pub async fn client_test_connection(address: String) -> Result<TestedServer, CommandError> {
    cs::test_connection(&address).await
}
