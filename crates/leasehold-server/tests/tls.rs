//! HTTPS on the server's one port: a browser or `leasehold admin` elsewhere
//! reaches the admin API over TLS, pinned to the certificate's fingerprint;
//! applications keep plain HTTP on the same port; an admin call from
//! another computer over plain HTTP is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode};
use common::{Vendor, call, send};
use leasehold_server::connections::Transport;
use leasehold_server::tls::TlsMode;
use leasehold_server::{Config, Server};
use serde_json::json;
use std::net::SocketAddr;

/// `GET path` with `token`, as from another computer (a TEST-NET address)
/// naming the server 192.0.2.1:7878, over TLS or not (`None`: unknown).
fn from_elsewhere(path: &str, token: &str, tls: Option<bool>) -> Request<Body> {
    let mut req = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .header("host", "192.0.2.1:7878")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut().insert(ConnectInfo(
        "192.0.2.7:50000".parse::<SocketAddr>().unwrap(),
    ));
    if let Some(tls) = tls {
        req.extensions_mut().insert(Transport { tls });
    }
    req
}

#[tokio::test]
async fn admin_calls_come_over_tls_pinned_to_the_fingerprint_while_applications_keep_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let mut config = Config::ephemeral(dir.path());
    config.trust.push(vendor.key.public());
    config.admin_remote = true; // TLS comes with it
    let server = Server::start(config).await.unwrap();
    let port = server.local_addr().port();
    let tls = server.tls().expect("--admin-remote serves HTTPS").clone();
    assert!(dir.path().join("tls-key.pem").exists());

    // Pinned to the fingerprint the status shows: it answers over TLS.
    let pinned = leasehold_http::pinned(&tls.fingerprint)
        .unwrap()
        .build()
        .unwrap();
    let status: serde_json::Value = pinned
        .get(format!("https://127.0.0.1:{port}/admin/v1/status"))
        .bearer_auth(server.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["tls"]["fingerprint"], tls.fingerprint.as_str());
    assert_eq!(status["tls"]["source"], "made");

    // Another certificate's fingerprint: no connection at all.
    let other = "AB:".repeat(31) + "AB";
    let wrong = leasehold_http::pinned(&other).unwrap().build().unwrap();
    let err = wrong
        .get(format!("https://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("fingerprint"), "{err:?}");
    // Nor does the system's trust accept a certificate the server made.
    let system = leasehold_http::client().build().unwrap();
    assert!(
        system
            .get(format!("https://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .is_err()
    );

    // Plain HTTP on the same port: applications, and admin calls from this machine.
    let plain = leasehold_http::client().build().unwrap();
    let hello = plain
        .get(format!("http://127.0.0.1:{port}/v1/hello"))
        .send()
        .await
        .unwrap();
    assert_eq!(hello.status(), StatusCode::OK);
    let local = plain
        .get(format!("http://127.0.0.1:{port}/admin/v1/status"))
        .bearer_auth(server.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), StatusCode::OK);

    // From another computer: over plain HTTP refused, over TLS taken.
    let token = server.admin_token().to_owned();
    let remote = |tls: Option<bool>| from_elsewhere("/admin/v1/status", &token, tls);
    for plain in [None, Some(false)] {
        let (code, body) = send(&server, remote(plain)).await;
        assert_eq!(
            (code, body["code"].clone()),
            (StatusCode::FORBIDDEN, "tls_required".into()),
            "{body}"
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("https://192.0.2.1:7878/"),
            "{body}"
        );
    }
    let (code, body) = send(&server, remote(Some(true))).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    // The UI asked for from elsewhere over plain HTTP: sent to HTTPS first.
    let mut page = Request::get("/ui/?x=1")
        .header("host", "192.0.2.1:7878")
        .body(Body::empty())
        .unwrap();
    page.extensions_mut().insert(ConnectInfo(
        "192.0.2.7:50000".parse::<SocketAddr>().unwrap(),
    ));
    page.extensions_mut().insert(Transport { tls: false });
    let answer = tower::ServiceExt::oneshot(server.router(), page)
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        answer.headers()["location"],
        "https://192.0.2.1:7878/ui/?x=1"
    );
    server.shutdown().await;

    // The same certificate on the next start; plain HTTP forced: taken.
    let mut config = Config::ephemeral(dir.path());
    config.admin_remote = true;
    config.admin_remote_plain = true;
    config.tls = TlsMode::Made;
    let server = Server::start(config).await.unwrap();
    assert_eq!(
        server.tls().unwrap().fingerprint,
        tls.fingerprint,
        "kept, not made again"
    );
    let (code, body) = send(&server, remote(Some(false))).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_certificate_that_cannot_be_used_stops_the_start_and_says_which_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cert.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64\n",
    )
    .unwrap();
    let mut config = Config::ephemeral(dir.path().join("data"));
    config.tls = TlsMode::Files {
        cert: dir.path().join("cert.pem"),
        key: dir.path().join("key.pem"),
    };
    let err = Server::start(config).await.err().unwrap();
    assert_eq!(err.code(), leasehold_core::ErrorCode::TlsSetupFailed);
    assert!(err.to_string().contains("cert.pem"), "{err}");
    // The store was let go: the directory opens again.
    let again = Server::start(Config::ephemeral(dir.path().join("data")))
        .await
        .unwrap();
    again.shutdown().await;
}

