//! The server's mDNS announcement as other software sees it (issue 3): found
//! by an independent DNS-SD browser (python-zeroconf, `tests/interop/browse.py`)
//! with RFC 6763 naming and TXT, and following address changes. Each test
//! runs in its own private network namespace (`common/netns.rs`); nothing
//! here touches the real network.
//!
//! Needs `python3` with the `zeroconf` package (`scripts/setup.sh` installs
//! it); without them these tests fail, they do not skip.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::netns::{self, Loopback};
use leasehold_client::discovery::{Browser, DiscoveryEvent};
use leasehold_core::wire::PROTOCOL_VERSION;
use leasehold_server::mdns::{Advertiser, Announcement, MdnsState};
use leasehold_server::{Config, Server};
use serde::Deserialize;

/// One service as `browse.py` resolved it.
#[derive(Clone, Debug, Deserialize)]
struct Browsed {
    instance: String,
    fullname: String,
    server: String,
    port: u16,
    txt: BTreeMap<String, Option<String>>,
    txt_strings: Vec<String>,
    addresses: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct BrowseOutput {
    services: Vec<Browsed>,
    elapsed_ms: u64,
    /// With `--raw-ptr`: each PTR target's labels as on the wire.
    #[serde(default)]
    ptr_labels: Vec<Vec<String>>,
}

/// Runs `tests/interop/browse.py ARGS` (python-zeroconf) and parses its JSON.
/// Panics, with the script's stderr, if python3 or zeroconf is missing.
fn zeroconf_browse(args: &[&str]) -> BrowseOutput {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/browse.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run python3 ({e}): the DNS-SD interop tests need python3 with zeroconf; run scripts/setup.sh")
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed ({}): {stderr}",
        script.display(),
        out.status
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("browse.py printed no valid JSON ({e}): {stdout}\n{stderr}"))
}

#[test]
fn zeroconf_finds_the_real_server_with_rfc6763_name_and_txt() {
    netns::run(
        "zeroconf_finds_the_real_server_with_rfc6763_name_and_txt",
        Loopback::Up,
        || {
            // A dot, an em dash and spaces: legal in an RFC 6763 instance
            // name, and escaped on the wire, so a foreign parser must agree.
            let name = "Acme Corp. — Design office";
            let dir = tempfile::tempdir().unwrap();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let server = runtime.block_on(async {
                let mut config = Config::ephemeral(dir.path());
                config.mdns = true;
                config.server_name = Some(name.into());
                Server::start(config).await.unwrap()
            });
            let port = server.local_addr().port();
            let server_id = server.engine().identity().server_id.to_string();

            let started = Instant::now();
            let out = zeroconf_browse(&["--timeout", "10", "--first", "--raw-ptr"]);
            println!(
                "zeroconf resolved the real server in {:?} (script: {} ms): {out:?}",
                started.elapsed(),
                out.elapsed_ms
            );

            assert_eq!(out.services.len(), 1, "exactly our server: {out:?}");
            let s = &out.services[0];
            assert_eq!(s.instance, name, "instance name is the server name");
            assert_eq!(s.fullname, format!("{name}._leasehold._tcp.local."));
            // zeroconf joins labels with dots, so check the wire too: the
            // whole name is ONE label, its dot part of it (RFC 6763 §4.3).
            assert_eq!(
                out.ptr_labels,
                [[name, "_leasehold", "_tcp", "local"]],
                "PTR target labels on the wire"
            );
            assert_eq!(s.port, port);
            assert!(s.server.ends_with(".local."), "host name {}", s.server);

            let expected: BTreeMap<String, Option<String>> = [
                ("txtvers", "1".to_owned()),
                ("proto", PROTOCOL_VERSION.to_string()),
                ("id", server_id.clone()),
                ("name", name.to_owned()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), Some(v)))
            .collect();
            assert_eq!(s.txt, expected, "TXT key/values exactly as announced");
            // RFC 6763 §6.7: txtvers first; §6.4: short printable ASCII keys,
            // each string key=value within 255 bytes (§6.1), no duplicates.
            assert_eq!(s.txt_strings.first().map(String::as_str), Some("txtvers=1"));
            assert_eq!(s.txt_strings.len(), 4, "{:?}", s.txt_strings);
            for string in &s.txt_strings {
                let (key, _) = string.split_once('=').expect("key=value");
                assert!(
                    !key.is_empty()
                        && key.len() <= 9
                        && key.bytes().all(|b| (0x20..=0x7e).contains(&b)),
                    "TXT key {key:?}"
                );
                assert!(string.len() <= 255);
            }

            assert!(
                s.addresses.iter().any(|a| a == "127.0.0.1"),
                "{:?}",
                s.addresses
            );

            runtime.block_on(server.shutdown());
        },
    );
}

