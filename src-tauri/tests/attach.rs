//! The app as the console of a service: a headless server runs on a data
//! directory (what `leasehold serve` runs), the app's attach logic is
//! pointed at that directory (`LEASEHOLD_SERVICE_DATA_DIR`), and the app
//! uses that server instead of starting its own.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_desktop::listen;
use leasehold_desktop::server::LicenseServer;
use leasehold_desktop::service::Finder;
use leasehold_desktop::settings::Settings;
use leasehold_server::{Config, Server};
use std::net::SocketAddr;
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn settings(dir: &Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        mdns: false,
        trust: Vec::new(),
    }
}

/// `GET path` with the admin token; the status code.
async fn admin_get(base_url: &str, path: &str, token: &str) -> u16 {
    let addr: SocketAddr = base_url.trim_start_matches("http://").parse().unwrap();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_app_attaches_to_a_running_service_instead_of_embedding() {
    let service_dir = tempfile::tempdir().unwrap();
    let app_dir = tempfile::tempdir().unwrap();
    let service = Server::start(Config::ephemeral(service_dir.path()))
        .await
        .unwrap();

    let app = LicenseServer::with_finder(
        settings(app_dir.path()),
        Finder::DataDir(service_dir.path().to_path_buf()),
    );
    let info = app
        .start_first(listen::bind_or_fallback("127.0.0.1:0".parse().unwrap()))
        .await;

    let attached = info.attached.clone().expect("attached to the service");
    assert_eq!(attached.data_dir, service_dir.path().display().to_string());
    assert_eq!(attached.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(info.base_url, format!("http://{}", service.local_addr()));
    assert_eq!(info.token, service.admin_token(), "the service's token");
    assert!(info.running && info.error.is_none(), "{info:?}");
    assert!(!info.can_install_service, "a service is there already");
    assert_eq!(
        admin_get(&info.base_url, "/admin/v1/status", &info.token).await,
        200
    );
    assert!(
        std::fs::read_dir(app_dir.path()).unwrap().next().is_none(),
        "no second server: the app's own data directory stays untouched"
    );

    let v = serde_json::to_value(&info).unwrap();
    assert_eq!(v["attached"]["dataDir"], attached.data_dir);
    assert_eq!(v["attached"]["manager"], "none");
    assert_eq!(v["canInstallService"], false);

    // No service manager runs this one: Stop says so and leaves it running.
    let stopped = app.stop().await;
    assert!(stopped.running, "{stopped:?}");
    assert_eq!(
        stopped.error.as_ref().map(|e| e.code),
        Some("service_unsupported")
    );
    let err = app.restart_on(7999).await.unwrap_err();
    assert_eq!(err.code(), "service_port");

    // Quitting the console never stops the service.
    app.stop_for_exit(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        admin_get(&info.base_url, "/admin/v1/status", &info.token).await,
        200
    );
    service.shutdown().await;
}

#[tokio::test]
async fn without_a_service_the_app_embeds_its_own_server() {
    let service_dir = tempfile::tempdir().unwrap(); // nothing runs there
    let app_dir = tempfile::tempdir().unwrap();
    let app = LicenseServer::with_finder(
        settings(app_dir.path()),
        Finder::DataDir(service_dir.path().to_path_buf()),
    );
    let info = app
        .start_first(listen::bind_or_fallback("127.0.0.1:0".parse().unwrap()))
        .await;
    assert!(info.attached.is_none(), "{info:?}");
    assert!(info.running && !info.token.is_empty(), "{info:?}");
    assert!(
        app_dir.path().join("admin-token").is_file(),
        "the app's own server keeps its data in the app's directory"
    );
    assert_eq!(
        admin_get(&info.base_url, "/admin/v1/status", &info.token).await,
        200
    );
    let v = serde_json::to_value(&info).unwrap();
    assert!(v.get("attached").is_none());
    assert!(v["canInstallService"].is_boolean());
    app.stop().await;
}

#[tokio::test]
async fn attaching_can_be_turned_off() {
    let service_dir = tempfile::tempdir().unwrap();
    let app_dir = tempfile::tempdir().unwrap();
    let service = Server::start(Config::ephemeral(service_dir.path()))
        .await
        .unwrap();
    let app = LicenseServer::with_finder(settings(app_dir.path()), Finder::Off);
    let info = app
        .start_first(listen::bind_or_fallback("127.0.0.1:0".parse().unwrap()))
        .await;
    assert!(info.attached.is_none() && info.running, "{info:?}");
    assert_ne!(info.token, service.admin_token());
    app.stop().await;
    service.shutdown().await;
}