#[tokio::test]
async fn a_stranger_who_starts_a_handshake_and_stalls_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(dir.path());
    config.tls = TlsMode::Made;
    config.header_timeout = std::time::Duration::from_millis(300);
    let server = Server::start(config).await.unwrap();
    for opening in [&[0x16u8][..], &[][..]] {
        let mut socket = tokio::net::TcpStream::connect(server.local_addr())
            .await
            .unwrap();
        socket.write_all(opening).await.unwrap();
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(std::time::Duration::from_secs(5), socket.read(&mut buf))
            .await
            .expect("closed within the header time limit, not left open");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn metrics_from_another_computer_over_plain_http_take_only_a_viewers_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(Config::ephemeral(dir.path())).await.unwrap();
    let (code, _) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts",
        Some(json!({"name": "prometheus", "role": "viewer", "password": "scrape-password"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED);
    let (code, made) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts/prometheus/tokens",
        Some(json!({"label": "scrape"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{made}");
    let viewer = made["token"].as_str().unwrap().to_owned();
    let admin = server.admin_token().to_owned();
    let scrape = |token: &str, tls: bool| from_elsewhere("/metrics", token, Some(tls));
    let status = |req: Request<Body>| async {
        tower::ServiceExt::oneshot(server.router(), req)
            .await
            .unwrap()
            .status()
    };

    // The admin's token over plain HTTP from elsewhere: refused, saying how.
    let (code, body) = send(&server, scrape(&admin, false)).await;
    assert_eq!(
        (code, body["code"].clone()),
        (StatusCode::FORBIDDEN, json!("tls_required")),
        "{body}"
    );
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains("https://192.0.2.1:7878/metrics") && message.contains("--role viewer"),
        "{message}"
    );
    // The log names the token that crossed readable, once, and how to end
    // it; so for an admin's token for scripts sent to the admin API.
    send(&server, scrape(&admin, false)).await;
    let (code, made) = call(
        &server,
        Method::POST,
        "/admin/v1/accounts/admin/tokens",
        Some(json!({"label": "nightly"})),
        true,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{made}");
    for _ in 0..2 {
        let req = from_elsewhere("/admin/v1/status", made["token"].as_str().unwrap(), None);
        assert_eq!(send(&server, req).await.0, StatusCode::FORBIDDEN);
    }
    let events = common::logged(&server).await;
    let warned: Vec<&str> = events
        .iter()
        .filter(|e| e["level"] == "warn" && e["kind"] == "admin_sign_in")
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    let id = made["id"].as_str().unwrap();
    assert!(
        warned.iter().any(
            |m| m.contains("admin-token of `admin` was sent to /metrics")
                && m.contains("from 192.0.2.7")
        ),
        "{warned:?}"
    );
    assert!(
        warned
            .iter()
            .any(|m| m.contains(&format!("Token {id} (nightly) of `admin`"))
                && m.contains(&format!("token revoke admin {id}"))
                && m.contains("/admin/v1/status")),
        "{warned:?}"
    );
    // A viewer's token may cross readable (it changes nothing); over TLS anyone's.
    assert_eq!(status(scrape(&viewer, false)).await, StatusCode::OK);
    assert_eq!(status(scrape(&admin, true)).await, StatusCode::OK);
    // A person's session is not for scraping, even over TLS.
    let (code, session) = call(
        &server,
        Method::POST,
        "/admin/v1/session",
        Some(json!({"name": "prometheus", "password": "scrape-password"})),
        false,
    )
    .await;
    assert_eq!(code, StatusCode::CREATED, "{session}");
    let session = session["token"].as_str().unwrap().to_owned();
    assert_eq!(
        status(scrape(&session, true)).await,
        StatusCode::UNAUTHORIZED
    );
    // Sent in clear, the session is refused too, and the log says it crossed.
    assert_eq!(
        status(scrape(&session, false)).await,
        StatusCode::UNAUTHORIZED
    );
    let events = common::logged(&server).await;
    assert!(
        events.iter().any(|e| e["message"].as_str().is_some_and(
            |m| m.starts_with("A signed-in session of `prometheus` was sent to /metrics")
        )),
        "{events:?}"
    );
    server.shutdown().await;
}
