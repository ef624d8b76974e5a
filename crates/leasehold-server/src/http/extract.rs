//! Request extractors whose failures become our JSON errors, not axum's
//! plain-text rejections.

use crate::error::Error;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// A JSON object as the body; a missing content type, anything but an
/// object (serde would read a struct from an array too), malformed JSON,
/// wrong types and oversized bodies get a 400 / 413 that says what is wrong.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !json {
            return Err(Error::BadRequest(
                "send the body as JSON with the header Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(Error::BadRequest(
                "the request body must be a JSON object (`{ … }`)".into(),
            ));
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            Error::BadRequest(match e.path().to_string().as_str() {
                "." => format!("the request body is not valid: {}", e.inner()),
                path => format!("the request body is not valid: {path}: {}", e.inner()),
            })
        })?;
        de.end()
            .map_err(|e| Error::BadRequest(format!("the request body is not valid: {e}")))?;
        Ok(Json(value))
    }
}

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

impl From<BytesRejection> for Error {
    fn from(r: BytesRejection) -> Self {
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge(super::BODY_LIMIT)
        } else {
            Error::BadRequest(format!(
                "the request body could not be read: {}",
                r.body_text()
            ))
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

/// The address a request came from (`None` in-process): wrong passwords
/// are counted per name and address.
pub struct Peer(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(super::auth::peer_ip(&parts.extensions)))
    }
}
