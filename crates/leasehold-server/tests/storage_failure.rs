//! Storage failures never over-grant and never drop a client that renews.
//! Each test runs on a tiny tmpfs of its own (a real "disk full"), then
//! "crashes" the server (what `kill -9` leaves: the files as they are) and
//! starts a new one on that copy, later.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::tiny_disk::{self, crash_copy, fill};
use common::{Vendor, add_license, call, checkout};
use leasehold_core::wire::admin::COMPUTERS_PAGE_MAX;
use leasehold_server::clock::Clock;
use leasehold_server::engine::ComputersRequest;
use leasehold_server::{Config, Server, ServerHandle};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

async fn start_at(dir: &Path, vendor: &Vendor, clock: Clock) -> ServerHandle {
    let mut config = Config::ephemeral(dir);
    config.trust.push(vendor.key.public());
    config.clock = Some(clock);
    Server::start(config).await.expect("server starts")
}

/// A server on the tiny disk with `seats` seats of cad, on a clock the
/// test moves.
struct OnDisk {
    vendor: Vendor,
    data: PathBuf,
    clock: Clock,
    server: ServerHandle,
}

impl OnDisk {
    async fn start(disk: &Path, seats: u32) -> Self {
        let vendor = Vendor::new();
        let data = disk.join("data");
        let clock = Clock::start();
        let server = start_at(&data, &vendor, clock.clone()).await;
        add_license(&server, &vendor.code("cad", seats)).await;
        Self {
            vendor,
            data,
            clock,
            server,
        }
    }

    /// What a `kill -9` leaves now, started again `later`.
    async fn after_crash(&self, disk: &Path, later: Duration) -> ServerHandle {
        let copy = disk.join("after-crash");
        crash_copy(&self.data, &copy);
        self.clock.skip(later);
        start_at(&copy, &self.vendor, self.clock.clone()).await
    }
}

async fn lease_of(server: &ServerHandle, client: &str) -> String {
    let (status, grant) = checkout(server, "cad", client).await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    grant["leaseId"].as_str().expect("lease id").to_owned()
}

async fn post(server: &ServerHandle, path: &str) -> (StatusCode, Value) {
    call(server, Method::POST, path, None, false).await
}

/// The ids of every lease the server holds, sorted.
async fn held_leases(server: &ServerHandle) -> Vec<String> {
    let request = ComputersRequest {
        limit: COMPUTERS_PAGE_MAX,
        ..ComputersRequest::default()
    };
    let page = server.engine().computers(request).await.expect("computers");
    assert!(page.next_cursor.is_none(), "more than one page");
    let mut held: Vec<String> = page.rows.iter().map(|r| r.lease.id.to_string()).collect();
    held.sort();
    held
}

fn in_use(server: &ServerHandle) -> u32 {
    server.engine().usage().iter().map(|u| u.in_use).sum()
}

