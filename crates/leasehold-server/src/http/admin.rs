//! The admin API under `/admin/v1/` (bearer token; loopback only unless
//! `--admin-remote`).

use super::AppState;
use super::extract::{Json, Path, Query};
use crate::engine::ComputersRequest;
use crate::error::{Error, Result};
use crate::logtail::{self, LogPage};
use crate::store::EventQuery;
use axum::Router;
use axum::extract::{Extension, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use futures_util::stream::{self, Stream, StreamExt};
use leasehold_core::event::{Event, EventKind};
use leasehold_core::wire::ErrorBody;
use leasehold_core::wire::admin::{
    AddLicense, AddTrustedKey, COMPUTERS_PAGE_DEFAULT, COMPUTERS_PAGE_MAX, ComputerSort,
    ComputersPage, DisconnectRequest, Disconnected, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX,
    EventPage, LicenseRemoved, LicenseView, MdnsState, ServerStatus, SetMdns, SortOrder,
    TrustedKeyView,
};
use leasehold_core::{CorrelationId, LicenseId, Timestamp};
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;
use tokio_stream::wrappers::BroadcastStream;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/v1/status", get(status))
        .route("/admin/v1/licenses", get(list_licenses).post(add_license))
        .route("/admin/v1/licenses/{license_id}", delete(remove_license))
        .route("/admin/v1/computers", get(computers))
        .route("/admin/v1/disconnect", post(disconnect))
        .route("/admin/v1/events", get(events))
        .route("/admin/v1/events/stream", get(event_stream))
        .route("/admin/v1/logs", get(logs))
        .route(
            "/admin/v1/trusted-keys",
            get(trusted_keys).post(add_trusted_key),
        )
        .route("/admin/v1/mdns", put(set_mdns))
        .route("/admin/v1/backup", get(backup))
        .merge(super::activation::routes())
        .merge(super::policy::routes())
        .merge(super::queue::admin_routes())
        .merge(super::named::routes())
        .merge(super::usage::admin_routes())
        .merge(super::settings::routes())
        .merge(super::accounts::routes())
        .merge(super::alerts::routes())
}

/// A consistent copy of the whole database, taken while the server runs
/// (licenses, leases, events, trusted keys, the server's identity and key:
/// keep it as safe as the server). Restore it as `leasehold.db` of a
/// stopped server's data directory (README: Backup and restore).
/// It holds the password hashes and the data directory's admin-token, so a
/// session asks for its password again as it does to make a token.
#[utoipa::path(get, path = "/admin/v1/backup", tag = "admin", security(("bearer" = [])), responses((status = 200, description = "the SQLite database", content_type = "application/vnd.sqlite3"), (status = 403, description = "`password_confirmation_required`: a session whose password was given over 15 minutes ago", body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn backup(
    State(state): State<AppState>,
    Extension(caller): Extension<crate::accounts::Caller>,
) -> Result<Response> {
    state.run.accounts.recently_confirmed(&caller)?;
    // Held until the download ends (the stream owns the guard).
    let one_at_a_time = Arc::clone(&state.run.backup)
        .try_lock_owned()
        .map_err(|_| Error::BackupInProgress)?;
    let tmp = state
        .run
        .data_dir
        .join(format!("backup-{}.db.tmp", uuid::Uuid::new_v4()));
    state.engine.store().backup_to(tmp.clone()).await?;
    let file = tokio::fs::File::open(&tmp)
        .await
        .map_err(|e| Error::Store(crate::store::StoreError::io("reading the backup", &tmp, &e)))?;
    let stream = crate::http::download::RemovedAfter::new(file, tmp, one_at_a_time);
    let name = format!(
        "leasehold-{}.db",
        state
            .engine
            .now()
            .to_rfc3339()
            .get(..10)
            .unwrap_or("backup")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.sqlite3".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// Version, uptime, address, seats and use per product, trusted keys, mDNS.
#[utoipa::path(get, path = "/admin/v1/status", tag = "admin", security(("bearer" = [])), responses((status = 200, body = ServerStatus), (status = 401, body = ErrorBody)))]
pub async fn status(State(state): State<AppState>) -> axum::Json<ServerStatus> {
    let engine = &state.engine;
    let id = engine.identity();
    let (leases, clients) = engine.counts();
    let now = engine.now();
    let mdns = state
        .run
        .mdns
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .map(|a| a.status());
    axum::Json(ServerStatus {
        version: id.version.to_owned(),
        server_id: id.server_id,
        server_name: id.server_name.clone(),
        started_at: engine.started_at(),
        uptime_secs: engine.started_at().until(now).as_secs(),
        listen: state.run.listen.to_string(),
        data_dir: state.run.data_dir.display().to_string(),
        admin_remote: state.run.admin_remote,
        connected_clients: u32::try_from(clients).unwrap_or(u32::MAX),
        leases: u32::try_from(leases).unwrap_or(u32::MAX),
        products: engine.usage(),
        trusted_keys: engine.trusted_key_views(),
        clock_set_back: engine.clock_set_back(),
        authority_url: state.run.authority_url(),
        expiring: engine.expiring_licenses(),
        expiry_warning_days: engine.expiry_warning_days(),
        tls: state.run.tls.clone(),
        mdns: match mdns {
            Some(s) => MdnsState {
                state: serde_json::to_value(s.state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                detail: s.detail,
                addresses: s.addresses,
            },
            None => MdnsState {
                state: "off".into(),
                detail: Some("the server is stopping".into()),
                addresses: vec![],
            },
        },
    })
}

/// Every license code with its state.
#[utoipa::path(get, path = "/admin/v1/licenses", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Vec<LicenseView>)))]
pub async fn list_licenses(State(state): State<AppState>) -> axum::Json<Vec<LicenseView>> {
    axum::Json(state.engine.license_views())
}

/// Adds a license code (or with `dryRun` only checks it and shows what it adds).
#[utoipa::path(post, path = "/admin/v1/licenses", tag = "admin", security(("bearer" = [])), request_body = AddLicense, responses(
    (status = 201, description = "Added", body = LicenseView),
    (status = 200, description = "Dry run: what it would add", body = LicenseView),
    (status = 422, description = "`not_a_license_code`, `license_checksum`, `license_corrupt`, `license_unsupported_version`, `bad_signature`, `untrusted_vendor`, `license_expired`, `invalid_license_terms`", body = ErrorBody),
    (status = 409, description = "`license_already_added`", body = ErrorBody),
))]
pub async fn add_license(
    State(state): State<AppState>,
    Json(req): Json<AddLicense>,
) -> Result<(StatusCode, axum::Json<LicenseView>)> {
    let view = state.engine.add_license(&req.code, req.dry_run).await?;
    let status = if req.dry_run {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(view)))
}

