//! The server's one error type. Every outcome a caller can act on is a
//! variant with a stable code; it becomes an HTTP answer in exactly one place
//! (`IntoResponse` below). Internal details are logged, not sent.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use leasehold_core::lease::LeaseError;
use leasehold_core::license::LicenseError;
use leasehold_core::wire::ErrorBody;
use leasehold_core::{LeaseId, LicenseId};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Lease(#[from] LeaseError),
    #[error(transparent)]
    License(#[from] LicenseError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("license {0} is already added to this server")]
    LicenseAlreadyAdded(LicenseId),
    #[error("no license with id {0} is on this server")]
    LicenseNotFound(LicenseId),
    #[error("no lease with id {0} is held on this server")]
    LeaseNotHeld(LeaseId),
    #[error("no computer with id {0} holds a seat on this server")]
    ClientNotFound(String),
    #[error("authentication required")]
    Unauthorized,
    #[error(
        "admin calls are accepted only from this machine; start the server with --admin-remote to allow them from the network"
    )]
    AdminRemoteDisabled,
    #[error(
        "this build of Leasehold trusts only the vendor keys built into it; other keys cannot be added"
    )]
    TrustIsBuiltIn,
    #[error("{0}")]
    BadRequest(String),
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("the request body is larger than the {0} bytes this server accepts")]
    PayloadTooLarge(usize),
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
}

impl Error {
    /// The stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Lease(e) => e.code(),
            Self::License(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::LicenseAlreadyAdded(_) => "license_already_added",
            Self::LicenseNotFound(_) => "license_not_found",
            Self::LeaseNotHeld(_) => "lease_not_found",
            Self::ClientNotFound(_) => "client_not_found",
            Self::Unauthorized => "unauthorized",
            Self::AdminRemoteDisabled => "admin_remote_disabled",
            Self::TrustIsBuiltIn => "trust_is_built_in",
            Self::BadRequest(_) => "bad_request",
            Self::InvalidField { .. } => "invalid_field",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::UriTooLong(_) => "uri_too_long",
            Self::HeadersTooLarge(_) => "headers_too_large",
            Self::HostNotAllowed(_) => "host_not_allowed",
            Self::Bind { .. } => "bind_failed",
            Self::Internal(_) => "internal",
        }
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Lease(e) => match e {
                LeaseError::NoSeatFree { .. }
                | LeaseError::NoValidLicense(_)
                | LeaseError::OverSubscribed { .. } => StatusCode::CONFLICT,
                LeaseError::NoLicense(_) | LeaseError::LeaseNotFound(_) => StatusCode::NOT_FOUND,
                LeaseError::LeaseReleased(_)
                | LeaseError::LeaseExpired(_)
                | LeaseError::LeaseDisconnected(_) => StatusCode::GONE,
            },
            Self::License(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Store(e) => match e {
                StoreError::Locked { .. } | StoreError::NewerSchema { .. } => StatusCode::CONFLICT,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            },
            Self::LicenseAlreadyAdded(_) | Self::TrustIsBuiltIn => StatusCode::CONFLICT,
            Self::LicenseNotFound(_)
            | Self::LeaseNotHeld(_)
            | Self::ClientNotFound(_)
            | Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::AdminRemoteDisabled | Self::HostNotAllowed(_) => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::BadRequest(_) | Self::InvalidField { .. } => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Bind { .. } | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
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
        let mut body = ErrorBody::new(self.code(), message);
        match self {
            Self::Lease(LeaseError::NoSeatFree {
                seats,
                in_use,
                retry_after_secs,
                ..
            }) => {
                body.seats = Some(*seats);
                body.in_use = Some(*in_use);
                body.retry_after_secs = Some(*retry_after_secs);
            }
            Self::Lease(LeaseError::OverSubscribed { expires_at, .. }) => {
                body.expires_at = Some(*expires_at)
            }
            _ => {}
        }
        body
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), "{self}");
        }
        let body = self.body();
        let retry_after = body.retry_after_secs.map(axum::http::HeaderValue::from);
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
