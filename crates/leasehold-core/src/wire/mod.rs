//! Types that cross the wire, defined once here. JSON is camelCase everywhere;
//! the OpenAPI document (and from it the UI's TypeScript types) is generated
//! from these definitions.

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod authority;
pub mod borrow;
pub mod client;
pub mod feature;
pub mod named;
pub mod policy;
pub mod proof;
pub mod queue;
pub mod report;
pub mod usage;

use serde::{Deserialize, Serialize};

/// The version of the client protocol under `/v1/`; announced over mDNS too.
/// Version 2: grants are signed in batches (see [`proof`]). Version 3: the
/// server shows its chain (`GET /v1/chain`) and grants carry its digest.
pub const PROTOCOL_VERSION: u32 = 3;

/// The longest name (in characters) a client may send: user, host, client
/// id, application and its version.
pub const MAX_NAME_CHARS: usize = 256;

/// The longest feature name (in characters) a request may carry (a code's
/// feature names are shorter: [`MAX_FEATURE_LEN`](crate::license::MAX_FEATURE_LEN)).
pub const MAX_FEATURE_CHARS: usize = 64;

/// A whole number sent as JSON, `8` or `8.0` (JSON Schema's `integer`
/// allows both), within `u32`.
///
/// # Errors
/// Anything else, said as the field's type error.
pub fn whole_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    whole(d, u64::from(u32::MAX)).map(|w| u32::try_from(w).unwrap_or(u32::MAX))
}

/// As [`whole_u32`], absent or `null` for `None`.
///
/// # Errors
/// As [`whole_u32`].
pub fn opt_whole_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let n = Option::<serde_json::Number>::deserialize(d)?;
    n.map(|n| {
        whole(serde_json::Value::Number(n), u64::from(u32::MAX))
            .map(|w| u32::try_from(w).unwrap_or(u32::MAX))
            .map_err(serde::de::Error::custom)
    })
    .transpose()
}

/// As [`whole_u32`], within `u64`.
///
/// # Errors
/// Anything else, said as the field's type error.
pub fn whole_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    whole(d, u64::MAX)
}

fn whole<'de, D: serde::Deserializer<'de>>(d: D, max: u64) -> Result<u64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= max as f64)
            .map(|f| f as u64)
    });
    whole.filter(|w| *w <= max).ok_or_else(|| {
        serde::de::Error::custom(format!("expected a whole number from 0 to {max}, not {n}"))
    })
}

/// The JSON Schemas of text the server checks beyond its type, for
/// `#[schema(schema_with = …)]`: what the document says is what is checked.
pub mod schema {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};

    /// Text the server takes as a name (`check_field`): at most `max`
    /// characters, no control or invisible characters, not blank when
    /// `required`.
    #[must_use]
    pub fn name_schema(required: bool, max: usize) -> ObjectBuilder {
        name(required, max)
    }

    fn name(required: bool, max: usize) -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(required.then_some(1))
            .max_length(Some(max))
            .pattern(Some(crate::text::name_pattern(required)))
    }

    /// A product name: not blank, at most
    /// [`MAX_PRODUCT_LEN`](crate::license::MAX_PRODUCT_LEN) characters, no
    /// deceptive characters.
    #[must_use]
    pub fn product() -> ObjectBuilder {
        name(true, crate::license::MAX_PRODUCT_LEN)
            .description(Some("Not blank, no control or invisible characters."))
    }

    /// A feature's name in a path: not blank, at most
    /// [`MAX_FEATURE_CHARS`](super::MAX_FEATURE_CHARS), no deceptive
    /// characters.
    #[must_use]
    pub fn feature() -> ObjectBuilder {
        name(true, super::MAX_FEATURE_CHARS)
            .description(Some("Not blank, no control or invisible characters."))
    }

    /// A name that must be given (the client id).
    #[must_use]
    pub fn required_name() -> ObjectBuilder {
        name(true, super::MAX_NAME_CHARS)
            .description(Some("Not blank, no control or invisible characters."))
    }

    /// An idempotency key: not blank, at most
    /// [`MAX_KEY_CHARS`](crate::tokens::MAX_KEY_CHARS), no deceptive
    /// characters.
    #[must_use]
    pub fn idempotency_key() -> ObjectBuilder {
        name(true, crate::tokens::MAX_KEY_CHARS)
            .description(Some("Not blank, no control or invisible characters."))
    }

    /// A spend's note: at most
    /// [`MAX_NOTE_CHARS`](crate::tokens::MAX_NOTE_CHARS), no deceptive
    /// characters.
    #[must_use]
    pub fn note() -> ObjectBuilder {
        name(false, crate::tokens::MAX_NOTE_CHARS)
            .description(Some("No control or invisible characters."))
    }

    /// A name that may be empty (user, host, application, version).
    #[must_use]
    pub fn optional_name() -> ObjectBuilder {
        name(false, super::MAX_NAME_CHARS).description(Some("No control or invisible characters."))
    }

    /// The computer's parts: four fields of 8 hex digits (or empty) joined
    /// by `.`; `null` or absent for none.
    #[must_use]
    pub fn computer() -> ObjectBuilder {
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(crate::computer::PATTERN))
    }
}

