//! mDNS announcement (server) and discovery (client) end to end, each test in
//! its own private network namespace (see `common/netns.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use common::netns::{self, Loopback};
use leasehold_client::discovery::{self, Browser, DiscoveryEvent, FoundServer};
use leasehold_server::mdns::{Advertiser, Announcement, MdnsState};

fn announcement(name: &str, id: &str, port: u16) -> Announcement {
    Announcement {
        port,
        server_id: id.into(),
        server_name: name.into(),
        protocol_version: 1,
        only_address: None,
    }
}

/// Waits (polling) until `cond` holds for the advertiser's status, or panics.
fn wait_for_status(adv: &Advertiser, limit: Duration, cond: impl Fn(MdnsState) -> bool) {
    let start = Instant::now();
    while !cond(adv.status().state) {
        assert!(
            start.elapsed() < limit,
            "status still {:?} after {limit:?}",
            adv.status()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (polling) until the advertiser reports some addresses, or `limit`.
fn wait_for_addresses(adv: &Advertiser, limit: Duration) -> Duration {
    let start = Instant::now();
    while adv.status().addresses.is_empty() && start.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

/// Next event from `browser` within `limit`, or panics.
async fn next(browser: &mut Browser, limit: Duration) -> DiscoveryEvent {
    tokio::time::timeout(limit, browser.next_event())
        .await
        .unwrap_or_else(|_| panic!("no discovery event within {limit:?}"))
        .unwrap_or_else(|| panic!("browser stopped"))
}

fn ports(server: &FoundServer) -> Vec<u16> {
    server.addresses.iter().map(|a| a.port()).collect()
}

#[test]
fn advertised_server_is_found_with_txt_and_port() {
    netns::run(
        "advertised_server_is_found_with_txt_and_port",
        Loopback::Up,
        || {
            // Dots, an em dash and spaces exercise the instance-name escaping.
            let name = "Acme Corp. — Design office";
            let adv = Advertiser::start(announcement(name, "srv-6f1c", 7878));
            let started = Instant::now();
            let found = netns::block_on(discovery::discover_first(Duration::from_secs(2)))
                .expect("discovery runs")
                .expect("server found within 2 s");
            let took = started.elapsed();
            println!("discover_first found a freshly started server in {took:?}");

            assert_eq!(found.name, name);
            assert_eq!(found.server_id, "srv-6f1c");
            assert_eq!(found.protocol_version, 1);
            assert!(!found.addresses.is_empty());
            assert!(ports(&found).iter().all(|p| *p == 7878), "{found:?}");
            let loopback: IpAddr = [127, 0, 0, 1].into();
            assert!(
                found.addresses.iter().any(|a| a.ip() == loopback),
                "{found:?}"
            );

            // The server's own view agrees.
            wait_for_status(&adv, Duration::from_secs(2), |s| s == MdnsState::Announcing);
            wait_for_addresses(&adv, Duration::from_secs(3));
            let status = adv.status();
            assert!(
                status.addresses.contains(&"127.0.0.1".to_owned()),
                "{status:?}"
            );

            // Once it is up, a look is quick (~90 ms here). Not right away, though:
            // the self-check above just made it answer, and a responder multicasts a
            // record at most once a second (RFC 6762 §6), which would add ~1 s.
            std::thread::sleep(Duration::from_millis(1100));
            let started = Instant::now();
            let again = netns::block_on(discovery::discover_first(Duration::from_secs(2)))
                .expect("discovery runs")
                .expect("found again");
            println!(
                "discover_first found an established server in {:?}",
                started.elapsed()
            );
            assert_eq!(again.server_id, "srv-6f1c");
            adv.shutdown();
        },
    );
}

#[test]
fn two_servers_are_both_listed_sorted_by_name() {
    netns::run(
        "two_servers_are_both_listed_sorted_by_name",
        Loopback::Up,
        || {
            let b = Advertiser::start(announcement("Bravo", "id-b", 7002));
            let a = Advertiser::start(announcement("Alpha", "id-a", 7001));
            let started = Instant::now();
            let servers = netns::block_on(discovery::discover(Duration::from_secs(2)))
                .expect("discovery runs");
            println!(
                "discover(2 s) returned after {:?}: {servers:?}",
                started.elapsed()
            );

            let names: Vec<_> = servers.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, ["Alpha", "Bravo"]);
            assert_eq!(servers[0].server_id, "id-a");
            assert!(ports(&servers[0]).iter().all(|p| *p == 7001));
            assert_eq!(servers[1].server_id, "id-b");
            assert!(ports(&servers[1]).iter().all(|p| *p == 7002));
            a.shutdown();
            b.shutdown();
        },
    );
}

#[test]
fn shutdown_sends_a_goodbye_that_removes_the_server() {
    netns::run(
        "shutdown_sends_a_goodbye_that_removes_the_server",
        Loopback::Up,
        || {
            netns::block_on(async {
                let adv = Advertiser::start(announcement("Leaving", "id-leave", 7003));
                let mut browser = Browser::start().expect("browse");
                match next(&mut browser, Duration::from_secs(2)).await {
                    DiscoveryEvent::Updated(s) => assert_eq!(s.server_id, "id-leave"),
                    other => panic!("expected the server, got {other:?}"),
                }

                let started = Instant::now();
                tokio::task::spawn_blocking(move || adv.shutdown())
                    .await
                    .expect("shutdown");
                loop {
                    match next(&mut browser, Duration::from_secs(3)).await {
                        DiscoveryEvent::Removed(s) => {
                            assert_eq!(s.server_id, "id-leave");
                            break;
                        }
                        DiscoveryEvent::Updated(_) => {}
                    }
                }
                println!(
                    "removal seen {:?} after shutdown() began",
                    started.elapsed()
                );
                assert!(browser.servers().is_empty());
                browser.close().await;
            });
        },
    );
}

#[test]
fn switching_off_and_on_at_runtime() {
    netns::run("switching_off_and_on_at_runtime", Loopback::Up, || {
        netns::block_on(async {
            let adv = std::sync::Arc::new(Advertiser::start(announcement("Toggle", "id-t", 7004)));
            let mut browser = Browser::start().expect("browse");
            assert!(matches!(
                next(&mut browser, Duration::from_secs(2)).await,
                DiscoveryEvent::Updated(_)
            ));

            let off = std::sync::Arc::clone(&adv);
            tokio::task::spawn_blocking(move || off.set_enabled(false))
                .await
                .expect("switch off");
            assert_eq!(adv.status().state, MdnsState::Off);
            assert!(matches!(
                next(&mut browser, Duration::from_secs(3)).await,
                DiscoveryEvent::Removed(_)
            ));

            adv.set_enabled(true);
            match next(&mut browser, Duration::from_secs(3)).await {
                DiscoveryEvent::Updated(s) => assert_eq!(s.server_id, "id-t"),
                other => panic!("expected the server back, got {other:?}"),
            }
            browser.close().await;
        });
    });
}

#[test]
fn nothing_advertised_gives_an_empty_list_after_the_timeout() {
    netns::run(
        "nothing_advertised_gives_an_empty_list_after_the_timeout",
        Loopback::Up,
        || {
            let started = Instant::now();
            let servers = netns::block_on(discovery::discover(Duration::from_millis(800)))
                .expect("not an error");
            assert!(servers.is_empty(), "{servers:?}");
            assert!(started.elapsed() >= Duration::from_millis(800));
            let first = netns::block_on(discovery::discover_first(Duration::from_millis(300)))
                .expect("not an error");
            assert_eq!(first, None);
        },
    );
}

#[test]
fn status_is_failed_with_a_reason_when_no_interface_is_up() {
    netns::run(
        "status_is_failed_with_a_reason_when_no_interface_is_up",
        Loopback::Down,
        || {
            let adv = Advertiser::start(announcement("Nowhere", "id-n", 7005));
            assert_ne!(
                adv.status().state,
                MdnsState::Failed,
                "not failed before the deadline"
            );
            wait_for_status(&adv, Duration::from_secs(4), |s| s == MdnsState::Failed);
            let status = adv.status();
            let detail = status.detail.clone().expect("a reason");
            assert!(detail.contains("interface"), "{detail}");
            assert!(status.addresses.is_empty());

            let json = serde_json::to_value(&status).expect("serializes");
            assert_eq!(json["state"], "failed");
            assert!(json["detail"].is_string());
            assert!(json["addresses"].is_array());
            adv.shutdown();
        },
    );
}

#[test]
fn found_across_a_veth_pair_between_two_namespaces() {
    netns::run_pair(
        "found_across_a_veth_pair_between_two_namespaces",
        |client_done| {
            let adv = Advertiser::start(announcement("Across", "id-x", 7006));
            client_done();
            wait_for_addresses(&adv, Duration::from_secs(3));
            let status = adv.status();
            println!("server side status: {status:?}");
            assert_eq!(status.state, MdnsState::Announcing);
            assert!(
                status.addresses.contains(&netns::PAIR_SERVER_IP.to_owned()),
                "{status:?}"
            );
            adv.shutdown();
        },
        || {
            let started = Instant::now();
            let found = netns::block_on(discovery::discover_first(Duration::from_secs(3)))
                .expect("discovery runs")
                .expect("server found across the veth");
            println!("client side found {found:?} in {:?}", started.elapsed());
            assert_eq!(found.server_id, "id-x");
            let server_ip: IpAddr = netns::PAIR_SERVER_IP.parse().expect("ip");
            assert!(
                found
                    .addresses
                    .iter()
                    .any(|a| a.ip() == server_ip && a.port() == 7006),
                "{found:?}"
            );
        },
    );
}

#[test]
fn a_server_that_cannot_announce_itself_raises_the_mdns_alert_once() {
    netns::run(
        "a_server_that_cannot_announce_itself_raises_the_mdns_alert_once",
        Loopback::Down,
        || {
            netns::block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let mut config = leasehold_server::Config::ephemeral(dir.path());
                config.mdns = true;
                let server = leasehold_server::Server::start(config).await.unwrap();
                // The real advertiser fails (no interface is up) within seconds.
                let started = Instant::now();
                let raised = loop {
                    let raised = server.check_alerts();
                    if !raised.is_empty() || started.elapsed() > Duration::from_secs(6) {
                        break raised;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                };
                assert_eq!(raised.len(), 1, "{raised:?}");
                let alert = &raised[0];
                assert_eq!(
                    alert.kind,
                    leasehold_core::wire::alerts::AlertKind::MdnsFailed
                );
                assert!(
                    alert.message.contains("interface")
                        && alert.message.contains("give them its address"),
                    "{}",
                    alert.message
                );
                // Still failing at the next look: the same alert, not another.
                assert!(server.check_alerts().is_empty());
                server.shutdown().await;
            });
        },
    );
}
