//! `ServerSource::Auto` end to end with the real `leasehold_server::Server`
//! announcing itself over mDNS, and the manual fallback when discovery finds
//! nothing. Each test runs in its own private network namespace
//! (`common/netns.rs`); nothing here touches the real network.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::time::{Duration, Instant};

use common::netns::{self, Loopback};
use common::server::{client_from, designer, start, with_license};
use leasehold_client::settings::Remembered;
use leasehold_client::source::DEFAULT_DISCOVERY_TIMEOUT;
use leasehold_client::{AutoDiscovery, ClientError, SeatState, ServerSource};
use leasehold_server::Config;

/// A server on 127.0.0.1:0 named "Design office", announcing itself over
/// mDNS when `mdns`.
fn design_office(config: &mut Config, mdns: bool) {
    config.mdns = mdns;
    config.listen.set_port(0);
    config.server_name = Some("Design office".into());
}

#[test]
fn auto_source_finds_uses_and_remembers_the_real_server() {
    netns::run(
        "auto_source_finds_uses_and_remembers_the_real_server",
        Loopback::Up,
        || {
            netns::block_on(async {
                let (dir, _vendor, server) = with_license(2, 10, |c| design_office(c, true)).await;
                let state = dir.path().join("client.state.toml");
                let auto = || ServerSource::Auto(AutoDiscovery::new().remember_in(&state));

                let started = Instant::now();
                let guard = client_from(auto(), "pc-1")
                    .checkout("Designer")
                    .await
                    .unwrap();
                let first = started.elapsed();
                println!("auto mode: discovered and checked out from a fresh server in {first:?}");
                assert!(
                    first < Duration::from_secs(2),
                    "found within two seconds: {first:?}"
                );
                assert!(guard.grant().is_some());

                let remembered = Remembered::load(&state).expect("the server found is remembered");
                assert_eq!(remembered.address, server.local_addr().to_string());
                assert_eq!(remembered.server_name, "Design office");
                assert_eq!(
                    remembered.server_id,
                    server.engine().identity().server_id.to_string()
                );

                // The next start uses the remembered server without browsing.
                let started = Instant::now();
                let (api, hello) = client_from(auto(), "pc-2").hello().await.unwrap();
                let again = started.elapsed();
                println!("auto mode: remembered server answered in {again:?}");
                assert_eq!(api.address(), remembered.address);
                assert_eq!(hello.server_name, "Design office");
                // Browsing would take the whole discovery timeout (3 s); half
                // of it is a generous bound for one hello on a busy machine.
                assert!(again < DEFAULT_DISCOVERY_TIMEOUT / 2, "{again:?}");

                guard.release().await.unwrap();
                server.shutdown().await;
            });
        },
    );
}

