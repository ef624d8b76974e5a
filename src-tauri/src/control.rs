//! Start, stop and move the embedded server, then bring the tray and the
//! window up to date. Shared by the window's commands and the tray menu.

use crate::connection::ConnectionInfo;
use crate::embedded::EmbeddedServer;
use crate::error::DesktopError;
use tauri::{AppHandle, Manager, Runtime};

pub async fn stop<R: Runtime>(app: &AppHandle<R>) -> ConnectionInfo {
    let info = app.state::<EmbeddedServer>().stop().await;
    updated(app, &info);
    info
}

/// # Errors
/// As [`EmbeddedServer::start`].
pub async fn start<R: Runtime>(app: &AppHandle<R>) -> Result<ConnectionInfo, DesktopError> {
    let info = app.state::<EmbeddedServer>().start().await?;
    updated(app, &info);
    Ok(info)
}

/// # Errors
/// As [`EmbeddedServer::restart_on`].
pub async fn restart_on<R: Runtime>(
    app: &AppHandle<R>,
    port: u16,
) -> Result<ConnectionInfo, DesktopError> {
    let info = app.state::<EmbeddedServer>().restart_on(port).await?;
    updated(app, &info);
    Ok(info)
}

/// The tray's Start/Stop item.
pub async fn toggle<R: Runtime>(app: &AppHandle<R>) {
    if app.state::<EmbeddedServer>().info().await.running {
        stop(app).await;
    } else if let Err(e) = start(app).await {
        tracing::error!("the server did not start: {e}");
    }
}

fn updated<R: Runtime>(app: &AppHandle<R>, info: &ConnectionInfo) {
    crate::tray::show_running(app, info.running);
    crate::window::tell(app, info);
}
