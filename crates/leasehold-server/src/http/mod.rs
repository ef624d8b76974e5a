//! The HTTP API: `fn router(state) -> Router` builds all of it, so handler
//! tests call it in-process with `oneshot` and a few go through a socket.

mod accounts;
mod activation;
mod admin;
mod alerts;
mod auth;
mod client;
mod download;
pub(crate) mod extract;
mod features;
mod named;
pub mod openapi;
mod path_params;
mod policy;
mod queue;
pub mod roles;
mod settings;
mod ui;
mod usage;

use crate::engine::Engine;
use crate::error::Error;
use crate::mdns::Advertiser;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Largest request body accepted, in bytes. A license code is well under 1 KiB.
pub const BODY_LIMIT: usize = 64 * 1024;
/// Longest path and query accepted, in bytes.
pub const MAX_URI: usize = 8 * 1024;
/// Most header bytes accepted (names and values). Past 64 KiB the HTTP
/// parser itself refuses a request, before it is routed, with a bare 431.
pub const MAX_HEADERS: usize = 32 * 1024;

/// A request must arrive (body included) and be answered within this; a
/// connection trickling a body is closed after it. The live event stream
/// and the backup download are exempt: they are long by design.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the UI's page may load and who may frame it: nothing but itself.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Everything a handler may need: the engine plus facts about this run.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub run: Arc<RunInfo>,
}

/// Facts about this run of the server that the admin API reports.
pub struct RunInfo {
    /// Open and refused connections, for `/metrics`.
    pub connections: Arc<crate::connections::ConnectionStats>,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub admin_remote: bool,
    pub admin_token: String,
    /// Admin accounts, their tokens and sessions.
    pub accounts: Arc<crate::accounts::Accounts>,
    pub alerts: Arc<crate::alerts::Alerts>,
    pub mdns: Mutex<Option<Advertiser>>,
    /// Turns true when the server stops, so endless responses (the live
    /// event stream) end and graceful shutdown does not wait on them.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// Host names (lower case) admin calls may name besides IP literals and
    /// `localhost`: this machine's names and `--allow-host`.
    pub allowed_hosts: Vec<String>,
    /// `/metrics` without the token (`serve --public-metrics`).
    pub public_metrics: bool,
    /// HTTPS on the port, when on.
    pub tls: Option<leasehold_core::wire::admin::TlsInfo>,
    /// Admin calls from other computers may come over plain HTTP.
    pub admin_remote_plain: bool,
    /// Held while a backup is made: one at a time (each stages a whole copy
    /// of the database beside it).
    pub backup: Arc<tokio::sync::Mutex<()>>,
    /// The vendor's activation authority (setting `authority_url`).
    pub authority: Mutex<Option<String>>,
}

impl RunInfo {
    /// Looks at the alert conditions now, with what only this run knows
    /// (mDNS); returns the alerts raised.
    pub fn check_alerts(&self) -> Vec<leasehold_core::wire::alerts::Alert> {
        let mdns_failed = self
            .mdns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(crate::mdns::Advertiser::status)
            .filter(|s| s.state == crate::mdns::MdnsState::Failed)
            .map(|s| s.detail.unwrap_or_else(|| "no reason given".to_owned()));
        self.alerts.check(&crate::alerts::Outside { mdns_failed })
    }

    /// The activation authority's address, when one is set.
    #[must_use]
    pub fn authority_url(&self) -> Option<String> {
        self.authority
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Builds the whole API.
pub fn router(state: AppState) -> Router {
    let admin = admin::routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_admin,
    ));
    let sign_in = accounts::sign_in_routes().route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_origin,
    ));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .route(
            "/openapi.json",
            get(|| async { axum::Json(openapi::document()) }),
        )
        .merge(client::routes())
        .merge(admin)
        .merge(sign_in)
        .merge(ui::routes())
        .fallback(|req: Request| async move { Error::NotFound(req.uri().path().to_owned()) })
        .method_not_allowed_fallback(|req: Request| async move {
            Error::MethodNotAllowed(req.method().to_string())
        })
        .layer(middleware::from_fn_with_state(state.clone(), harden))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(cors())
        .with_state(state)
}

