//! A real `leasehold_server::Server` with a "Designer" license, a client of
//! it (or of any address), and waiting for a seat state.

use std::path::Path;
use std::time::Duration;

use leasehold_client::{Client, ClientBuilder, SeatState, ServerSource};
use leasehold_core::license::{LicenseTerms, VendorKeyPair, issue};
use leasehold_server::{Config, Server, ServerHandle};
use tempfile::TempDir;
use tokio::sync::watch;

/// Starts a server in `dir` trusting `vendor`, with `configure` applied to
/// its otherwise ephemeral config (listen address, clock, mDNS…).
pub async fn start(
    dir: &Path,
    vendor: &VendorKeyPair,
    configure: impl FnOnce(&mut Config),
) -> ServerHandle {
    let mut config = Config::ephemeral(dir);
    configure(&mut config);
    config.trust.push(vendor.public());
    Server::start(config).await.unwrap()
}

/// Adds a license of `seats` seats of "Designer" for Acme Ltd, with leases
/// of `lease_secs`, signed by `vendor`.
pub async fn add_license(
    server: &ServerHandle,
    vendor: &VendorKeyPair,
    seats: u32,
    lease_secs: u32,
) {
    let terms = LicenseTerms {
        lease_secs,
        ..leasehold_core::testing::terms("Designer", seats)
    };
    server
        .engine()
        .add_license(&issue(vendor, &terms).unwrap(), false)
        .await
        .unwrap();
}

/// A fresh temp dir and vendor key, and a server started in that dir (see
/// [`start`]) holding a license (see [`add_license`]).
pub async fn with_license(
    seats: u32,
    lease_secs: u32,
    configure: impl FnOnce(&mut Config),
) -> (TempDir, VendorKeyPair, ServerHandle) {
    let dir = tempfile::tempdir().unwrap();
    let vendor = vendor();
    let server = start(dir.path(), &vendor, configure).await;
    add_license(&server, &vendor, seats, lease_secs).await;
    (dir, vendor, server)
}

/// The vendor of the tests' servers (and of the fake's codes): the key
/// [`client_at`] and [`client_from`] build in.
pub fn vendor() -> VendorKeyPair {
    VendorKeyPair::from_seed(&[5; 32])
}

/// Designer 4.2, run by alice on the computer `id`, trusting [`vendor`].
pub fn designer(id: &str) -> ClientBuilder {
    Client::builder()
        .vendor_key(vendor().public())
        .app("Designer", "4.2")
        .client_id(id)
        .user("alice")
        .host(id)
}

/// A client on computer `id` of the server at `addr`.
pub fn client_at(addr: impl ToString, id: &str) -> Client {
    designer(id).server(addr.to_string()).build().unwrap()
}

/// A client on computer `id` finding its servers through `source`.
pub fn client_from(source: ServerSource, id: &str) -> Client {
    designer(id).source(source).build().unwrap()
}

/// Waits (on tokio's clock, at most `limit`) for a state matching `want`.
pub async fn wait_for(
    states: &mut watch::Receiver<SeatState>,
    limit: Duration,
    want: impl Fn(&SeatState) -> bool,
) -> SeatState {
    let found = tokio::time::timeout(limit, async {
        states.wait_for(|s| want(s)).await.map(|s| s.clone())
    })
    .await;
    match found {
        Ok(Ok(state)) => state,
        Ok(Err(_)) => panic!("the guard's task ended"),
        Err(_) => panic!(
            "no matching state within {limit:?}; last: {:?}",
            *states.borrow()
        ),
    }
}