#[test]
fn a_release_that_cannot_be_written_keeps_its_seat_until_it_is() {
    tiny_disk::run(
        "a_release_that_cannot_be_written_keeps_its_seat_until_it_is",
        4096,
        |disk| {
            block_on(async {
                let run = OnDisk::start(disk, 3).await;
                let server = &run.server;
                let a = lease_of(server, "pc-a").await;
                let b = lease_of(server, "pc-b").await;
                let c = lease_of(server, "pc-c").await;
                server.store_flush().await;

                let filler = fill(disk);
                let (status, body) = post(server, &format!("/v1/leases/{a}/release")).await;
                assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
                assert_eq!(body["code"], "storage_full", "{body}");
                // The seat is still taken: the store still holds the lease,
                // and the admin is told why.
                assert_eq!(in_use(server), 3);
                let ending: u32 = server.engine().usage().iter().map(|u| u.ending).sum();
                assert_eq!(ending, 1);
                assert_eq!(
                    checkout(server, "cad", "pc-d").await.0,
                    StatusCode::CONFLICT
                );
                // The release did happen for the client: no renewal.
                assert_eq!(
                    post(server, &format!("/v1/leases/{a}/renew")).await.0,
                    StatusCode::GONE
                );
                // The admin is alerted, once.
                let raised = server.check_alerts();
                let failing: Vec<_> = raised.iter().filter(|a| a.key == "store_failing").collect();
                assert_eq!(failing.len(), 1, "{raised:?}");
                assert!(
                    failing[0].message.contains("Free disk space"),
                    "{}",
                    failing[0].message
                );
                assert!(
                    !server
                        .check_alerts()
                        .iter()
                        .any(|a| a.key == "store_failing")
                );

                // Space comes back; the server writes the end itself and the
                // seat is free for someone else.
                std::fs::remove_file(&filler).expect("free space");
                server.engine().skip_time(Duration::from_secs(2));
                let mut d = None;
                for _ in 0..100 {
                    let (status, grant) = checkout(server, "cad", "pc-d").await;
                    if status == StatusCode::OK {
                        d = grant["leaseId"].as_str().map(str::to_owned);
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let d = d.expect("the seat came back once the disk had room");
                server.store_flush().await;
                server.check_alerts();
                let list = server.alerts().list();
                let failing = list
                    .alerts
                    .iter()
                    .find(|a| a.key == "store_failing")
                    .unwrap();
                assert!(
                    failing.resolved_at.is_some(),
                    "resolved once the disk had room: {failing:?}"
                );

                // kill -9 now, start again: three leases on three seats.
                let again = run.after_crash(disk, Duration::ZERO).await;
                let held = held_leases(&again).await;
                let mut want = vec![b, c, d];
                want.sort();
                assert_eq!(held, want);
                assert_eq!(in_use(&again), 3);
                again.shutdown().await;
                run.server.shutdown().await;
            });
        },
    );
}

#[test]
fn a_client_that_renews_through_a_full_disk_keeps_its_lease_across_a_crash() {
    tiny_disk::run(
        "a_client_that_renews_through_a_full_disk_keeps_its_lease_across_a_crash",
        4096,
        |disk| {
            block_on(async {
                let run = OnDisk::start(disk, 1).await;
                let (server, clock) = (&run.server, &run.clock);
                // 60 s leases, stored until 60 s.
                let e = lease_of(server, "pc-e").await;
                let renew = format!("/v1/leases/{e}/renew");
                server.store_flush().await;

                let filler = fill(disk);
                // At 20 s the renewal passes the stored deadline; its write fails.
                clock.skip(Duration::from_secs(20));
                assert_eq!(post(server, &renew).await.0, StatusCode::OK);
                server.store_flush().await;
                assert!(
                    server.engine().renewals_unstored() >= 1,
                    "the renewal's write did fail (else this test proves nothing)"
                );
                let unstored = server.engine().renewals_unstored();

                std::fs::remove_file(&filler).expect("free space");
                // At 40 s the next renewal must write again.
                clock.skip(Duration::from_secs(20));
                assert_eq!(post(server, &renew).await.0, StatusCode::OK);
                server.store_flush().await;
                assert_eq!(
                    server.engine().renewals_unstored(),
                    unstored,
                    "with room again, this renewal's write went through"
                );

                // kill -9, and the server is back only at 70 s: past the
                // deadline of the first checkout, within the renewed one.
                let again = run.after_crash(disk, Duration::from_secs(30)).await;
                let (status, body) = post(&again, &renew).await;
                assert_eq!(
                    status,
                    StatusCode::OK,
                    "the renewing client lost its lease: {body}"
                );
                again.shutdown().await;
                run.server.shutdown().await;
            });
        },
    );
}

#[test]
fn a_checkout_that_cannot_be_written_grants_nothing() {
    tiny_disk::run(
        "a_checkout_that_cannot_be_written_grants_nothing",
        4096,
        |disk| {
            block_on(async {
                let run = OnDisk::start(disk, 2).await;
                let server = &run.server;
                let a = lease_of(server, "pc-a").await;
                server.store_flush().await;

                let filler = fill(disk);
                let (status, body) = checkout(server, "cad", "pc-b").await;
                assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
                assert_eq!(body["code"], "storage_full", "{body}");
                assert!(
                    body["message"].as_str().unwrap().contains("free space"),
                    "{body}"
                );
                assert_eq!(in_use(server), 1, "nothing was granted");
                // The holder of the other seat keeps renewing meanwhile.
                assert_eq!(
                    post(server, &format!("/v1/leases/{a}/renew")).await.0,
                    StatusCode::OK
                );

                std::fs::remove_file(&filler).expect("free space");
                let b = lease_of(server, "pc-b").await;
                server.store_flush().await;
                let again = run.after_crash(disk, Duration::ZERO).await;
                let held = held_leases(&again).await;
                let mut want = vec![a, b];
                want.sort();
                assert_eq!(held, want);
                again.shutdown().await;
                run.server.shutdown().await;
            });
        },
    );
}
