//! The tray icon and its menu: Open, Start/Stop server, Quit.

use crate::control;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const OPEN: &str = "open";
const TOGGLE: &str = "toggle-server";
const QUIT: &str = "quit";

/// The Start/Stop item, kept to relabel it when the server starts or stops.
struct Toggle<R: Runtime>(MenuItem<R>);

/// # Errors
/// When the menu or the icon cannot be made.
pub fn create<R: Runtime>(app: &AppHandle<R>, running: bool) -> tauri::Result<()> {
    let toggle = MenuItem::with_id(app, TOGGLE, toggle_label(running), true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, OPEN, "Open Leasehold", true, None::<&str>)?,
            &toggle,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?,
        ],
    )?;
    app.manage(Toggle(toggle));
    let mut tray = TrayIconBuilder::with_id("leasehold")
        .menu(&menu)
        .tooltip("Leasehold license server")
        .on_menu_event(|app, event| match event.id().as_ref() {
            OPEN => crate::window::show(app),
            TOGGLE => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move { control::toggle(&app).await });
            }
            QUIT => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// Relabels Start/Stop for the server's state.
pub fn show_running<R: Runtime>(app: &AppHandle<R>, running: bool) {
    if let Some(t) = app.try_state::<Toggle<R>>() {
        let _ = t.0.set_text(toggle_label(running));
    }
}

fn toggle_label(running: bool) -> &'static str {
    if running {
        "Stop server"
    } else {
        "Start server"
    }
}
