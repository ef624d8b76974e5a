//! Who may call the admin API, over real sockets: this machine by default
//! (IPv4 over a dual-stack socket included), other machines only with
//! `--admin-remote`, and then over HTTPS (pinned to the certificate the
//! server made) unless plain HTTP is forced. Runs in private network namespaces, so the "other
//! machine" address (TEST-NET-1, on the namespace's own `lo`) and a server
//! listening on every interface stay inside them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::netns::{self, Loopback};
use common::server::start;
use leasehold_core::license::VendorKeyPair;
use std::net::{IpAddr, SocketAddr};

const OTHER: &str = "192.0.2.1";

/// GET /admin/v1/status from `from` (the kernel picks when `None`) to `to`.
async fn admin_status(from: Option<IpAddr>, to: SocketAddr, token: &str) -> (u16, String) {
    admin_status_over(None, from, to, token).await
}

/// The same over HTTPS when `pin` (the certificate's fingerprint) is given.
async fn admin_status_over(
    pin: Option<&str>,
    from: Option<IpAddr>,
    to: SocketAddr,
    token: &str,
) -> (u16, String) {
    let mut builder = match pin {
        Some(pin) => leasehold_http::pinned(pin).unwrap(),
        None => leasehold_http::client(),
    }
    .no_proxy();
    if let Some(ip) = from {
        builder = builder.local_address(ip);
    }
    let scheme = if pin.is_some() { "https" } else { "http" };
    let response = builder
        .build()
        .unwrap()
        .get(format!("{scheme}://{to}/admin/v1/status"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[test]
fn admin_over_ipv4_on_a_dual_stack_socket_is_local() {
    netns::run(
        "admin_over_ipv4_on_a_dual_stack_socket_is_local",
        Loopback::Up,
        || {
            netns::block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let vendor = VendorKeyPair::generate().unwrap();
                let server = start(dir.path(), &vendor, |c| {
                    c.listen = "[::]:0".parse().unwrap();
                })
                .await;
                let port = server.local_addr().port();
                let token = server.admin_token().to_owned();
                // Arrives as ::ffff:127.0.0.1.
                let v4 = SocketAddr::from(([127, 0, 0, 1], port));
                let (status, body) = admin_status(None, v4, &token).await;
                assert_eq!(status, 200, "{body}");
                let v6 = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port));
                let (status, body) = admin_status(None, v6, &token).await;
                assert_eq!(status, 200, "{body}");
                server.shutdown().await;
            });
        },
    );
}

#[test]
fn admin_from_another_address_needs_admin_remote() {
    netns::run(
        "admin_from_another_address_needs_admin_remote",
        Loopback::Up,
        || {
            netns::ip(&["addr", "add", &format!("{OTHER}/32"), "dev", "lo"]);
            let other: IpAddr = OTHER.parse().unwrap();
            netns::block_on(async {
                let vendor = VendorKeyPair::generate().unwrap();
                for remote in [false, true] {
                    let dir = tempfile::tempdir().unwrap();
                    let server = start(dir.path(), &vendor, |c| {
                        c.listen = "0.0.0.0:0".parse().unwrap();
                        c.admin_remote = remote;
                    })
                    .await;
                    let port = server.local_addr().port();
                    let token = server.admin_token().to_owned();
                    let there = SocketAddr::new(other, port);
                    let (status, body) = admin_status(Some(other), there, &token).await;
                    if remote {
                        // Plain HTTP would carry the token readable: refused.
                        assert_eq!(status, 403, "{body}");
                        assert!(body.contains("tls_required"), "{body}");
                        let pin = server
                            .tls()
                            .expect("admin-remote serves HTTPS")
                            .fingerprint
                            .clone();
                        let (status, body) =
                            admin_status_over(Some(&pin), Some(other), there, &token).await;
                        assert_eq!(status, 200, "{body}");
                        let (status, _) =
                            admin_status_over(Some(&pin), Some(other), there, "wrong").await;
                        assert_eq!(status, 401, "the token is still needed");
                    } else {
                        assert_eq!(status, 403, "{body}");
                        assert!(body.contains("admin_remote_disabled"), "{body}");
                    }
                    let here = SocketAddr::from(([127, 0, 0, 1], port));
                    let (status, body) = admin_status(None, here, &token).await;
                    assert_eq!(status, 200, "{body}");
                    server.shutdown().await;
                }
            });
        },
    );
}

#[test]
fn the_admins_mdns_switch_survives_a_restart() {
    netns::run(
        "the_admins_mdns_switch_survives_a_restart",
        Loopback::Up,
        || {
            netns::block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let vendor = VendorKeyPair::generate().unwrap();
                let http = leasehold_http::client().no_proxy().build().unwrap();
                let state = |addr: SocketAddr, token: String| {
                    let http = http.clone();
                    async move {
                        let status: serde_json::Value = http
                            .get(format!("http://{addr}/admin/v1/status"))
                            .bearer_auth(token)
                            .send()
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                        status["mdns"]["state"].as_str().map(str::to_owned)
                    }
                };
                let server = start(dir.path(), &vendor, |c| c.mdns = true).await;
                let (addr, token) = (server.local_addr(), server.admin_token().to_owned());
                assert_ne!(state(addr, token.clone()).await.as_deref(), Some("off"));
                let switched = http
                    .put(format!("http://{addr}/admin/v1/mdns"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({ "enabled": false }))
                    .send()
                    .await
                    .unwrap();
                assert!(switched.status().is_success());
                server.shutdown().await;

                let again = start(dir.path(), &vendor, |c| c.mdns = true).await;
                let (addr, token) = (again.local_addr(), again.admin_token().to_owned());
                assert_eq!(
                    state(addr, token).await.as_deref(),
                    Some("off"),
                    "still off after a restart"
                );
                again.shutdown().await;
            });
        },
    );
}
