//! Start, stop and move the license server, or install the service, then
//! bring the tray and the window up to date. Shared by the window's
//! commands and the tray menu.

use crate::connection::ConnectionInfo;
use crate::error::DesktopError;
use crate::server::LicenseServer;
use tauri::{AppHandle, Manager, Runtime};

pub async fn stop<R: Runtime>(app: &AppHandle<R>) -> ConnectionInfo {
    let info = app.state::<LicenseServer>().stop().await;
    updated(app, &info);
    info
}

/// # Errors
/// As [`LicenseServer::start`].
pub async fn start<R: Runtime>(app: &AppHandle<R>) -> Result<ConnectionInfo, DesktopError> {
    let info = app.state::<LicenseServer>().start().await?;
    updated(app, &info);
    Ok(info)
}

/// # Errors
/// As [`LicenseServer::restart_on`].
pub async fn restart_on<R: Runtime>(
    app: &AppHandle<R>,
    port: u16,
) -> Result<ConnectionInfo, DesktopError> {
    let info = app.state::<LicenseServer>().restart_on(port).await?;
    updated(app, &info);
    Ok(info)
}

/// # Errors
/// As [`LicenseServer::install_service`].
pub async fn install_service<R: Runtime>(
    app: &AppHandle<R>,
) -> Result<ConnectionInfo, DesktopError> {
    let info = app.state::<LicenseServer>().install_service().await?;
    updated(app, &info);
    Ok(info)
}

/// The tray's Start/Stop item: stops a running server, starts a stopped
/// one, on a task of its own (the tray's handler must not wait).
pub fn toggle<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if app.state::<LicenseServer>().info().await.running {
            stop(&app).await;
        } else if let Err(e) = start(&app).await {
            tracing::error!("the server did not start: {e}");
        }
    });
}

fn updated<R: Runtime>(app: &AppHandle<R>, info: &ConnectionInfo) {
    crate::tray::show_running(app, info.running);
    crate::window::tell(app, info);
}
