//! The server's one error type. Every outcome a caller can act on is a
//! variant with a stable code; it becomes an HTTP answer in exactly one place
//! (`IntoResponse` below). Internal details are logged, not sent.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leasehold_core::ErrorCode;
use leasehold_core::lease::LeaseError;
use leasehold_core::license::LicenseError;
use leasehold_core::license::activation::ActivationError;
use leasehold_core::wire::{ErrorBody, SeatsTaken};
use leasehold_core::{LeaseId, LicenseId};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Lease(#[from] LeaseError),
    #[error(transparent)]
    License(#[from] LicenseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Activation(#[from] ActivationError),
    #[error(transparent)]
    Spend(#[from] leasehold_core::tokens::SpendError),
    /// An SDK that speaks another client protocol (the version it speaks).
    #[error(
        "this application's Leasehold client speaks protocol version {0}, and this server {ours}; update the application (its vendor ships the new version)",
        ours = leasehold_core::wire::PROTOCOL_VERSION
    )]
    ProtocolMismatch(u32),
    /// An activation response that reads and verifies but does not fit here.
    #[error("{0}")]
    ActivationMismatch(String),
    /// The activation authority refuses: every activation is in use.
    #[error("{0}")]
    ActivationLimitReached(String),
    /// The activation authority was asked for a code it did not issue.
    #[error("{0}")]
    NotThisVendor(String),
    /// A usage report sent to the authority that does not check.
    #[error("{0}")]
    ReportRefused(String),
    /// The activation authority could not be reached or did not answer as one.
    #[error("{0}")]
    AuthorityUnreachable(String),
    /// The activation authority refused, with its own code.
    #[error("{message}")]
    Authority { code: ErrorCode, message: String },
    #[error("license {0} is already added to this server")]
    LicenseAlreadyAdded(LicenseId),
    #[error("no license with id {0} is on this server")]
    LicenseNotFound(LicenseId),
    #[error("licence {0} needs no activation: it counts on any server as it is")]
    ActivationNotNeeded(LicenseId),
    #[error("licence {0} is not activated on this server; there is nothing to deactivate")]
    NotActivatedHere(LicenseId),
    #[error(
        "licence {0} was not deactivated on this server since it was last activated here; there is no proof to show"
    )]
    NoDeactivationProof(LicenseId),
    #[error(
        "no activation authority is set on this server: set the address your vendor gave you (Server tab, or `leasehold admin activation online LICENSE_ID --authority URL`), or use the offline exchange"
    )]
    NoAuthoritySet,
    #[error("no lease with id {0} is held on this server")]
    LeaseNotHeld(LeaseId),
    #[error("no computer with id {0} holds a seat on this server")]
    ClientNotFound(String),
    #[error("authentication required")]
    Unauthorized,
    #[error(
        "admin calls from another computer must use HTTPS: open https://{0}/ (the same port); check the certificate's fingerprint against `leasehold admin status` on the server"
    )]
    TlsRequired(String),
    /// `/metrics` from another computer over plain HTTP with the token of an
    /// account above viewer: that token would cross the network readable at
    /// every scrape.
    #[error(
        "`{account}` is an {role}: its token must not cross the network readable. Scrape https://{host}/metrics (the same port), or give Prometheus a token of a viewer account (`leasehold admin account add prometheus --role viewer`, then `leasehold admin account token create prometheus --label prometheus`); revoke the token sent, it was readable on the way"
    )]
    MetricsTokenInClear {
        account: String,
        role: leasehold_core::wire::accounts::Role,
        host: String,
    },
    /// A certificate or key that cannot be used (at start).
    #[error("TLS: {0}")]
    Tls(String),
    /// The caller's account, its role, and what the action needs.
    #[error("`{account}` is a{} {role}; this needs {needed} (an admin can change the account's role)", if matches!(role, leasehold_core::wire::accounts::Role::Admin | leasehold_core::wire::accounts::Role::Operator) { "n" } else { "" })]
    Forbidden {
        account: String,
        role: leasehold_core::wire::accounts::Role,
        needed: String,
    },
    #[error("the account name or password is wrong")]
    SignInFailed,
    #[error("too many wrong passwords for this account; try again in {0} s")]
    TooManySignIns(u64),
    /// A session whose password was given longer ago than the window asked
    /// to hand out access.
    #[error(
        "your password is asked again: a session makes accounts, changes roles, sets another account's password and makes tokens only within {0} minutes of giving its password. Give it again (the admin page asks for it; over the API, POST /admin/v1/session/confirm), or use a token for scripts"
    )]
    PasswordConfirmationRequired(i64),
    #[error("there is no admin account `{0}`")]
    AccountNotFound(String),
    #[error("there is no token `{0}` of this account")]
    TokenNotFound(String),
    #[error("{field}: {reason}")]
    AlertSettings { field: &'static str, reason: String },
    #[error("an admin account `{0}` exists already")]
    AccountExists(String),
    #[error("{0}; remove one first")]
    AccountLimitReached(String),
    #[error(
        "`{0}` is the account the data directory's admin-token signs in as (the desktop app and `leasehold admin` on this machine): it keeps the admin role and cannot be removed"
    )]
    LocalAdminAccount(String),
    #[error(
        "admin calls are accepted only from this machine; start the server with --admin-remote to allow them from the network"
    )]
    AdminRemoteDisabled,
    #[error(
        "this build of Leasehold trusts only the vendor keys built into it; other keys cannot be added"
    )]
    TrustIsBuiltIn,
    #[error("a backup is being made already; try again when it has finished")]
    BackupInProgress,
    #[error("{0}")]
    BadRequest(String),
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("the request body is larger than the {0} bytes this server accepts")]
    PayloadTooLarge(usize),
    #[error("the request was not complete and answered within {} s; send it again", crate::http::REQUEST_TIMEOUT.as_secs())]
    RequestTimeout,
    #[error("there is nothing at {0}")]
    NotFound(String),
    #[error("{0} is not allowed at this address; /openapi.json lists what each address takes")]
    MethodNotAllowed(String),
    #[error("the address is {0} bytes long; at most {max} are accepted", max = crate::http::MAX_URI)]
    UriTooLong(usize),
    #[error("the request headers are {0} bytes long; at most {max} are accepted", max = crate::http::MAX_HEADERS)]
    HeadersTooLarge(usize),
    #[error(
        "admin calls must name this server by an IP address, `localhost` or one of its names (got Host `{0}`); start the server with --allow-host NAME to accept another"
    )]
    HostNotAllowed(String),
    #[error(
        "cannot listen on {addr}: {source}; choose another address with --listen (port 0 picks a free one)"
    )]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
    #[error(
        "every seat of {0} is in use, and its licence does not allow waiting for one; try again later"
    )]
    QueueNotAllowed(leasehold_core::Product),
    #[error("the server's queue is full; try again later")]
    QueueFull,
    #[error(
        "this computer's address already has {} clients waiting, the most one address may; try again later",
        leasehold_core::queue::MAX_WAITERS_PER_ADDRESS
    )]
    QueueFullForAddress,
    #[error(
        "ticket {0} is not in the queue (dropped after its client stopped asking, removed by the admin, or its seat went unclaimed); check out again"
    )]
    TicketNotFound(leasehold_core::TicketId),
    #[error(
        "no licence code of {0} has named users: anyone may use its seats, so there is nobody to name"
    )]
    ProductNotNamed(leasehold_core::Product),
    /// No seat of the product is left to name (the message says when a
    /// cooling one frees).
    #[error("{0}")]
    NamedSeatsFull(String),
    #[error(
        "{user} is not a named user of {product}; `leasehold admin users list {product}` shows who is"
    )]
    NotNamed {
        product: leasehold_core::Product,
        user: String,
    },
    /// `policy.toml` (or the text given for it) has a mistake.
    #[error("{0}")]
    InvalidPolicy(String),
}

