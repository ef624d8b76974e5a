//! The server over a real socket on loopback port 0, driven by the real
//! `leasehold-client`; and what survives a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use leasehold_client::{Client, ClientError, ServerApi};
use leasehold_core::event::EventKind;
use leasehold_core::lease::{Holder, Lease};
use leasehold_core::{ClientId, LeaseId, Product, Timestamp};
use leasehold_server::store::{EventQuery, Op, Store, StoreOptions};

fn client(server: &leasehold_server::ServerHandle, vendor: &Vendor, id: &str) -> Client {
    Client::builder()
        .vendor_key(vendor.key.public())
        .server(server.local_addr().to_string())
        .app("Designer", "4.2")
        .client_id(id)
        .user("ann")
        .host(format!("{id}.lan"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn twelve_real_clients_on_ten_seats() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 10)).await;
    let mut guards = Vec::new();
    let mut denied = 0;
    for i in 0..12 {
        match client(&server, &vendor, &format!("pc-{i}"))
            .checkout("cad")
            .await
        {
            Ok(g) => guards.push(g),
            Err(ClientError::NoSeatFree { seats, in_use, .. }) => {
                assert_eq!((seats, in_use), (10, 10));
                denied += 1;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((guards.len(), denied), (10, 2));
    // Releasing one lets the next client in.
    guards.pop().unwrap().release().await.unwrap();
    let late = client(&server, &vendor, "pc-late")
        .checkout("cad")
        .await
        .unwrap();
    assert_eq!(server.engine().counts().0, 10);
    late.release().await.unwrap();
    for g in guards {
        g.release().await.unwrap();
    }
    assert_eq!(server.engine().counts().0, 0);
    server.shutdown().await;
}

#[tokio::test]
async fn a_restart_keeps_every_lease_and_never_oversells() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 2)).await;
    let api = ServerApi::new(&server.local_addr().to_string())
        .unwrap()
        .trusting(&[vendor.key.public()]);
    let request = |id: &str| checkout_request("cad", id);
    let a = api.checkout(&request("a")).await.unwrap();
    let b = api.checkout(&request("b")).await.unwrap();
    server.shutdown().await;

    let server = start(dir.path(), &vendor).await;
    let api = ServerApi::new(&server.local_addr().to_string())
        .unwrap()
        .trusting(&[vendor.key.public()]);
    let (_, computers) = call(&server, Method::GET, "/admin/v1/computers", None, true).await;
    assert_eq!(
        computers["rows"].as_array().unwrap().len(),
        2,
        "{computers}"
    );
    // Both seats are still taken: a third client is denied.
    assert!(matches!(
        api.checkout(&request("c")).await,
        Err(ClientError::NoSeatFree { .. })
    ));
    // The holders renew their same leases on the restarted server.
    assert_eq!(api.renew(a.lease_id).await.unwrap().lease_id, a.lease_id);
    let again = api.checkout(&request("b")).await.unwrap();
    assert_eq!((again.lease_id, again.reused), (b.lease_id, true));
    server.shutdown().await;
}

#[tokio::test]
async fn the_store_keeps_a_deadline_no_earlier_than_the_real_one_without_writing_every_renewal() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    let api = ServerApi::new(&server.local_addr().to_string())
        .unwrap()
        .trusting(&[vendor.key.public()]);
    let (_, grant) = checkout(&server, "cad", "pc-1").await;
    let id: LeaseId = grant["leaseId"].as_str().unwrap().parse().unwrap();
    let lease_ms = i64::from(u32::try_from(grant["leaseSecs"].as_u64().unwrap()).unwrap()) * 1000;
    // The first renewal (a few ms later) passes the stored deadline: the store
    // is given one a lease further on. The next stay within it, unwritten.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let first = api.renew(id).await.unwrap();
    let mut last = first.clone();
    for _ in 0..5 {
        last = api.renew(id).await.unwrap();
    }
    server.store_flush().await;
    server.shutdown().await;

    let (store, snapshot) = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let stored = snapshot
        .leases
        .leases()
        .find(|l| l.id == id)
        .unwrap()
        .expires_at;
    assert_eq!(stored, first.expires_at.plus_millis(lease_ms));
    assert!(stored >= last.expires_at && stored <= last.expires_at.plus_millis(lease_ms));
    store.close().await;

    // After a restart the lease is held, and renews, as before.
    let server = start(dir.path(), &vendor).await;
    let api = ServerApi::new(&server.local_addr().to_string())
        .unwrap()
        .trusting(&[vendor.key.public()]);
    assert_eq!(api.renew(id).await.unwrap().lease_id, id);
    server.shutdown().await;
}