/// Every error answer: a stable machine-readable `code` and a sentence for
/// people. The optional fields carry what a client needs to act on the code.
// (Only the code they belong to sets them — `ErrorBody::no_seat_free`,
// `over_subscribed` — and they are read the same way: `seats_taken`,
// `runs_until`. This comment stays out of the OpenAPI document.)
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
    seats: Option<u32>,
    /// With `no_seat_free`: seats in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_use: Option<u32>,
    /// With `no_seat_free`: when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u32>,
    /// With `over_subscribed`: when the lease ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<crate::Timestamp>,
}

/// What a `no_seat_free` answer says about the product's seats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeatsTaken {
    pub seats: u32,
    pub in_use: u32,
    /// When a seat may be free (absent from servers that do not say).
    pub retry_after_secs: Option<u32>,
}

impl ErrorBody {
    /// The code, when this build knows it.
    #[must_use]
    pub fn error_code(&self) -> Option<crate::ErrorCode> {
        crate::ErrorCode::parse(&self.code)
    }

    /// `no_seat_free`, with the seats and when to try again.
    #[must_use]
    pub fn no_seat_free(message: impl Into<String>, taken: SeatsTaken) -> Self {
        Self {
            seats: Some(taken.seats),
            in_use: Some(taken.in_use),
            retry_after_secs: taken.retry_after_secs,
            ..Self::new(crate::ErrorCode::NoSeatFree.as_str(), message)
        }
    }

    /// `over_subscribed`, with when the lease ends.
    #[must_use]
    pub fn over_subscribed(message: impl Into<String>, expires_at: crate::Timestamp) -> Self {
        Self {
            expires_at: Some(expires_at),
            ..Self::new(crate::ErrorCode::OverSubscribed.as_str(), message)
        }
    }

    /// The seats of a `no_seat_free` answer; `None` for any other code.
    #[must_use]
    pub fn seats_taken(&self) -> Option<SeatsTaken> {
        (self.error_code() == Some(crate::ErrorCode::NoSeatFree)).then_some(SeatsTaken {
            seats: self.seats.unwrap_or(0),
            in_use: self.in_use.unwrap_or(0),
            retry_after_secs: self.retry_after_secs,
        })
    }

    /// When the lease of an `over_subscribed` answer ends; `None` otherwise.
    #[must_use]
    pub fn runs_until(&self) -> Option<crate::Timestamp> {
        if self.error_code() == Some(crate::ErrorCode::OverSubscribed) {
            self.expires_at
        } else {
            None
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::Timestamp;

    #[test]
    fn fields_belong_to_their_code_on_the_wire_and_when_read() {
        let taken = SeatsTaken {
            seats: 10,
            in_use: 10,
            retry_after_secs: Some(60),
        };
        let body = ErrorBody::no_seat_free("no seat of cad is free", taken);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "code": "no_seat_free", "message": "no seat of cad is free", "seats": 10, "inUse": 10, "retryAfterSecs": 60 })
        );
        let read: ErrorBody = serde_json::from_value(json).unwrap();
        assert_eq!(read.seats_taken(), Some(taken));
        assert_eq!(read.runs_until(), None);

        let ended = ErrorBody::over_subscribed("over", Timestamp(5));
        assert_eq!(ended.runs_until(), Some(Timestamp(5)));
        assert_eq!(ended.seats_taken(), None);
        // Fields sent with another code are not taken for that code's.
        let odd: ErrorBody = serde_json::from_value(
            serde_json::json!({ "code": "internal", "message": "x", "seats": 3, "expiresAt": 9 }),
        )
        .unwrap();
        assert_eq!((odd.seats_taken(), odd.runs_until()), (None, None));
        // A server that gives no advice on when to retry.
        let bare: ErrorBody = serde_json::from_value(
            serde_json::json!({ "code": "no_seat_free", "message": "x", "seats": 1, "inUse": 1 }),
        )
        .unwrap();
        assert_eq!(bare.seats_taken().unwrap().retry_after_secs, None);
    }
}
