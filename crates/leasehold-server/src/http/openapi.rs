//! The OpenAPI document, generated from the handlers and wire types. The
//! UI's TypeScript types are generated from it in turn.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Leasehold", description = "Floating-license lease server: client protocol under /v1, admin API under /admin/v1 (bearer token)."),
    paths(
        super::client::hello, super::client::chain, super::client::checkout, super::client::renew, super::client::release,
        super::admin::status, super::admin::list_licenses, super::admin::add_license, super::admin::remove_license,
        super::admin::computers, super::admin::disconnect, super::admin::events, super::admin::event_stream,
        super::admin::logs, super::admin::trusted_keys, super::admin::add_trusted_key, super::admin::set_mdns,
        super::admin::backup,
        super::activation::activation_request, super::activation::import_activation, super::activation::deactivate,
        super::activation::activate_online, super::activation::set_authority, super::activation::deactivation_proof,
    ),
    components(schemas(leasehold_core::event::Event, leasehold_core::lease::Lease, leasehold_core::ErrorCode, leasehold_core::wire::admin::ComputerSort, leasehold_core::wire::admin::SortOrder)),
    modifiers(&Security),
    tags((name = "client", description = "What applications call"), (name = "admin", description = "What the admin UI and CLI call")),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let codes: Vec<String> = leasehold_core::ErrorCode::ALL
            .iter()
            .map(|c| format!("- `{c}` ({}): {}", c.http_status(), c.meaning()))
            .collect();
        let description = openapi.info.description.get_or_insert_with(String::new);
        description
            .push_str("\n\nEvery error is JSON `{ code, message }` with these stable codes:\n");
        description.push_str(&codes.join("\n"));
        openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    }
}

/// The whole document.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