/// Waits until `dev` reports carrier (a fresh veth is briefly not up).
fn wait_link_up(dev: &str) {
    let start = Instant::now();
    loop {
        let out = Command::new("ip")
            .args(["-o", "link", "show", "dev", dev])
            .output()
            .expect("ip link show");
        if String::from_utf8_lossy(&out.stdout).contains("state UP") {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{dev} did not come up"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The address the announcement must pick up (TEST-NET-1, never routed).
const NEW_IP: &str = "192.0.2.10";
/// Bound on noticing it: mdns-sd rescans interfaces every 5 s, plus probing.
const FOLLOW_LIMIT: Duration = Duration::from_secs(12);

#[test]
fn announcement_follows_an_address_added_after_start() {
    netns::run(
        "announcement_follows_an_address_added_after_start",
        Loopback::Up,
        || {
            let adv = Advertiser::start(Announcement {
                port: 7010,
                server_id: "id-move".into(),
                server_name: "Mover".into(),
                protocol_version: 1,
                only_address: None,
            });
            let start = Instant::now();
            while adv.status().state != MdnsState::Announcing || adv.status().addresses.is_empty() {
                assert!(
                    start.elapsed() < Duration::from_secs(4),
                    "{:?}",
                    adv.status()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            assert_eq!(adv.status().addresses, ["127.0.0.1"], "only lo at first");

            // `dummy` links need a kernel module a user namespace cannot load,
            // so a veth pair, both ends inside this namespace.
            netns::ip(&[
                "link", "add", "lh-a", "type", "veth", "peer", "name", "lh-b",
            ]);
            netns::ip(&["addr", "add", &format!("{NEW_IP}/24"), "dev", "lh-a"]);
            netns::ip(&["addr", "add", "192.0.2.11/24", "dev", "lh-b"]);
            for dev in ["lh-a", "lh-b"] {
                netns::ip(&["link", "set", dev, "multicast", "on"]);
                netns::ip(&["link", "set", dev, "up"]);
            }
            wait_link_up("lh-a");
            wait_link_up("lh-b");
            let added = Instant::now();

            // Our client, browsing from now on (so it listens on the veth too).
            let new_ip: IpAddr = NEW_IP.parse().unwrap();
            let seen_by_client = netns::block_on(async {
                let mut browser = Browser::start().expect("browse");
                loop {
                    let left = FOLLOW_LIMIT.saturating_sub(added.elapsed());
                    let event = tokio::time::timeout(left, browser.next_event())
                        .await
                        .unwrap_or_else(|_| {
                            panic!(
                                "{NEW_IP} not announced within {FOLLOW_LIMIT:?} of being added; \
                                 client sees {:?}; server status {:?}",
                                browser.servers(),
                                adv.status()
                            )
                        })
                        .expect("browser stopped");
                    if let DiscoveryEvent::Updated(s) = event {
                        assert_eq!(s.server_id, "id-move");
                        if s.addresses.iter().any(|a| a.ip() == new_ip) {
                            assert!(s.addresses.iter().all(|a| a.port() == 7010), "{s:?}");
                            browser.close().await;
                            break added.elapsed();
                        }
                    }
                }
            });
            println!("our client saw {NEW_IP} {seen_by_client:?} after it was added");

            // The server's own status follows too (IpAdd → self-check).
            while !adv.status().addresses.contains(&NEW_IP.to_owned()) {
                assert!(added.elapsed() < FOLLOW_LIMIT, "status {:?}", adv.status());
                std::thread::sleep(Duration::from_millis(50));
            }
            println!(
                "server status lists {NEW_IP} {:?} after it was added: {:?}",
                added.elapsed(),
                adv.status()
            );

            // And an independent browser resolves the new address. On a busy
            // machine its first resolve can come back with only part of the
            // answer (seen twice in CI-like runs): a fresh browser asks again,
            // at most three times.
            let mut tries = Vec::new();
            let found = (0..3).find_map(|_| {
                let out = zeroconf_browse(&["--timeout", "10", "--want-address", NEW_IP]);
                println!("zeroconf: {out:?}");
                let s = out.services.into_iter().next();
                tries.push(s.clone());
                s.filter(|s| s.addresses.contains(&NEW_IP.to_owned()))
            });
            let s = found.unwrap_or_else(|| panic!("zeroconf never resolved {NEW_IP}: {tries:?}"));
            assert_eq!(s.port, 7010);
            adv.shutdown();
        },
    );
}
