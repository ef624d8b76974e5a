//! The OpenAPI document, generated from the handlers and wire types. The
//! UI's TypeScript types are generated from it in turn.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Stable error codes, for the document's description.
pub const ERROR_CODES: &[(&str, &str)] = &[
    (
        "no_seat_free",
        "every seat of the product is in use; retry after retryAfterSecs",
    ),
    (
        "no_license_for_product",
        "no license code names the product",
    ),
    (
        "no_valid_license",
        "the product's codes are expired or not yet valid",
    ),
    (
        "lease_not_found",
        "the lease is not known (check out again)",
    ),
    ("lease_released", "the lease was released (check out again)"),
    (
        "lease_expired",
        "the lease expired before it was renewed (check out again)",
    ),
    (
        "lease_disconnected",
        "an administrator ended the lease (check out again)",
    ),
    (
        "over_subscribed",
        "not renewed: more seats in use than licensed now; the lease ends at expiresAt",
    ),
    ("not_a_license_code", "the text is not a license code"),
    ("license_checksum", "a typo in the group the message names"),
    (
        "license_corrupt",
        "groups missing, repeated or out of order",
    ),
    (
        "license_unsupported_version",
        "a newer code format than this server reads",
    ),
    ("bad_signature", "the code was altered after it was issued"),
    (
        "untrusted_vendor",
        "the code is signed by a vendor key this server does not trust",
    ),
    ("license_expired", "the code's validity ended"),
    (
        "license_not_yet_valid",
        "the code's validity has not started (standalone licenses)",
    ),
    ("invalid_license_terms", "the code's terms break a rule"),
    (
        "license_already_added",
        "the code is already on this server",
    ),
    (
        "license_not_found",
        "no code with that id is on this server",
    ),
    ("client_not_found", "no computer with that id holds a seat"),
    ("bad_public_key", "the text is not a vendor public key"),
    (
        "trust_is_built_in",
        "this build trusts only its built-in vendor keys",
    ),
    ("unauthorized", "admin call without the right bearer token"),
    (
        "admin_remote_disabled",
        "admin call from another machine without --admin-remote",
    ),
    (
        "bad_request",
        "malformed JSON, wrong types, bad path or query",
    ),
    (
        "invalid_field",
        "a field's value is refused (empty, too long, control characters)",
    ),
    ("payload_too_large", "the request body is over the limit"),
    ("not_found", "no such route"),
    (
        "method_not_allowed",
        "the route exists but not with this method",
    ),
    ("uri_too_long", "the address (path and query) is over 8 KiB"),
    ("headers_too_large", "the request headers are over 32 KiB"),
    (
        "host_not_allowed",
        "admin call naming the server by a host name it does not know (DNS rebinding); see --allow-host",
    ),
    (
        "storage_full",
        "the disk holding the data directory is full",
    ),
    ("storage_error", "the store failed; see the server log"),
    ("storage_closed", "the server is stopping"),
    ("internal", "an internal error; see the server log"),
];

#[derive(OpenApi)]
#[openapi(
    info(title = "Leasehold", description = "Floating-license lease server: client protocol under /v1, admin API under /admin/v1 (bearer token)."),
    paths(
        super::client::hello, super::client::checkout, super::client::renew, super::client::release,
        super::admin::status, super::admin::list_licenses, super::admin::add_license, super::admin::remove_license,
        super::admin::computers, super::admin::disconnect, super::admin::events, super::admin::event_stream,
        super::admin::logs, super::admin::trusted_keys, super::admin::add_trusted_key, super::admin::set_mdns,
        super::admin::backup,
    ),
    components(schemas(leasehold_core::event::Event, leasehold_core::lease::Lease)),
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
        let codes: Vec<String> = ERROR_CODES
            .iter()
            .map(|(c, m)| format!("- `{c}`: {m}"))
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