impl Error {
    /// The stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Lease(e) => e.code(),
            Self::License(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::Activation(e) => e.code(),
            Self::Spend(e) => e.code(),
            Self::ActivationMismatch(_) => ErrorCode::ActivationMismatch,
            Self::ActivationLimitReached(_) => ErrorCode::ActivationLimitReached,
            Self::NotThisVendor(_) => ErrorCode::UntrustedVendor,
            Self::AuthorityUnreachable(_) => ErrorCode::AuthorityUnreachable,
            Self::ReportRefused(_) => ErrorCode::ReportRefused,
            Self::Authority { code, .. } => *code,
            Self::ProtocolMismatch(_) => ErrorCode::ProtocolMismatch,
            Self::LicenseAlreadyAdded(_) => ErrorCode::LicenseAlreadyAdded,
            Self::LicenseNotFound(_) => ErrorCode::LicenseNotFound,
            Self::ActivationNotNeeded(_) => ErrorCode::ActivationNotNeeded,
            Self::NotActivatedHere(_) => ErrorCode::NotActivatedHere,
            Self::NoDeactivationProof(_) => ErrorCode::NoDeactivationProof,
            Self::NoAuthoritySet => ErrorCode::NoAuthoritySet,
            Self::LeaseNotHeld(_) => ErrorCode::LeaseNotFound,
            Self::ClientNotFound(_) => ErrorCode::ClientNotFound,
            Self::Unauthorized => ErrorCode::Unauthorized,
            Self::TlsRequired(_) | Self::MetricsTokenInClear { .. } => ErrorCode::TlsRequired,
            Self::Tls(_) => ErrorCode::TlsSetupFailed,
            Self::Forbidden { .. } => ErrorCode::Forbidden,
            Self::SignInFailed => ErrorCode::SignInFailed,
            Self::TooManySignIns(_) => ErrorCode::TooManySignIns,
            Self::PasswordConfirmationRequired(_) => ErrorCode::PasswordConfirmationRequired,
            Self::AccountNotFound(_) | Self::TokenNotFound(_) => ErrorCode::AccountNotFound,
            Self::AccountExists(_) => ErrorCode::AccountExists,
            Self::AlertSettings { .. } => ErrorCode::InvalidAlertSettings,
            Self::AccountLimitReached(_) => ErrorCode::AccountLimitReached,
            Self::LocalAdminAccount(_) => ErrorCode::LocalAdminAccount,
            Self::AdminRemoteDisabled => ErrorCode::AdminRemoteDisabled,
            Self::TrustIsBuiltIn => ErrorCode::TrustIsBuiltIn,
            Self::BackupInProgress => ErrorCode::BackupInProgress,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::InvalidField { .. } => ErrorCode::InvalidField,
            Self::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Self::RequestTimeout => ErrorCode::RequestTimeout,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::MethodNotAllowed(_) => ErrorCode::MethodNotAllowed,
            Self::UriTooLong(_) => ErrorCode::UriTooLong,
            Self::HeadersTooLarge(_) => ErrorCode::HeadersTooLarge,
            Self::HostNotAllowed(_) => ErrorCode::HostNotAllowed,
            Self::Bind { .. } => ErrorCode::BindFailed,
            Self::Internal(_) => ErrorCode::Internal,
            Self::InvalidPolicy(_) => ErrorCode::InvalidPolicy,
            Self::QueueNotAllowed(_) => ErrorCode::QueueNotAllowed,
            Self::QueueFull | Self::QueueFullForAddress => ErrorCode::QueueFull,
            Self::TicketNotFound(_) => ErrorCode::TicketNotFound,
            Self::ProductNotNamed(_) => ErrorCode::ProductNotNamed,
            Self::NamedSeatsFull(_) => ErrorCode::NamedSeatsFull,
            Self::NotNamed { .. } => ErrorCode::NotANamedUser,
        }
    }

    /// The HTTP status: the code's (see [`ErrorCode::http_status`]).
    #[must_use]
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code().http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The body sent to the client: code, a sentence, and what the client
    /// needs to act on it.
    #[must_use]
    pub fn body(&self) -> ErrorBody {
        let message = match self {
            // Internal details stay in the log.
            Self::Internal(_) => {
                "the server hit an internal error; the details are in its log".to_owned()
            }
            other => other.to_string(),
        };
        match self {
            Self::Lease(LeaseError::NoSeatFree {
                seats,
                in_use,
                retry_after_secs,
                ..
            }) => ErrorBody::no_seat_free(
                message,
                SeatsTaken {
                    seats: *seats,
                    in_use: *in_use,
                    retry_after_secs: Some(*retry_after_secs),
                },
            ),
            Self::Lease(LeaseError::OverSubscribed { expires_at, .. }) => {
                ErrorBody::over_subscribed(message, *expires_at)
            }
            _ => ErrorBody::new(self.code(), message),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code().as_str(), "{self}");
        }
        let body = self.body();
        let retry_after = body
            .seats_taken()
            .and_then(|t| t.retry_after_secs)
            .map(axum::http::HeaderValue::from);
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(v) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        response
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
