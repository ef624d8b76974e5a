//! What the desktop app (and `service status`) does to find a service on
//! this machine: the data directory's `listen-address`, `/healthz` and
//! `/v1/hello` of a real server; and the data directory lock that keeps a
//! second server off the same data.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_server::{Config, Server};
use leasehold_service::status::{gather, probe};
use leasehold_service::{DataDir, Installed};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

#[tokio::test]
async fn service_probe_finds_a_running_server_by_its_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(Config::ephemeral(dir.path())).await.unwrap();
    // The listen address the definition names is ignored in favour of what the server wrote.
    let configured: SocketAddr = "0.0.0.0:7878".parse().unwrap();
    assert_eq!(
        DataDir::new(dir.path()).local_address(configured),
        server.local_addr()
    );

    let p = probe(dir.path(), configured).await;
    assert!(p.healthy, "{p:?}");
    assert_eq!(p.address, server.local_addr());
    assert_eq!(p.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));

    let installed = Installed {
        definition: "/etc/systemd/system/leasehold.service".into(),
        data_dir: dir.path().into(),
        listen: configured,
    };
    let status = gather(
        "systemd",
        Some(installed),
        Some(true),
        Some("active".into()),
        Vec::new(),
    )
    .await;
    assert!(status.installed && status.healthy, "{status:?}");
    assert_eq!(status.admin_token, Some(dir.path().join("admin-token")));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("admin-token"))
            .unwrap()
            .trim(),
        server.admin_token()
    );
    assert!(status.notes.is_empty(), "{status:?}");

    server.shutdown().await;
    let p = probe(dir.path(), "127.0.0.1:1".parse().unwrap()).await;
    assert!(!p.healthy, "a stopped server is not healthy: {p:?}");
}

#[test]
fn service_second_server_on_the_same_data_directory_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_leasehold");
    let mut first = Command::new(bin)
        .args([
            "serve",
            "--no-mdns",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first line is the bound address: the server (and its lock) is up.
    let mut line = String::new();
    BufReader::new(first.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.trim().parse::<SocketAddr>().is_ok(),
        "first line: {line:?}"
    );

    let second = Command::new(bin)
        .args([
            "serve",
            "--no-mdns",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let _ = first.kill();
    let _ = first.wait();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is in use by another Leasehold server"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stop that server or use another data directory"),
        "{stderr}"
    );
    assert!(
        second.stdout.is_empty(),
        "nothing on stdout: {}",
        String::from_utf8_lossy(&second.stdout)
    );
}
