//! Every command the window may call (the UI calls them by these names).
//! Each is one call into the module that does the work.

use crate::client_settings::{
    self as cs, ClientContext, ClientSettings, CommandError, SettingsView, TestedServer,
};
use crate::connection::ConnectionInfo;
use crate::control;
use crate::error::DesktopError;
use crate::server::LicenseServer;
use leasehold_client::discovery::FoundServer;
use tauri::{AppHandle, State};

// The Server tab: the license server the window shows.

/// The server's address and admin token, and what this host can do.
#[tauri::command]
pub async fn connection(server: State<'_, LicenseServer>) -> Result<ConnectionInfo, DesktopError> {
    Ok(server.info().await)
}

#[tauri::command]
pub async fn server_stop(app: AppHandle) -> Result<ConnectionInfo, DesktopError> {
    Ok(control::stop(&app).await)
}

#[tauri::command]
pub async fn server_start(app: AppHandle) -> Result<ConnectionInfo, DesktopError> {
    control::start(&app).await
}

/// Moves the server to another port (after a port conflict).
#[tauri::command]
pub async fn server_restart_on_port(
    app: AppHandle,
    port: u16,
) -> Result<ConnectionInfo, DesktopError> {
    control::restart_on(&app, port).await
}

/// The window's "Install as a service": installs it (asking for an
/// administrator's password) and makes the app its console.
#[tauri::command]
pub async fn service_install(app: AppHandle) -> Result<ConnectionInfo, DesktopError> {
    control::install_service(&app).await
}

// The License Mode tab: this computer's client settings (client_settings.rs).

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
pub async fn client_test_connection(
    address: String,
    tls_fingerprints: Option<Vec<String>>,
) -> Result<TestedServer, CommandError> {
    cs::test_connection(&address, &tls_fingerprints.unwrap_or_default()).await
}