/// Removes a code; leases out run to their end and are not renewed while the product is over-subscribed.
#[utoipa::path(delete, path = "/admin/v1/licenses/{license_id}", tag = "admin", security(("bearer" = [])), params(("license_id" = LicenseId, Path, description = "The license id")), responses(
    (status = 200, body = LicenseRemoved), (status = 404, description = "`license_not_found`", body = ErrorBody),
))]
pub async fn remove_license(
    State(state): State<AppState>,
    Path(id): Path<LicenseId>,
) -> Result<axum::Json<LicenseRemoved>> {
    state.engine.remove_license(id).await.map(axum::Json)
}

/// Which seats, in what order (`GET /admin/v1/computers`).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ComputersFilter {
    /// Sort by (default `host`).
    sort: Option<ComputerSort>,
    /// `asc` (default) or `desc`.
    order: Option<SortOrder>,
    /// Words that must each appear in the computer, user, product, address,
    /// application, version or client id (any case).
    #[param(max_length = 200)]
    text: Option<String>,
    /// Rows per page (default 200).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
    /// `nextCursor` of the page before, to go on from it (only a cursor this
    /// server gave for the same sort and order is taken).
    #[param(max_length = 4096, pattern = "^(?:[0-9A-Fa-f]{2})*$")]
    cursor: Option<String>,
}

/// The seats held, a page at a time: sorted, searched, with a cursor for
/// the next page. Fast at any number of leases (a sorted copy is kept;
/// see `asOf`).
#[utoipa::path(get, path = "/admin/v1/computers", tag = "admin", security(("bearer" = [])), params(ComputersFilter), responses((status = 200, body = ComputersPage), (status = 400, description = "`bad_request` or `invalid_field`", body = ErrorBody)))]
pub async fn computers(
    State(state): State<AppState>,
    Query(f): Query<ComputersFilter>,
) -> Result<axum::Json<ComputersPage>> {
    let text = f.text.unwrap_or_default();
    check_search_text("text", &text)?;
    let request = ComputersRequest {
        sort: f.sort.unwrap_or_default(),
        order: f.order.unwrap_or_default(),
        text,
        limit: check_limit(f.limit, COMPUTERS_PAGE_DEFAULT, COMPUTERS_PAGE_MAX)?,
        cursor: f.cursor,
    };
    state.engine.computers(request).await.map(axum::Json)
}

