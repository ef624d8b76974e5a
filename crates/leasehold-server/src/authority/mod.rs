//! The vendor's activation authority, `leasehold authority serve`: answers
//! activation requests and deactivation proofs over HTTP from its own
//! ledger (`ledger.rs`), so a licence is active on at most as many servers
//! as its code allows. It holds the vendor's secret key, so it runs at the
//! vendor, never at a customer site.
//!
//! ```text
//! GET  /authority/v1/hello          which vendor key it signs with
//! POST /authority/v1/activations    {request} -> the activation response
//! POST /authority/v1/deactivations  {proof}   -> the activation freed
//! ```

pub mod client;
pub mod ledger;
pub mod reports;

use crate::connections::{self, ConnectionStats, Limits};
use crate::error::{Error, Result};
use crate::http::extract::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use leasehold_core::Timestamp;
use leasehold_core::license::VendorKeyPair;
use leasehold_core::wire::authority::{
    AuthorityActivate, AuthorityActivated, AuthorityDeactivate, AuthorityDeactivated,
    AuthorityHello, ReportReceived,
};
pub use ledger::Ledger;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The authority faces the internet: far fewer connections than a lease
/// server, each answered at once.
const MAX_CONNECTIONS: usize = 512;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const HEADER_TIMEOUT: Duration = Duration::from_secs(3);
/// Connections one address may hold open at once.
pub const PER_ADDRESS: usize = 16;

/// What an authority is started with.
pub struct AuthorityConfig {
    /// Where its ledger lives (its own directory, not a lease server's).
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// The vendor's secret key (`vendor keygen`).
    pub key: VendorKeyPair,
}

/// A running authority.
pub struct AuthorityHandle {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    http: JoinHandle<()>,
}

impl AuthorityHandle {
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving; requests in progress get a short grace.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.http.await;
    }
}

/// Opens the ledger, binds and serves.
///
/// # Errors
/// The ledger cannot be opened (in use, unreadable) or the address bound.
pub async fn start(config: AuthorityConfig) -> Result<AuthorityHandle> {
    let dir = config.data_dir.clone();
    let ledger = tokio::task::spawn_blocking(move || Ledger::open(&dir))
        .await
        .map_err(|e| Error::Internal(format!("ledger open task failed: {e}")))??;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| Error::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("listener has no address: {e}")))?;
    let (stop, stopped) = watch::channel(false);
    // A stranger holding connections open must not lock others out: few per
    // address, and headers within seconds (a request is one small body).
    let limits = Limits {
        max_connections: MAX_CONNECTIONS,
        header_timeout: HEADER_TIMEOUT,
        per_address: Some(PER_ADDRESS),
        ..Limits::default()
    };
    let http = tokio::spawn(connections::serve(
        listener,
        router(Arc::new(Authority {
            ledger,
            key: config.key,
        })),
        limits,
        None,
        Arc::new(ConnectionStats::default()),
        stopped,
    ));
    tracing::info!(%addr, data_dir = %config.data_dir.display(), "activation authority started");
    Ok(AuthorityHandle { addr, stop, http })
}

/// What the authority's routes share.
pub struct Authority {
    pub ledger: Ledger,
    pub key: VendorKeyPair,
}

/// The authority's routes.
pub fn router(authority: Arc<Authority>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/authority/v1/hello", get(hello))
        .route("/authority/v1/activations", post(activate))
        .route("/authority/v1/deactivations", post(deactivate))
        .fallback(|req: Request| async move { Error::NotFound(req.uri().path().to_owned()) })
        .method_not_allowed_fallback(|req: Request| async move {
            Error::MethodNotAllowed(req.method().to_string())
        })
        .layer(middleware::from_fn(time_limit))
        .layer(DefaultBodyLimit::max(crate::http::BODY_LIMIT))
        // Reports are large: a longer limit, a larger body, two at a time.
        .merge(
            Router::new()
                .route("/authority/v1/reports", post(receive_report))
                .layer(middleware::from_fn(report_time_limit))
                .layer(DefaultBodyLimit::max(reports::MAX_REPORT_BYTES)),
        )
        .with_state(authority)
}

/// How long a report upload may take, body included.
const REPORT_TIMEOUT: Duration = Duration::from_secs(300);
/// Reports received at once (each held whole in memory while checked).
static REPORT_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn report_time_limit(req: Request, next: Next) -> Response {
    let Ok(_slot) = REPORT_SLOTS.acquire().await else {
        return Error::Internal("the report slots are closed".into()).into_response();
    };
    tokio::time::timeout(REPORT_TIMEOUT, next.run(req))
        .await
        .unwrap_or_else(|_| Error::RequestTimeout.into_response())
}

async fn time_limit(req: Request, next: Next) -> Response {
    tokio::time::timeout(REQUEST_TIMEOUT, next.run(req))
        .await
        .unwrap_or_else(|_| Error::RequestTimeout.into_response())
}

async fn hello(State(authority): State<Arc<Authority>>) -> Json<AuthorityHello> {
    let public = authority.key.public();
    Json(AuthorityHello {
        vendor_key: public.to_string(),
        key_fingerprint: public.fingerprint().to_string(),
    })
}

async fn activate(
    State(authority): State<Arc<Authority>>,
    Json(body): Json<AuthorityActivate>,
) -> Result<Json<AuthorityActivated>> {
    let answer = blocking(move || {
        authority
            .ledger
            .activate(&authority.key, &body.request, Timestamp::now())
    })
    .await?;
    tracing::info!(
        license = %answer.license_id,
        product = %answer.product,
        again = answer.again,
        active = answer.active,
        max = answer.max_activations,
        "activation answered"
    );
    Ok(Json(answer))
}

async fn deactivate(
    State(authority): State<Arc<Authority>>,
    Json(body): Json<AuthorityDeactivate>,
) -> Result<Json<AuthorityDeactivated>> {
    let answer =
        blocking(move || authority.ledger.deactivate(&body.proof, Timestamp::now())).await?;
    tracing::info!(license = %answer.license_id, freed = answer.freed, active = answer.active, "deactivation recorded");
    Ok(Json(answer))
}

async fn receive_report(
    State(authority): State<Arc<Authority>>,
    body: String,
) -> Result<Json<ReportReceived>> {
    blocking(move || reports::receive(&authority, &body))
        .await
        .map(Json)
}

/// Runs a ledger call (SQLite, an fsync) off the async threads. It runs to
/// the end even when the request is cut by its time limit.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("ledger task failed: {e}")))?
}
