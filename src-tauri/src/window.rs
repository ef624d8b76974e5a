//! The one main window: made once with the connection script, hidden on
//! close (the server keeps serving), shown again from the tray or by a
//! second launch.

use crate::connection::ConnectionInfo;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// # Errors
/// When the window cannot be made (no display, webview failure).
pub fn create<R: Runtime>(app: &AppHandle<R>, info: &ConnectionInfo) -> tauri::Result<()> {
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("ui/".into()))
        .title("Leasehold")
        .inner_size(1200.0, 780.0)
        .min_inner_size(760.0, 500.0)
        .initialization_script(info.init_script())
        .build()?;
    Ok(())
}

/// Shows, unminimizes and focuses the main window.
pub fn show<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Tells the open page about a changed connection (running, port).
pub fn tell<R: Runtime>(app: &AppHandle<R>, info: &ConnectionInfo) {
    if let Some(w) = app.get_webview_window(MAIN)
        && let Err(e) = w.eval(info.update_script())
    {
        tracing::warn!("cannot update the window's connection: {e}");
    }
}
