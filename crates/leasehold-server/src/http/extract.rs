//! Request extractors whose failures become our JSON errors, not axum's
//! plain-text rejections.

use crate::error::Error;
use axum::extract::FromRequest;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// A JSON body; malformed JSON, wrong types and oversized bodies get a 400 /
/// 413 with a message that says what is wrong.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

/// As an answer: JSON written into a buffer that a signed grant (about
/// 900 bytes) fits at once; axum's starts at 128 bytes and grows three times.
impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                body,
            )
                .into_response(),
            Err(e) => Error::Internal(format!("writing the answer: {e}")).into_response(),
        }
    }
}

impl From<JsonRejection> for Error {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::BytesRejection(b)
                if b.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Error::PayloadTooLarge(super::BODY_LIMIT)
            }
            JsonRejection::MissingJsonContentType(_) => Error::BadRequest(
                "send the body as JSON with the header Content-Type: application/json".into(),
            ),
            other => Error::BadRequest(format!(
                "the request body is not valid: {}",
                other.body_text()
            )),
        }
    }
}

#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

impl From<PathRejection> for Error {
    fn from(r: PathRejection) -> Self {
        Error::BadRequest(format!("the address is not valid: {}", r.body_text()))
    }
}

#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(Error))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for Error {
    fn from(r: QueryRejection) -> Self {
        Error::BadRequest(format!("the query is not valid: {}", r.body_text()))
    }
}
