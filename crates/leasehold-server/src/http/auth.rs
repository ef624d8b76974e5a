//! Admin calls need the bearer token and, unless `--admin-remote`, must come
//! from this machine.

use super::AppState;
use crate::error::Error;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

pub async fn require_admin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // In-process calls (tests, the desktop app) carry no peer address.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !state.run.admin_remote && peer.is_some_and(|p| !p.ip().is_loopback()) {
        return Error::AdminRemoteDisabled.into_response();
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(token) if constant_time_eq(token.as_bytes(), state.run.admin_token.as_bytes()) => {
            next.run(req).await
        }
        _ => Error::Unauthorized.into_response(),
    }
}

/// Compares without leaking how many leading bytes matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
