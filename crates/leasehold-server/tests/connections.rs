//! A stranger cannot take the server down with connections: idle and
//! slow-header sockets are closed after the header timeout, the number of
//! connections is capped, and shutdown does not wait for them. Real sockets
//! on loopback, driven by the real client. (The whole attack — 2,000 idle and
//! 200 slow sockets against a server process started with a 1,024 open-file
//! limit, then SIGTERM — is `leasehold-cli/tests/connections.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::{Vendor, add_license};
use leasehold_client::ServerApi;
use leasehold_server::{Config, Server, ServerHandle};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

async fn start_with(
    dir: &std::path::Path,
    vendor: &Vendor,
    tune: impl FnOnce(&mut Config),
) -> ServerHandle {
    let mut config = Config::ephemeral(dir);
    config.trust.push(vendor.key.public());
    tune(&mut config);
    Server::start(config).await.expect("server starts")
}

fn request(id: &str) -> leasehold_client::CheckoutRequest {
    common::checkout_request("cad", id)
}

/// Opens `n` connections that never send a byte.
fn idle(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n)
        .map(|_| TcpStream::connect(addr).expect("connect"))
        .collect()
}

/// Whether the server has closed this connection (EOF or reset) within `wait`.
fn closed_by_server(s: &TcpStream, wait: Duration) -> bool {
    s.set_read_timeout(Some(wait)).unwrap();
    let mut s = s;
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {} // e.g. a 408 before the close
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// A figure from `/metrics`; `None` when the call fails.
async fn metric(server: &ServerHandle, name: &str) -> Option<u64> {
    let response = leasehold_http::client()
        .build()
        .unwrap()
        .get(format!("http://{}/metrics", server.local_addr()))
        .bearer_auth(server.admin_token())
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    let body = response.text().await.ok()?;
    body.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

/// Opens `n` connections that send a request line and then one header
/// byte at a time, every `every`, for as long as the thread runs.
fn slow_headers(addr: SocketAddr, n: usize, every: Duration) -> std::thread::JoinHandle<usize> {
    let mut socks: Vec<TcpStream> = (0..n)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect");
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    std::thread::spawn(move || {
        // Until the server has closed every one (bounded: 60 rounds).
        for _ in 0..60 {
            std::thread::sleep(every);
            socks.retain_mut(|s| s.write_all(b"a").is_ok());
            if socks.is_empty() {
                break;
            }
        }
        socks.len()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let timeout = Duration::from_secs(2);
    let server = start_with(dir.path(), &vendor, |c| c.header_timeout = timeout).await;
    add_license(&server, &vendor.code("cad", 10)).await;
    let addr = server.local_addr();

    let started = Instant::now();
    let idlers = tokio::task::spawn_blocking(move || idle(addr, 300))
        .await
        .unwrap();
    let slow = slow_headers(addr, 50, Duration::from_millis(300));
    let open = metric(&server, "leasehold_connections_open")
        .await
        .unwrap_or(0);
    println!(
        "open with the strangers' sockets: {open} after {:?}",
        started.elapsed()
    );

    // Ten real clients check out and renew all along.
    let api = ServerApi::new(&addr.to_string())
        .unwrap()
        .trusting(&[vendor.key.public()]);
    let mut leases = Vec::new();
    for i in 0..10 {
        leases.push(
            api.checkout(&request(&format!("pc-{i}")))
                .await
                .expect("checkout")
                .lease_id,
        );
    }
    while started.elapsed() < timeout + Duration::from_secs(1) {
        for id in &leases {
            api.renew(*id)
                .await
                .expect("renew while strangers hold sockets");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Every idle socket is closed by the server, and so is every slow one.
    let still_open = tokio::task::spawn_blocking(move || {
        idlers
            .iter()
            .filter(|s| !closed_by_server(s, Duration::from_secs(5)))
            .count()
    })
    .await
    .unwrap();
    assert_eq!(still_open, 0, "idle connections the server kept open");
    let slow_left = tokio::task::spawn_blocking(move || slow.join().unwrap())
        .await
        .unwrap();
    assert_eq!(slow_left, 0, "slow-header connections the server kept open");
    let open = metric(&server, "leasehold_connections_open")
        .await
        .unwrap_or(u64::MAX);
    println!("open after the timeout: {open} (the metrics call itself and the client's pool)");
    assert!(open <= 5, "{open} connections still open");
    for id in &leases {
        api.renew(*id).await.expect("renew after");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_are_closed_at_once_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start_with(dir.path(), &vendor, |c| c.max_connections = Some(20)).await;
    let addr = server.local_addr();
    let mut held = tokio::task::spawn_blocking(move || idle(addr, 20))
        .await
        .unwrap();
    // Let the server take all twenty before the next ones arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let refused = tokio::task::spawn_blocking(move || {
        let extra = idle(addr, 5);
        extra
            .iter()
            .filter(|s| closed_by_server(s, Duration::from_secs(5)))
            .count()
    })
    .await
    .unwrap();
    assert_eq!(refused, 5);
    drop(held.drain(..));
    let mut counted = 0;
    for _ in 0..100 {
        if let Some(n) = metric(&server, "leasehold_connections_refused_total").await {
            counted = n;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(counted >= 5, "refused connections counted: {counted}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_idle_or_slow_connections() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start_with(dir.path(), &vendor, |_| {}).await;
    let addr = server.local_addr();
    let _idlers = tokio::task::spawn_blocking(move || idle(addr, 500))
        .await
        .unwrap();
    let _slow = slow_headers(addr, 50, Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    server.shutdown().await;
    let took = started.elapsed();
    println!("shutdown with 550 idle and slow connections took {took:?}");
    // Idle and slow ones close at once; only requests in progress get the 2 s grace.
    assert!(took < Duration::from_secs(1), "shutdown took {took:?}");
}
