//! The schema of what the window's commands take and answer, as an OpenAPI
//! document with components only (the commands are Tauri calls, not HTTP
//! paths). The UI's TypeScript types for the host are generated from it:
//! `ui/src/api/host-openapi.json` → `npm run gen:api` → `host-schema.d.ts`.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Leasehold desktop host",
        description = "What the desktop app's commands take and answer (`window.__LEASEHOLD__` is a `ConnectionInfo`). A refused command answers `{ code, message }` (`Problem`, `CommandError`)."
    ),
    components(schemas(
        crate::connection::ConnectionInfo,
        crate::connection::Problem,
        crate::listen::PortConflict,
        crate::service::Attached,
        crate::service::Control,
        crate::client_settings::CommandError,
        crate::client_settings::ClientSettings,
        crate::client_settings::SettingsView,
        crate::client_settings::LicenseCheck,
        crate::client_settings::TestedServer,
        leasehold_client::discovery::FoundServer,
    ))
)]
struct HostDoc;

/// The whole document.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    HostDoc::openapi()
}