#[tokio::test]
async fn leases_that_expired_while_down_are_reclaimed_and_logged() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    add_license(&server, &vendor.code("cad", 1)).await;
    server.shutdown().await;
    // While the server is down, a lease in the store runs out.
    let (store, _) = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let now = Timestamp::now();
    let stale = Lease {
        id: LeaseId::random(),
        product: Product::from("cad"),
        holder: Holder {
            client_id: ClientId::from("gone"),
            user: "bob".into(),
            host: "gone.lan".into(),
            app_name: "Designer".into(),
            app_version: "4.2".into(),
            address: "127.0.0.1:9".into(),
            computer: leasehold_core::computer::Computer::UNKNOWN,
        },
        granted_at: now.plus_millis(-120_000),
        renewed_at: now.plus_millis(-120_000),
        expires_at: now.plus_millis(-60_000),
        lease_secs: 60,
        overdraft: false,
        units: 1,
    };
    store
        .apply(vec![Op::PutLease(stale.clone())])
        .await
        .unwrap();
    store.close().await;

    let server = start(dir.path(), &vendor).await;
    let (status, _) = checkout(&server, "cad", "fresh").await;
    assert_eq!(status, StatusCode::OK, "the reclaimed seat is free again");
    server.store_flush().await;
    let reclaims = server
        .engine()
        .store()
        .events(EventQuery {
            kinds: vec![EventKind::Reclaim],
            ..EventQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(reclaims.len(), 1);
    assert_eq!(reclaims[0].lease_id, Some(stale.id));
    server.shutdown().await;
    let (_, snapshot) = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert!(
        snapshot.leases.leases().all(|l| l.id != stale.id),
        "the reclaimed lease is gone from the store"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_reported_quickly() {
    // Bind then drop a listener: nothing listens on that port now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::time::Instant::now();
    let result = Client::builder()
        .server(format!("127.0.0.1:{port}"))
        .client_id("x")
        .user("u")
        .host("h")
        .build()
        .unwrap()
        .checkout("cad")
        .await;
    assert!(
        matches!(result, Err(ref e) if e.is_unreachable()),
        "{result:?}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn a_clock_set_back_since_the_last_run_is_reported_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    server.shutdown().await;
    // The last run saw a wall time two hours ahead of this clock.
    let (store, snap) = Store::open(dir.path(), StoreOptions::default()).unwrap();
    let seen: i64 = snap.settings["last_seen_at"].parse().unwrap();
    assert!(
        (seen - Timestamp::now().0).abs() < 60_000,
        "stop noted the time"
    );
    let ahead = Timestamp::now().plus_millis(2 * 3_600_000);
    store
        .apply(vec![Op::PutSetting {
            key: "last_seen_at".into(),
            value: ahead.0.to_string(),
        }])
        .await
        .unwrap();
    store.close().await;
    let server = start(dir.path(), &vendor).await;
    server.store_flush().await;
    let starts = server
        .engine()
        .store()
        .events(EventQuery {
            kinds: vec![EventKind::ServerStart],
            ..EventQuery::default()
        })
        .await
        .unwrap();
    let last = starts.last().unwrap();
    assert!(
        last.message
            .contains("minutes before the last time this server ran"),
        "{}",
        last.message
    );
    server.shutdown().await;
}