/// The desktop window's origins may call the API; browsers on `/ui/` are
/// same-origin and need nothing.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list([
            HeaderValue::from_static("tauri://localhost"),
            HeaderValue::from_static("http://tauri.localhost"),
            HeaderValue::from_static("https://tauri.localhost"),
        ]))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
}

/// Refuses oversized addresses and headers with our JSON errors, and gives
/// every answer `nosniff`, and the UI's pages the headers that keep browsers
/// from framing them or loading anything into them from elsewhere. (Only
/// pages: the JSON answers stay small, they are the hot path.) Times every
/// request for the latency histogram (one layer, not two: each costs a
/// boxed future per request).
async fn harden(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let uri = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let headers: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let page = req.uri().path().starts_with("/ui");
    let long = matches!(
        req.uri().path(),
        "/admin/v1/events/stream" | "/admin/v1/backup"
    );
    let mut response = if page && let Some(to) = https_instead(&state, &req) {
        // The UI from another computer over plain HTTP: the same page over
        // HTTPS, so no token or password is typed into a plain page.
        Redirect::permanent(&to).into_response()
    } else if uri > MAX_URI {
        Error::UriTooLong(uri).into_response()
    } else if headers > MAX_HEADERS {
        Error::HeadersTooLarge(headers).into_response()
    } else if long {
        next.run(req).await
    } else {
        // Safe to cut: what a handler changes completes in a task of its own.
        tokio::time::timeout(REQUEST_TIMEOUT, next.run(req))
            .await
            .unwrap_or_else(|_| Error::RequestTimeout.into_response())
    };
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if page {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    state.engine.metrics().observe_latency(started.elapsed());
    response
}

/// The HTTPS address of a page asked for over plain HTTP from another
/// computer, when this server serves HTTPS.
fn https_instead(state: &AppState, req: &Request) -> Option<String> {
    state.run.tls.as_ref()?;
    // Only a peer known to be elsewhere is sent (in-process callers stay).
    if auth::over_tls(req) || auth::peer_is_local(req) != Some(false) {
        return None;
    }
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    if !auth::host_allowed(host, &state.run.allowed_hosts) {
        return None;
    }
    let path = req.uri().path_and_query().map_or("/ui/", |p| p.as_str());
    Some(format!("https://{host}{path}"))
}

async fn metrics(State(state): State<AppState>, req: Request) -> Response {
    if !state.run.public_metrics
        && let Err(refused) = auth::check_metrics(&state, &req)
    {
        return refused.into_response();
    }
    let usage = state.engine.usage();
    let features = crate::metrics::render_features(&usage);
    let tokens = crate::metrics::render_tokens(&usage);
    let gauges: Vec<_> = usage
        .into_iter()
        .map(|u| (u.product, u.seats, u.in_use))
        .collect();
    let (leases, _) = state.engine.counts();
    let waiting = state.engine.waiting_counts(gauges.iter().map(|g| &g.0));
    let mut text = state.engine.metrics().render(&gauges, leases);
    text.push_str(&state.engine.metrics().render_queue(&waiting));
    text.push_str(&features);
    text.push_str(&tokens);
    let conns = &state.run.connections;
    let open = conns.open.load(std::sync::atomic::Ordering::Relaxed);
    let refused = conns.refused.load(std::sync::atomic::Ordering::Relaxed);
    let unstored = state.engine.renewals_unstored();
    text.push_str(&format!(
        "# HELP leasehold_connections_open HTTP connections open now.\n# TYPE leasehold_connections_open gauge\nleasehold_connections_open {open}\n\
         # HELP leasehold_connections_refused_total Connections closed at once because the cap was reached.\n# TYPE leasehold_connections_refused_total counter\nleasehold_connections_refused_total {refused}\n\
         # HELP leasehold_renewals_unstored_total Renewals whose deadline write failed (written again at the next renewal).\n# TYPE leasehold_renewals_unstored_total counter\nleasehold_renewals_unstored_total {unstored}\n"
    ));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
