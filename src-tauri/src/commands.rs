//! What the window may ask of the app. Each command is one call.

use crate::connection::ConnectionInfo;
use crate::embedded::EmbeddedServer;
use crate::error::DesktopError;
use tauri::{AppHandle, State};

/// The server's address and admin token, and what this host can do.
#[tauri::command]
pub async fn connection(server: State<'_, EmbeddedServer>) -> Result<ConnectionInfo, DesktopError> {
    Ok(server.info().await)
}

#[tauri::command]
pub async fn server_stop(app: AppHandle) -> Result<ConnectionInfo, DesktopError> {
    Ok(crate::control::stop(&app).await)
}

#[tauri::command]
pub async fn server_start(app: AppHandle) -> Result<ConnectionInfo, DesktopError> {
    crate::control::start(&app).await
}

/// Moves the server to another port (after a port conflict).
#[tauri::command]
pub async fn server_restart_on_port(
    app: AppHandle,
    port: u16,
) -> Result<ConnectionInfo, DesktopError> {
    crate::control::restart_on(&app, port).await
}
