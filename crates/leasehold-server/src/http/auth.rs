//! Admin calls need the bearer token and, unless `--admin-remote`, must come
//! from this machine.

use super::AppState;
use crate::error::Error;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

pub async fn require_admin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // A request whose peer is unknown is not known to be local: refused.
    // (In-process callers go through `ServerHandle::router`, which says they
    // are local.)
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if !state.run.admin_remote && !peer.is_some_and(|p| is_local(p.ip())) {
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

/// Whether a peer address is this machine: loopback, including IPv4
/// loopback as a dual-stack socket sees it (`::ffff:127.0.0.1`).
#[must_use]
pub fn is_local(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
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
    fn loopback_is_local_in_every_spelling() {
        for local in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            assert!(super::is_local(local.parse().unwrap()), "{local}");
        }
        for remote in [
            "192.0.2.7",
            "::ffff:192.0.2.7",
            "2001:db8::1",
            "0.0.0.0",
            "::",
        ] {
            assert!(!super::is_local(remote.parse().unwrap()), "{remote}");
        }
    }

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(super::constant_time_eq(b"abc", b"abc"));
        assert!(!super::constant_time_eq(b"abc", b"abd"));
        assert!(!super::constant_time_eq(b"abc", b"ab"));
    }
}
