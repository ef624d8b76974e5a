//! Admin calls need a token or session of an account whose role allows
//! the route (`roles.rs`) and, unless `--admin-remote`, must come from this
//! machine. The account runs with the call (`crate::actor`), so the events
//! it records name it.

use super::AppState;
use crate::accounts::Caller;
use crate::error::Error;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leasehold_core::wire::accounts::Role;
use std::net::{IpAddr, SocketAddr};

pub async fn require_admin(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let caller = match check_admin(&state, &req) {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let needed = super::roles::needed(req.method(), &path);
    if !caller.role.allows(needed) {
        return Error::Forbidden {
            account: caller.account,
            role: caller.role,
            needed: format!("the {needed} role"),
        }
        .into_response();
    }
    let account = caller.account.clone();
    req.extensions_mut().insert(caller);
    crate::actor::scope(Some(account), next.run(req)).await
}

/// Sign-in needs no token, but the same origin as any admin call.
pub async fn require_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match check_origin(&state, &req) {
        Ok(()) => next.run(req).await,
        Err(refused) => refused.into_response(),
    }
}

/// The admin rules: from this machine (unless `--admin-remote`), naming the
/// server by a host it knows, with a token or session.
///
/// # Errors
/// `admin_remote_disabled`, `host_not_allowed` or `unauthorized`.
pub fn check_admin(state: &AppState, req: &Request) -> Result<Caller, Error> {
    check_origin(state, req)?;
    check_token(state, req)
}

/// Where an admin call comes from and which host it names.
///
/// # Errors
/// `admin_remote_disabled` or `host_not_allowed`.
pub fn check_origin(state: &AppState, req: &Request) -> Result<(), Error> {
    // A request whose peer is unknown is not known to be local: refused.
    // (In-process callers go through `ServerHandle::router`, which says they
    // are local.)
    // From elsewhere, the token or password must not cross the LAN
    // readable; one that did is named in the log, whatever the refusal.
    let readable = readable_on_the_way(state, req);
    if readable {
        report_exposed(state, req);
    }
    if !state.run.admin_remote && peer_is_local(req) != Some(true) {
        return Err(Error::AdminRemoteDisabled);
    }
    if readable {
        return Err(Error::TlsRequired(named_host(req)));
    }
    // A page on another site whose name was pointed at this server (DNS
    // rebinding) sends its own name as Host.
    if let Some(host) = req.headers().get(header::HOST) {
        let host = host.to_str().unwrap_or("");
        if !host_allowed(host, &state.run.allowed_hosts) {
            return Err(Error::HostNotAllowed(leasehold_core::text::escaped(
                &host.chars().take(100).collect::<String>(),
            )));
        }
    }
    Ok(())
}

/// Whether what `req` carries crossed the network readable: it came from
/// another computer over plain HTTP (and that was not forced with
/// `--admin-remote-plain-http`). A request whose peer is unknown did.
fn readable_on_the_way(state: &AppState, req: &Request) -> bool {
    peer_is_local(req) != Some(true) && !over_tls(req) && !state.run.admin_remote_plain
}

/// Logs once that the request's bearer token crossed the network readable,
/// so the admin can end it.
fn report_exposed(state: &AppState, req: &Request) {
    if let Some(token) = bearer(req) {
        let from = peer_ip(req.extensions());
        let route = req.uri().path().chars().take(100).collect::<String>();
        state
            .run
            .accounts
            .exposed(token, from, &leasehold_core::text::escaped(&route));
    }
}

/// The address a request came from; `None` in-process.
pub fn peer_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
}

/// Whether the request's peer is this machine; `None` when it is not known.
pub fn peer_is_local(req: &Request) -> Option<bool> {
    peer_ip(req.extensions()).map(is_local)
}

/// Whether the request came over TLS.
pub fn over_tls(req: &Request) -> bool {
    req.extensions()
        .get::<crate::connections::Transport>()
        .is_some_and(|t| t.tls)
}

/// The host the request names, for a sentence (escaped, 100 chars at most).
fn named_host(req: &Request) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("this server");
    leasehold_core::text::escaped(&host.chars().take(100).collect::<String>())
}

/// Who may read `/metrics`: a Prometheus elsewhere scrapes it with an
/// account's token for scripts (never a person's session). Over plain HTTP
/// from another computer only a viewer's (its token crosses the network
/// readable at every scrape, so it must not be one that changes anything);
/// over TLS or from this machine, anyone's.
///
/// # Errors
/// `unauthorized`, `tls_required`.
pub fn check_metrics(state: &AppState, req: &Request) -> Result<(), Error> {
    let readable = readable_on_the_way(state, req);
    let caller = state
        .run
        .accounts
        .authenticate_script(bearer(req).ok_or(Error::Unauthorized)?)
        .inspect_err(|_| {
            // A person's session, refused here, crossed readable all the same.
            if readable {
                report_exposed(state, req);
            }
        })?;
    if caller.role != Role::Viewer && readable {
        report_exposed(state, req);
        return Err(Error::MetricsTokenInClear {
            account: caller.account,
            role: caller.role,
            host: named_host(req),
        });
    }
    Ok(())
}

/// Who the bearer token is.
///
/// # Errors
/// `unauthorized`.
pub fn check_token(state: &AppState, req: &Request) -> Result<Caller, Error> {
    state
        .run
        .accounts
        .authenticate(bearer(req).ok_or(Error::Unauthorized)?)
}

/// The bearer token a request carries (200 characters at most).
fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
}

/// Whether a Host header names this server: an IP literal, `localhost`, or
/// one of `allowed` (lower case), with or without a port.
#[must_use]
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        match rest.split_once(']') {
            Some((v6, _)) => return v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            _ => host,
        }
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || allowed.contains(&name)
}

/// Whether a peer address is this machine: loopback, including IPv4
/// loopback as a dual-stack socket sees it (`::ffff:127.0.0.1`).
#[must_use]
pub fn is_local(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
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
    fn hosts_an_attacker_could_point_here_are_not_allowed() {
        let names = vec!["lic1".to_owned(), "lic1.lan".to_owned()];
        for ok in [
            "127.0.0.1:7878",
            "192.0.2.7",
            "[::1]:7878",
            "localhost:7878",
            "LocalHost",
            "lic1.lan:7878",
            "LIC1",
            "lic1.lan.",
        ] {
            assert!(super::host_allowed(ok, &names), "{ok}");
        }
        for bad in [
            "evil.example:7878",
            "evil.example",
            "lic1.evil.example",
            "127.0.0.1.evil.example",
            "[evil]:80",
            "",
        ] {
            assert!(!super::host_allowed(bad, &names), "{bad}");
        }
    }
}