/// Ends one lease (`leaseId`) or every lease of a computer (`clientId`) now.
#[utoipa::path(post, path = "/admin/v1/disconnect", tag = "admin", security(("bearer" = [])), request_body = DisconnectRequest, responses(
    (status = 200, body = Disconnected), (status = 404, description = "`lease_not_found` or `client_not_found`", body = ErrorBody),
))]
pub async fn disconnect(
    State(state): State<AppState>,
    Json(req): Json<DisconnectRequest>,
) -> Result<axum::Json<Disconnected>> {
    state
        .engine
        .disconnect(req, CorrelationId::random())
        .await
        .map(axum::Json)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct EventFilter {
    /// Only events after this sequence number (to follow the log).
    #[param(minimum = 0)]
    after_seq: Option<i64>,
    /// Only events at or after this time (unix ms).
    since: Option<i64>,
    /// Only events before this time (unix ms).
    until: Option<i64>,
    /// Only these kinds, comma-separated, e.g. `grant,deny`.
    #[param(value_type = Option<Vec<EventKind>>, style = Form, explode = false, min_items = 1)]
    kind: Option<String>,
    /// Only events whose message contains this text.
    #[param(max_length = 200)]
    text: Option<String>,
    /// At most this many (default 500).
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<u32>,
}

/// A sequence number to go on after: not negative.
fn check_after_seq(after_seq: Option<i64>) -> Result<Option<u64>> {
    after_seq
        .map(|seq| {
            u64::try_from(seq).map_err(|_| Error::InvalidField {
                field: "afterSeq",
                reason: format!("{seq} is negative; sequence numbers start at 1"),
            })
        })
        .transpose()
}

/// `limit`, or `default` without one; from 1 to `max`.
pub(super) fn check_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(Error::InvalidField {
            field: "limit",
            reason: format!("{n} is out of range; ask for 1 to {max}"),
        }),
    }
}

/// The longest text the Logs search takes: longer is a typo or an attack.
const MAX_SEARCH_CHARS: usize = 200;

/// A search text of at most [`MAX_SEARCH_CHARS`].
fn check_search_text(field: &'static str, text: &str) -> Result<()> {
    let chars = text.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return Err(Error::InvalidField {
            field,
            reason: format!(
                "the search text is {chars} characters long; search for at most {MAX_SEARCH_CHARS}"
            ),
        });
    }
    Ok(())
}

