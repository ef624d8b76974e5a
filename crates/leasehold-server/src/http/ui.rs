//! The web UI at `/ui/`, built from `ui/` and embedded in the binary, so the
//! same UI runs in the desktop window and in any browser.

use super::AppState;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

#[derive(rust_embed::Embed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Assets;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/ui/") }))
        .route("/ui", get(|| async { Redirect::permanent("/ui/") }))
        .route("/ui/", get(|| async { asset("index.html") }))
        .route("/ui/{*path}", get(|super::extract::Path(path): super::extract::Path<String>| async move { asset(&path) }))
}

fn asset(path: &str) -> Response {
    match Assets::get(path) {
        Some(file) => {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
            ([(header::CONTENT_TYPE, mime.as_ref().to_owned()), (header::CACHE_CONTROL, cache.to_owned())], file.data).into_response()
        }
        // Client-side routes fall back to the app; a missing build says how to make it.
        None => match Assets::get("index.html") {
            Some(index) if !path.contains('.') => Html(index.data).into_response(),
            Some(_) => crate::error::Error::NotFound(format!("/ui/{path}")).into_response(),
            None => (
                StatusCode::NOT_FOUND,
                Html("<h1>Leasehold</h1><p>This server was built without its web UI. Build it with <code>npm run build</code> and rebuild the server.</p>"),
            )
                .into_response(),
        },
    }
}
