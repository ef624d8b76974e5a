//! The Leasehold desktop app: an adapter that runs the lease server from
//! `leasehold-server` in-process, or attaches to the Leasehold service on this
//! machine, and shows the admin UI (`ui/`) in a window, with a tray icon. No
//! licensing logic lives here.
//!
//! Modules, each using only those listed before it: `settings`, `listen`,
//! `error`, `service` (finding the service), `elevate` (controlling it),
//! `connection`, `embedded` (the app's own server), `attached` (the service
//! as the app shows it), `server` (the one managed state: either of the
//! two), `window`, `tray`, `control` (actions that update tray and window),
//! `client_settings`, `commands` (every Tauri command), `host_schema`,
//! `notify` (alerts as desktop notifications).

mod assets;
mod attached;
pub mod client_settings;
mod commands;
pub mod connection;
mod control;
pub mod elevate;
mod embedded;
pub mod error;
pub mod host_schema;
pub mod listen;
pub mod notify;
pub mod server;
pub mod service;
pub mod settings;
mod signals;
mod tray;
mod window;

use client_settings::ClientContext;
use server::LicenseServer;
use settings::Settings;
use tauri::{Manager, RunEvent, WindowEvent};

/// How long Quit waits for the server to stop before exiting anyway.
const EXIT_STOP_LIMIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs the app until Quit. Exits with status 2 on a bad setting and 1 when
/// the window system cannot start.
pub fn run() {
    leasehold_server::logtail::init_logging();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("leasehold-desktop: {e}");
            std::process::exit(2);
        }
    };
    // Bind before anything else, so the port is ours before the window opens.
    let bound = listen::bind_or_fallback(settings.listen);
    let mut context = tauri::generate_context!();
    assets::serve_under_ui(&mut context);

    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            window::show(app)
        }))
        .plugin(tauri_plugin_notification::init())
        .manage(ClientContext::from_env(&settings.trust))
        .manage(LicenseServer::new(settings))
        .invoke_handler(tauri::generate_handler![
            commands::connection,
            commands::server_stop,
            commands::server_start,
            commands::server_restart_on_port,
            commands::service_install,
            commands::client_settings_get,
            commands::client_settings_set,
            commands::client_discover,
            commands::client_test_connection,
        ])
        .setup(move |app| {
            signals::quit_on_signals(app.handle());
            let info =
                tauri::async_runtime::block_on(app.state::<LicenseServer>().start_first(bound));
            window::create(app.handle(), &info)?;
            tray::create(app.handle(), info.running, control::toggle)?;
            notify::watch(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing hides to the tray; the server keeps serving. Quit is in the tray.
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .build(context);
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            eprintln!("leasehold-desktop: cannot start: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| {
        if let RunEvent::Exit = event {
            tauri::async_runtime::block_on(
                app.state::<LicenseServer>().stop_for_exit(EXIT_STOP_LIMIT),
            );
        }
    });
}
