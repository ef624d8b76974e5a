//! SIGTERM and SIGINT (log-out, `kill`, Ctrl-C in a terminal, a WebDriver
//! ending its session) quit the app the same way the tray's Quit does, so
//! the server stops cleanly.

use tauri::{AppHandle, Runtime};

pub fn quit_on_signals<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                tracing::warn!(
                    "cannot watch for SIGTERM/SIGINT; they will end the app without stopping the server"
                );
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            tracing::info!("quitting on a signal");
            app.exit(0);
        });
    }
    #[cfg(not(unix))]
    let _ = app;
}
