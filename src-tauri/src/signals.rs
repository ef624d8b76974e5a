//! SIGTERM and SIGINT (log-out, `kill`, Ctrl-C in a terminal, a WebDriver
//! ending its session) quit the app the same way the tray's Quit does, so
//! the server stops cleanly.

use tauri::{AppHandle, Runtime};

/// Starts watching for the signals. Call it before the server starts: the
/// handlers are in place when this returns, so a signal that arrives while
/// the server or the window is still coming up still quits cleanly.
pub fn quit_on_signals<R: Runtime>(app: &AppHandle<R>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registered now, on the app's runtime; awaited on a task.
        let watched = tauri::async_runtime::block_on(async {
            (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            )
        });
        let (Ok(mut term), Ok(mut int)) = watched else {
            tracing::warn!(
                "cannot watch for SIGTERM/SIGINT; they will end the app without stopping the server"
            );
            return;
        };
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
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