/// Events by time range, kind and text, oldest first.
#[utoipa::path(get, path = "/admin/v1/events", tag = "admin", security(("bearer" = [])), params(EventFilter), responses((status = 200, body = EventPage), (status = 400, body = ErrorBody)))]
pub async fn events(
    State(state): State<AppState>,
    Query(f): Query<EventFilter>,
) -> Result<axum::Json<EventPage>> {
    let mut kinds = Vec::new();
    // Leave `kind` out for every kind: `kind=` names the kind "".
    for k in f
        .kind
        .as_deref()
        .map(|k| k.split(','))
        .into_iter()
        .flatten()
    {
        kinds.push(EventKind::parse(k).ok_or_else(|| Error::InvalidField {
            field: "kind",
            reason: format!(
                "`{k}` is not an event kind; use one of {}",
                EventKind::ALL.map(EventKind::as_str).join(", ")
            ),
        })?);
    }
    if let Some(text) = &f.text {
        check_search_text("text", text)?;
    }
    let limit = check_limit(f.limit, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX)?;
    let after_seq = check_after_seq(f.after_seq)?;
    let last_seq = state.engine.events().last_seq();
    let simple = f.since.is_none() && f.until.is_none() && kinds.is_empty() && f.text.is_none();
    if simple
        && let Some(events) = state
            .engine
            .events()
            .recent_after(after_seq.unwrap_or(0), limit as usize)
    {
        return Ok(axum::Json(EventPage { events, last_seq }));
    }
    let query = EventQuery {
        after_seq,
        since: f.since.map(Timestamp),
        until: f.until.map(Timestamp),
        kinds,
        text: f.text,
        limit,
    };
    // Events are written with the next batch; wait for it so a query sees
    // everything recorded before it.
    state.engine.store().apply(Vec::new()).await?;
    let events = state.engine.store().events(query).await?;
    Ok(axum::Json(EventPage { events, last_seq }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct Follow {
    /// Send the recent events after this sequence number first.
    #[param(minimum = 0)]
    after_seq: Option<i64>,
}

/// How often a live event stream asks again whether its caller may follow it.
pub const STREAM_RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// Live events as server-sent events; each `data:` is one Event as JSON.
#[utoipa::path(get, path = "/admin/v1/events/stream", tag = "admin", security(("bearer" = [])), params(Follow), responses((status = 200, description = "text/event-stream of Event")))]
pub async fn event_stream(
    State(state): State<AppState>,
    axum::extract::Extension(caller): axum::extract::Extension<crate::accounts::Caller>,
    Query(f): Query<Follow>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let after_seq = check_after_seq(f.after_seq)?;
    let live = BroadcastStream::new(state.engine.events().subscribe());
    let backlog = after_seq
        .and_then(|seq| {
            state
                .engine
                .events()
                .recent_after(seq, crate::events::TAIL_LEN)
        })
        .unwrap_or_default();
    let mut stopping = state.run.stopping.clone();
    let accounts = std::sync::Arc::clone(&state.run.accounts);
    // Ends with the server, or once what the caller signed in with no
    // longer signs in (signed out, revoked, removed, demoted).
    let stopped = async move {
        tokio::select! {
            _ = stopping.wait_for(|s| *s) => {}
            () = async {
                loop {
                    tokio::time::sleep(STREAM_RECHECK).await;
                    if !accounts.still_valid(&caller) {
                        return;
                    }
                }
            } => {}
        }
    };
    let stream = stream::iter(backlog)
        .chain(live.filter_map(|e| async move { e.ok() }))
        .take_until(stopped)
        .map(|e: Event| {
            Ok(SseEvent::default()
                .id(e.seq.to_string())
                .data(serde_json::to_string(&e).unwrap_or_default()))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The server's own log lines (the Logs tab's second source).
#[utoipa::path(get, path = "/admin/v1/logs", tag = "admin", security(("bearer" = [])), params(Follow), responses((status = 200, body = LogPage)))]
pub async fn logs(Query(f): Query<Follow>) -> Result<axum::Json<LogPage>> {
    let after_seq = check_after_seq(f.after_seq)?;
    Ok(axum::Json(logtail::lines_after(
        after_seq.unwrap_or(0),
        2_000,
    )))
}

/// The vendor keys whose codes this server accepts.
#[utoipa::path(get, path = "/admin/v1/trusted-keys", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Vec<TrustedKeyView>)))]
pub async fn trusted_keys(State(state): State<AppState>) -> axum::Json<Vec<TrustedKeyView>> {
    axum::Json(state.engine.trusted_key_views())
}

/// Trusts another vendor key (kept in the data directory).
#[utoipa::path(post, path = "/admin/v1/trusted-keys", tag = "admin", security(("bearer" = [])), request_body = AddTrustedKey, responses(
    (status = 200, body = Vec<TrustedKeyView>), (status = 422, description = "`bad_public_key`", body = ErrorBody), (status = 409, description = "`trust_is_built_in`", body = ErrorBody),
))]
pub async fn add_trusted_key(
    State(state): State<AppState>,
    Json(req): Json<AddTrustedKey>,
) -> Result<axum::Json<Vec<TrustedKeyView>>> {
    state.engine.add_trusted_key(&req.public_key).await?;
    Ok(axum::Json(state.engine.trusted_key_views()))
}

/// Switches the mDNS announcement on or off for this run.
#[utoipa::path(put, path = "/admin/v1/mdns", tag = "admin", security(("bearer" = [])), request_body = SetMdns, responses((status = 200, body = ServerStatus)))]
pub async fn set_mdns(
    State(state): State<AppState>,
    Json(req): Json<SetMdns>,
) -> axum::Json<ServerStatus> {
    // Switching off waits for the goodbye to go out (up to about a second):
    // off the async workers.
    let run = state.run.clone();
    let switched = crate::actor::spawn_blocking(move || {
        if let Some(a) = run
            .mdns
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
        {
            a.set_enabled(req.enabled);
        }
    });
    if let Err(e) = switched.await {
        tracing::error!("switching mDNS failed: {e}");
    }
    // Remembered, so the next start announces (or not) the same way.
    let remembered = state
        .engine
        .store()
        .apply(vec![crate::store::Op::PutSetting {
            key: crate::engine::MDNS_SETTING.to_owned(),
            value: if req.enabled { "on" } else { "off" }.to_owned(),
        }])
        .await;
    if let Err(e) = remembered {
        tracing::warn!("the mDNS switch was not stored; the next start will use the default: {e}");
    }
    state.engine.record(
        leasehold_core::event::EventKind::SettingsChanged,
        if req.enabled {
            "mDNS announcement switched on"
        } else {
            "mDNS announcement switched off"
        },
    );
    status(State(state)).await
}
