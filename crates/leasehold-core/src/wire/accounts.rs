//! Admin accounts (`/admin/v1/accounts`, `/admin/v1/session`): who may do
//! what on a server. Each account has a role; each admin route needs one.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What an account may do, each role including the ones before it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees everything, changes nothing.
    Viewer,
    /// Also disconnects seats, removes waiting clients, acknowledges alerts.
    Operator,
    /// Also licences, vendor keys, policy, settings and accounts.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Viewer, Self::Operator, Self::Admin];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }

    /// The role named `s` (`viewer`, `operator`, `admin`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may do what `needed` may.
    #[must_use]
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Shortest password taken, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password taken, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Longest account name, in bytes.
pub const MAX_ACCOUNT_NAME: usize = 64;
/// Longest token label, in characters.
pub const MAX_TOKEN_LABEL: usize = 80;

/// One account as `GET /admin/v1/accounts` lists it (never its password).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub name: String,
    pub role: Role,
    /// It can sign in with a password (else only with a token).
    pub has_password: bool,
    /// The account the data directory's `admin-token` signs in as (the
    /// desktop app and `leasehold admin` on the server's machine): it keeps
    /// the admin role and cannot be removed.
    pub local_admin: bool,
    /// Tokens for scripts it has.
    pub tokens: u32,
    pub created_at: Timestamp,
}

/// `POST /admin/v1/accounts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    /// Lower-case letters, digits and `. _ - @`, starting with a letter or digit.
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._@-]*$"
    )]
    pub name: String,
    pub role: Role,
    /// At least 8 characters; without one the account signs in only with
    /// tokens.
    #[serde(default)]
    #[schema(schema_with = optional_password)]
    pub password: Option<String>,
}

/// `PUT /admin/v1/accounts/{name}`: a new role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountChange {
    pub role: Role,
}

/// `PUT /admin/v1/accounts/{name}/password`. An account changing its own
/// password gives its current one, admins too (unless it has none, or the
/// caller signed in with the data directory's `admin-token`); an admin sets
/// anyone else's without.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordChange {
    #[serde(default)]
    #[schema(max_length = 128)]
    pub current_password: Option<String>,
    #[schema(schema_with = password)]
    pub password: String,
}

/// `POST /admin/v1/session`: sign in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignIn {
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    #[schema(min_length = 1, max_length = 128)]
    pub password: String,
}

/// How a call proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignedInBy {
    /// A password sign-in's session.
    Session,
    /// A token for scripts (or the data directory's `admin-token`).
    Token,
}

/// `POST /admin/v1/session/confirm`: the signed-in account's password,
/// given again before an action that hands out access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmPassword {
    #[schema(min_length = 1, max_length = 128)]
    pub password: String,
}

/// `GET /admin/v1/session`: who the caller is. `POST` adds the session's
/// token (shown once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub account: String,
    pub role: Role,
    pub by: SignedInBy,
    pub local_admin: bool,
    /// The account has a password (else only tokens sign it in).
    pub has_password: bool,
    /// A session ends after this (sooner when unused for 12 hours).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// A session may make accounts, change roles, set another's password
    /// and make tokens until this; past it those answer
    /// `password_confirmation_required` until `POST
    /// /admin/v1/session/confirm` gives the password again. Tokens are not
    /// asked (absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_until: Option<Timestamp>,
    /// The caller holds the data directory's `admin-token` (the machine's
    /// owner): it is asked for no current password.
    #[serde(default)]
    pub data_dir_token: bool,
    /// The session's bearer token: only in the answer to a sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A token for scripts, as listed (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    pub id: String,
    pub label: String,
    pub created_at: Timestamp,
    /// The data directory's `admin-token` (cannot be revoked here).
    pub data_dir: bool,
}

/// `POST /admin/v1/accounts/{name}/tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    /// What the token is for, e.g. `nightly report`.
    #[schema(schema_with = token_label)]
    pub label: String,
}

/// The answer to `POST /admin/v1/accounts/{name}/tokens`: the token, shown
/// this once (the server keeps only its digest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenMade {
    #[serde(flatten)]
    pub view: TokenView,
    pub token: String,
}

/// The answer to `DELETE /admin/v1/accounts/{name}/tokens`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokensRevoked {
    /// How many tokens were revoked (the data directory's is never one).
    pub revoked: u32,
}

/// A new password's schema: 8 to 128 characters, no control characters.
#[must_use]
pub fn password() -> utoipa::openapi::schema::ObjectBuilder {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(MIN_PASSWORD_CHARS))
        .max_length(Some(MAX_PASSWORD_CHARS))
        .pattern(Some("^[^\\u0000-\\u001F\\u007F-\\u009F]*$"))
        .description(Some("8 to 128 characters, no control characters."))
}

/// A new account's password, or null (none: it signs in only with tokens).
#[must_use]
pub fn optional_password() -> utoipa::openapi::schema::ObjectBuilder {
    use utoipa::openapi::schema::{SchemaType, Type};
    password().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

/// A token's label: not blank, at most 80 characters, no control or
/// invisible characters.
#[must_use]
pub fn token_label() -> utoipa::openapi::schema::ObjectBuilder {
    super::schema::name_schema(true, MAX_TOKEN_LABEL).description(Some(
        "What the token is for. Not blank, no control or invisible characters.",
    ))
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn each_role_includes_the_ones_before_it() {
        assert!(Role::Admin.allows(Role::Operator) && Role::Admin.allows(Role::Viewer));
        assert!(Role::Operator.allows(Role::Viewer) && !Role::Operator.allows(Role::Admin));
        assert!(!Role::Viewer.allows(Role::Operator));
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert_eq!(Role::parse("root"), None);
    }
}
