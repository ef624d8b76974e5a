//! Types that cross the wire, defined once here. JSON is camelCase everywhere;
//! the OpenAPI document (and from it the UI's TypeScript types) is generated
//! from these definitions.

pub mod admin;
pub mod client;
pub mod proof;

use serde::{Deserialize, Serialize};

/// The version of the client protocol under `/v1/`; announced over mDNS too.
/// Version 2: grants are signed in batches (see [`proof`]).
pub const PROTOCOL_VERSION: u32 = 2;

/// Every error answer: a stable machine-readable `code` and a sentence for
/// people. The optional fields carry what a client needs to act on the code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// Stable code, e.g. `no_seat_free`: one of ErrorCode (sent as text, so
    /// a client still reads a code newer than itself).
    #[schema(value_type = crate::ErrorCode)]
    pub code: String,
    pub message: String,
    /// With `no_seat_free`: seats of the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    /// With `no_seat_free`: seats in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_use: Option<u32>,
    /// With `no_seat_free`: when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u32>,
    /// With `over_subscribed`: when the lease ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<crate::Timestamp>,
}

impl ErrorBody {
    /// The code, when this build knows it.
    #[must_use]
    pub fn error_code(&self) -> Option<crate::ErrorCode> {
        crate::ErrorCode::parse(&self.code)
    }

    #[must_use]
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            seats: None,
            in_use: None,
            retry_after_secs: None,
            expires_at: None,
        }
    }
}
