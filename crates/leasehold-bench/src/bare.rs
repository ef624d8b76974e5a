//! The baseline: a bare axum endpoint that parses a JSON body shaped like a
//! checkout request and answers JSON shaped like a grant. No state, no store.
//! It runs as a child process (`leasehold-bench bare-server`) on the same
//! default tokio runtime as `leasehold serve`, so both are loaded and measured
//! the same way and every figure can be given as a ratio to it.

use anyhow::Result;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::net::SocketAddr;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Ask {
    product: String,
    client_id: String,
    user: String,
    host: String,
    app_name: String,
    app_version: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Answer {
    lease_id: &'static str,
    product: String,
    client_id: String,
    expires_at: i64,
    renew_after_secs: u32,
    lease_secs: u32,
    holder: String,
}

async fn echo(Json(ask): Json<Ask>) -> Json<Answer> {
    Json(Answer {
        lease_id: "00000000-0000-4000-8000-000000000000",
        product: ask.product,
        client_id: ask.client_id,
        expires_at: 1_767_225_600_000,
        renew_after_secs: 200,
        lease_secs: 600,
        holder: format!(
            "{}@{} {} {}",
            ask.user, ask.host, ask.app_name, ask.app_version
        ),
    })
}

/// The path the baseline answers on.
pub const PATH: &str = "/v1/echo";

pub fn router() -> Router {
    Router::new().route(PATH, post(echo))
}

/// Serves the baseline on 127.0.0.1:0 until killed; prints the bound address
/// as the first stdout line, like `leasehold serve`.
///
/// # Errors
/// When the runtime cannot start or the port cannot be bound.
pub fn serve() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let mut out = std::io::stdout();
        writeln!(out, "{}", listener.local_addr()?)?;
        out.flush()?;
        axum::serve(listener, router()).await?;
        Ok(())
    })
}