#[test]
fn auto_finds_the_server_again_when_it_moves_and_keeps_the_lease() {
    netns::run(
        "auto_finds_the_server_again_when_it_moves_and_keeps_the_lease",
        Loopback::Up,
        || {
            netns::block_on(async {
                let (dir, vendor, server) = with_license(2, 10, |c| design_office(c, true)).await;
                let state = dir.path().join("client.state.toml");
                let source = ServerSource::Auto(AutoDiscovery::new().remember_in(&state));

                let guard = client_from(source, "pc-1")
                    .checkout("Designer")
                    .await
                    .unwrap();
                let lease_id = guard.grant().unwrap().lease_id;
                let old_addr = server.local_addr();

                // Restarted on another port with the same data: the old address
                // stops answering, discovery finds the new one.
                server.shutdown().await;
                let server = start(dir.path(), &vendor, |c| design_office(c, true)).await;
                assert_ne!(server.local_addr(), old_addr);
                let moved = Instant::now();
                // Wait for a renewal at the new address (remembered there).
                tokio::time::timeout(Duration::from_secs(12), async {
                    loop {
                        if Remembered::load(&state)
                            .is_some_and(|r| r.address == server.local_addr().to_string())
                            && matches!(guard.state(), SeatState::Held { .. })
                        {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                })
                .await
                .unwrap_or_else(|_| {
                    panic!("not renewed at the new address; last: {:?}", guard.state())
                });
                println!(
                    "auto mode: lease renewed at the moved server {:?} after the move",
                    moved.elapsed()
                );
                assert_eq!(guard.lease_id(), Some(lease_id), "the same lease");
                assert!(guard.release().await.unwrap().unwrap().was_held);
                server.shutdown().await;
            });
        },
    );
}

#[test]
fn manual_address_is_used_when_discovery_finds_nothing() {
    netns::run(
        "manual_address_is_used_when_discovery_finds_nothing",
        Loopback::Up,
        || {
            netns::block_on(async {
                // Not announcing: discovery finds nothing.
                let (_dir, _vendor, server) =
                    with_license(2, 10, |c| design_office(c, false)).await;
                let addr = server.local_addr().to_string();

                let started = Instant::now();
                let auto = AutoDiscovery::new()
                    .timeout(Duration::from_millis(800))
                    .fallback(vec![addr.clone()]);
                let guard = client_from(ServerSource::Auto(auto), "pc-1")
                    .checkout("Designer")
                    .await
                    .unwrap();
                println!(
                    "auto with nothing announced fell back to {addr} in {:?}",
                    started.elapsed()
                );
                assert!(started.elapsed() >= Duration::from_millis(800));
                guard.release().await.unwrap();

                // A manual source never browses.
                let started = Instant::now();
                let guard = client_from(ServerSource::Manual(vec![addr.clone()]), "pc-2")
                    .checkout("Designer")
                    .await
                    .unwrap();
                let manual = started.elapsed();
                println!("manual checkout took {manual:?}");
                assert!(manual < DEFAULT_DISCOVERY_TIMEOUT / 2, "{manual:?}");
                guard.release().await.unwrap();

                // Auto with nothing found and nothing configured says so.
                let started = Instant::now();
                let auto = AutoDiscovery::new().timeout(Duration::from_millis(500));
                let e = client_from(ServerSource::Auto(auto), "pc-3")
                    .checkout("Designer")
                    .await
                    .unwrap_err();
                assert!(matches!(e, ClientError::NoServerFound { .. }), "{e:?}");
                assert_eq!(e.code(), "no_server_found");
                let gave_up = started.elapsed();
                println!("auto with nothing found gave up after {gave_up:?} (timeout 500 ms)");
                assert!(gave_up < Duration::from_secs(4), "{gave_up:?}");
                server.shutdown().await;
            });
        },
    );
}

#[test]
fn auto_mode_with_a_trusted_certificate_asks_what_it_finds_over_https_only() {
    netns::run(
        "auto_mode_with_a_trusted_certificate_asks_what_it_finds_over_https_only",
        Loopback::Up,
        || {
            netns::block_on(async {
                let (_dir, _vendor, server) = with_license(2, 10, |c| {
                    design_office(c, true);
                    c.tls = leasehold_server::tls::TlsMode::Made;
                })
                .await;
                let fingerprint = server.tls().unwrap().fingerprint.clone();
                let auto =
                    || ServerSource::Auto(AutoDiscovery::new().timeout(Duration::from_secs(2)));
                let (api, _) = designer("pc-1")
                    .source(auto())
                    .tls_fingerprint(&fingerprint)
                    .build()
                    .unwrap()
                    .hello()
                    .await
                    .unwrap();
                assert_eq!(api.address(), format!("https://{}", server.local_addr()));
                // Another certificate trusted: the server found is passed by,
                // not asked over plain HTTP instead.
                let err = designer("pc-2")
                    .source(auto())
                    .tls_fingerprint("AB:".repeat(31) + "AB")
                    .build()
                    .unwrap()
                    .checkout("Designer")
                    .await
                    .unwrap_err();
                assert_eq!(err.code(), "no_server_found", "{err}");
                assert_eq!(server.engine().usage()[0].in_use, 0);
                server.shutdown().await;
            });
        },
    );
}
