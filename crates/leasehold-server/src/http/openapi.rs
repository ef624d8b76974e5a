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
        super::policy::policy, super::policy::set_policy, super::policy::check_policy,
        super::queue::follow, super::queue::leave, super::queue::waiting, super::queue::remove,
        super::features::checkout_feature, super::features::release_feature, super::features::borrow,
        super::named::named_users, super::named::named_users_of, super::named::assign, super::named::unassign,
        super::usage::consume, super::usage::ledger, super::usage::history, super::usage::report,
        super::settings::settings, super::settings::change_settings,
        super::accounts::sign_in, super::accounts::session, super::accounts::confirm, super::accounts::sign_out, super::accounts::accounts,
        super::accounts::create, super::accounts::change, super::accounts::remove, super::accounts::password,
        super::accounts::tokens, super::accounts::make_token, super::accounts::revoke_token, super::accounts::revoke_all_tokens,
        super::alerts::alerts, super::alerts::acknowledge, super::alerts::settings, super::alerts::set_settings, super::alerts::test,
    ),
    components(schemas(leasehold_core::event::Event, leasehold_core::lease::Lease, leasehold_core::ErrorCode, leasehold_core::wire::admin::ComputerSort, leasehold_core::wire::admin::SortOrder)),
    modifiers(&Security, &Refusals, &Disconnect),
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

/// The refusals every operation of a kind can meet, added to each: an
/// admin operation's token and address checks (401, 403); a malformed
/// path, query or body (400); a body or an address over the limit (413,
/// 414).
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let responses = &mut op.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                };
                if op.security.is_some() {
                    add("401", "`unauthorized`: no or the wrong bearer token");
                    add(
                        "403",
                        "`forbidden` (the account's role is below the one this needs), `admin_remote_disabled` (a call from another machine), `tls_required` (from another machine over plain HTTP) or `host_not_allowed` (a host name the server does not know)",
                    );
                }
                if op.parameters.as_ref().is_some_and(|p| !p.is_empty())
                    || op.request_body.is_some()
                {
                    add(
                        "400",
                        "`bad_request` (malformed JSON, wrong types, a bad path or query) or `invalid_field` (a refused value)",
                    );
                }
                if op.request_body.is_some() {
                    add("413", "`payload_too_large`: a body over 64 KiB");
                }
                if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    add("414", "`uri_too_long`: the path and query over 8 KiB");
                }
            }
        }
    }
}

/// `POST /admin/v1/disconnect` takes exactly one of `leaseId` and
/// `clientId`, which the struct's schema alone cannot say.
struct Disconnect;

impl Modify for Disconnect {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, Schema};
        use utoipa::openapi::{Ref, RefOr};
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let Some(RefOr::T(Schema::Object(fields))) = components.schemas.remove("DisconnectRequest")
        else {
            return;
        };
        let one = |field: &str, schema: &str| {
            ObjectBuilder::new()
                .property(field, Ref::from_schema_name(schema))
                .required(field)
        };
        let description = fields.description.clone();
        let exactly_one = AllOfBuilder::new()
            .description(description)
            .item(Schema::Object(fields))
            .item(
                OneOfBuilder::new()
                    .item(one("leaseId", "LeaseId"))
                    .item(one("clientId", "ClientId")),
            );
        components
            .schemas
            .insert("DisconnectRequest".to_owned(), exactly_one.into());
    }
}

/// The whole document.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
