//! The role each admin route needs: one table. What is not listed needs
//! the admin role, so a route added without a thought is closed, not open.

use axum::http::Method;
use leasehold_core::wire::accounts::Role;

/// Routes a viewer may call: everything that only reads, but for secrets
/// (the backup, the alert settings: a webhook URL is its own key). (`POST
/// /admin/v1/policy/check` is a dry run; the session's and the accounts'
/// own routes check "this account or an admin" themselves.)
const VIEWER: &[(&str, &str)] = &[
    ("GET", "/admin/v1/status"),
    ("GET", "/admin/v1/licenses"),
    ("GET", "/admin/v1/licenses/{license_id}/activation-request"),
    ("GET", "/admin/v1/licenses/{license_id}/deactivation-proof"),
    ("GET", "/admin/v1/computers"),
    ("GET", "/admin/v1/events"),
    ("GET", "/admin/v1/events/stream"),
    ("GET", "/admin/v1/logs"),
    ("GET", "/admin/v1/trusted-keys"),
    ("GET", "/admin/v1/policy"),
    ("POST", "/admin/v1/policy/check"),
    ("GET", "/admin/v1/queue"),
    ("GET", "/admin/v1/named-users"),
    ("GET", "/admin/v1/named-users/{product}"),
    ("GET", "/admin/v1/usage"),
    ("GET", "/admin/v1/usage/ledger"),
    ("GET", "/admin/v1/report"),
    ("GET", "/admin/v1/settings"),
    ("GET", "/admin/v1/session"),
    ("DELETE", "/admin/v1/session"),
    ("POST", "/admin/v1/session/confirm"),
    ("GET", "/admin/v1/accounts"),
    ("GET", "/admin/v1/alerts"),
    ("PUT", "/admin/v1/accounts/{name}/password"),
    ("GET", "/admin/v1/accounts/{name}/tokens"),
    ("POST", "/admin/v1/accounts/{name}/tokens"),
    ("DELETE", "/admin/v1/accounts/{name}/tokens"),
    ("DELETE", "/admin/v1/accounts/{name}/tokens/{token_id}"),
];

/// Routes an operator may call besides: the day-to-day actions (disconnect,
/// remove a waiter, acknowledge an alert).
const OPERATOR: &[(&str, &str)] = &[
    ("POST", "/admin/v1/disconnect"),
    ("DELETE", "/admin/v1/queue/{ticket}"),
    ("POST", "/admin/v1/alerts/{alert_id}/acknowledge"),
];

/// The role `method` on the route `path` (its pattern, as routed) needs.
#[must_use]
pub fn needed(method: &Method, path: &str) -> Role {
    let is = |list: &[(&str, &str)]| {
        list.iter()
            .any(|(m, p)| *m == method.as_str() && *p == path)
    };
    if is(VIEWER) {
        Role::Viewer
    } else if is(OPERATOR) {
        Role::Operator
    } else {
        Role::Admin
    }
}
