//! The tray icon and its menu: Open, Start/Stop server, Quit. What
//! Start/Stop does is handed in (`control::toggle`, which calls back
//! [`show_running`] to relabel it), so the arrows point one way.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

const OPEN: &str = "open";
const TOGGLE: &str = "toggle-server";
const QUIT: &str = "quit";

/// The Start/Stop item, kept to relabel it when the server starts or stops.
struct Toggle<R: Runtime>(MenuItem<R>);

/// Makes the tray; `on_toggle` runs when Start/Stop is clicked.
///
/// # Errors
/// When the menu or the icon cannot be made.
pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    running: bool,
    on_toggle: impl Fn(&AppHandle<R>) + Send + Sync + 'static,
) -> tauri::Result<()> {
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
        .on_menu_event(move |app, event| match event.id().as_ref() {
            OPEN => crate::window::show(app),
            TOGGLE => on_toggle(app),
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
