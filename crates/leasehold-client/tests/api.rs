//! `ServerApi` and `Client::checkout` against the fake server: grants,
//! error answers as typed errors, signatures, unreachable servers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod fake;

use std::time::Duration;

use fake::FakeServer;
use leasehold_client::{Client, ClientError, LeaseEnd, ServerApi};
use tokio::time::Instant;

fn client(server: &FakeServer, client_id: &str) -> Client {
    Client::builder()
        .vendor_key(fake::vendor_key())
        .server(server.address())
        .app("Designer", "4.2")
        .client_id(client_id)
        .user("alice")
        .host("pc-1")
        .build()
        .unwrap()
}

/// A `ServerApi` for the fake that trusts its vendor.
fn trusted_api(server: &FakeServer) -> ServerApi {
    ServerApi::new(&server.address())
        .unwrap()
        .trusting(&[fake::vendor_key()])
}

#[tokio::test]
async fn hello_names_the_server() {
    let server = FakeServer::start(1, 30, 10).await;
    let api = ServerApi::new(&format!("http://{}", server.address()))
        .unwrap()
        .trusting(&[fake::vendor_key()]);
    let hello = api.hello().await.unwrap();
    assert_eq!(hello.server_name, "fake");
    assert_eq!(
        hello.protocol_version,
        leasehold_core::wire::PROTOCOL_VERSION
    );
}

#[tokio::test]
async fn checkout_gives_a_verified_grant_and_release_frees_the_seat() {
    let server = FakeServer::start(2, 30, 10).await;
    let guard = client(&server, "pc-1").checkout("Designer").await.unwrap();
    let grant = guard.grant().unwrap().clone();
    assert_eq!(grant.product.as_str(), "Designer");
    assert_eq!(grant.client_id.as_str(), "pc-1");
    assert_eq!(grant.renew_after_secs, 10);
    assert_eq!(guard.lease_id(), Some(grant.lease_id));
    assert_eq!(server.live_leases(), 1);

    let released = guard.release().await.unwrap().unwrap();
    assert_eq!(released.lease_id, grant.lease_id);
    assert!(released.was_held);
    assert_eq!(server.live_leases(), 0);
}

#[tokio::test]
async fn no_seat_free_carries_seats_in_use_and_retry_time() {
    let server = FakeServer::start(1, 30, 10).await;
    let _held = client(&server, "pc-1").checkout("Designer").await.unwrap();
    let err = client(&server, "pc-2")
        .checkout("Designer")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "no_seat_free");
    match err {
        ClientError::NoSeatFree {
            product,
            seats,
            in_use,
            retry_after,
        } => {
            assert_eq!(product.as_str(), "Designer");
            assert_eq!((seats, in_use), (1, 1));
            assert_eq!(retry_after, Duration::from_secs(20));
        }
        other => panic!("expected NoSeatFree, got {other:?}"),
    }
}

#[tokio::test]
async fn the_same_computer_checking_out_again_gets_the_same_lease() {
    let server = FakeServer::start(1, 30, 10).await;
    let api = trusted_api(&server);
    let request = client(&server, "pc-1").checkout_request("Designer");
    let first = api.checkout(&request).await.unwrap();
    let again = api.checkout(&request).await.unwrap();
    assert_eq!(first.lease_id, again.lease_id);
    assert!(again.reused);
}

#[tokio::test]
async fn a_grant_with_a_bad_signature_is_refused_and_its_lease_released() {
    let server = FakeServer::start(1, 30, 10).await;
    server.state().wrong_key = Some(ed25519_dalek::SigningKey::from_bytes(&[9; 32]));
    let err = client(&server, "pc-1")
        .checkout("Designer")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::BadGrantSignature { .. }),
        "{err:?}"
    );
    assert_eq!(err.code(), "bad_grant_signature");
    let state = server.state();
    assert_eq!(state.checkouts, 1);
    assert_eq!(
        state.released.len(),
        1,
        "the refused grant's lease was given back"
    );
    drop(state);
    assert_eq!(server.live_leases(), 0, "no seat stays taken");
}

#[tokio::test]
async fn a_pinned_key_refuses_a_server_with_another_key() {
    let server = FakeServer::start(1, 30, 10).await;
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
    let api = ServerApi::new(&server.address())
        .unwrap()
        .trusting(&[fake::vendor_key()])
        .pin_server_key(&hex::encode(other.to_bytes()))
        .unwrap();
    let request = client(&server, "pc-1").checkout_request("Designer");
    // Its chain names the key it really signs with: refused before a seat
    // is taken.
    let err = api.checkout(&request).await.unwrap_err();
    assert!(
        matches!(err, ClientError::UntrustedServer { ref reason, .. } if reason.contains("another key")),
        "{err:?}"
    );
    assert_eq!(server.state().checkouts, 0);
}

#[tokio::test]
async fn a_server_showing_no_trusted_licence_gets_no_checkout_and_a_changed_chain_is_checked_again()
{
    let server = FakeServer::start(2, 30, 10).await;
    server.state().set_untrusted(true);
    let err = client(&server, "pc-1")
        .checkout("Designer")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "untrusted_server");
    assert!(err.to_string().contains("does not trust"), "{err}");
    assert_eq!(server.state().checkouts, 0, "no seat was asked for");

    // Trusted again: a seat. Then its licence changes to one nobody trusts:
    // the next renew carries another digest, the chain is checked again, and
    // the lease is given back.
    server.state().set_untrusted(false);
    let api = trusted_api(&server);
    let request = client(&server, "pc-1").checkout_request("Designer");
    let grant = api.checkout(&request).await.unwrap();
    let renewed = api.renew(grant.lease_id).await.unwrap();
    assert_eq!(renewed.chain, grant.chain, "unchanged chain, no new check");
    server.state().set_untrusted(true);
    let err = api.renew(grant.lease_id).await.unwrap_err();
    assert_eq!(err.code(), "untrusted_server", "{err}");
    assert!(server.state().released.contains(&grant.lease_id));

    // Network mode without a vendor key is an error, not blind trust.
    let bare = ServerApi::new(&server.address()).unwrap();
    assert_eq!(
        bare.checkout(&request).await.unwrap_err().code(),
        "no_vendor_key"
    );
}

#[tokio::test]
async fn renew_and_release_answers_map_to_lease_outcomes() {
    let server = FakeServer::start(1, 30, 10).await;
    let api = trusted_api(&server);
    let request = client(&server, "pc-1").checkout_request("Designer");
    let grant = api.checkout(&request).await.unwrap();

    let renewed = api.renew(grant.lease_id).await.unwrap();
    assert_eq!(renewed.lease_id, grant.lease_id);

    assert!(api.release(grant.lease_id).await.unwrap().was_held);
    assert!(
        !api.release(grant.lease_id).await.unwrap().was_held,
        "release is idempotent"
    );

    let err = api.renew(grant.lease_id).await.unwrap_err();
    assert!(
        matches!(
            err,
            ClientError::LeaseLost {
                reason: LeaseEnd::Released,
                ..
            }
        ),
        "{err:?}"
    );
    let err = api
        .renew(leasehold_client::LeaseId::random())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "lease_not_found");
}

#[tokio::test]
async fn over_subscribed_says_when_the_lease_ends() {
    let server = FakeServer::start(1, 30, 10).await;
    let api = trusted_api(&server);
    let grant = api
        .checkout(&client(&server, "pc-1").checkout_request("Designer"))
        .await
        .unwrap();
    server.state().over_subscribed = true;
    match api.renew(grant.lease_id).await.unwrap_err() {
        ClientError::OverSubscribed { expires_at, .. } => {
            assert_eq!(expires_at, Some(grant.expires_at))
        }
        other => panic!("expected OverSubscribed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stopped_server_is_unreachable_at_once() {
    let mut server = FakeServer::start(1, 30, 10).await;
    server.stop().await;
    let started = std::time::Instant::now();
    let err = client(&server, "pc-1")
        .checkout("Designer")
        .await
        .unwrap_err();
    assert!(err.is_unreachable(), "{err:?}");
    assert_eq!(err.code(), "unreachable");
    assert!(err.to_string().contains(&server.address()), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_is_unreachable_within_the_request_timeout() {
    // Accepts connections (the kernel does) but never reads or answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = ServerApi::new(&silent.local_addr().unwrap().to_string())
        .unwrap()
        .trusting(&[fake::vendor_key()]);
    let started = Instant::now();
    let err = api.hello().await.unwrap_err();
    assert!(err.is_unreachable(), "{err:?}");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited <= Duration::from_secs(11),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_later_server_in_the_list_is_used_when_the_first_is_down() {
    let mut down = FakeServer::start(1, 30, 10).await;
    down.stop().await;
    let up = FakeServer::start(1, 30, 10).await;
    let client = Client::builder()
        .vendor_key(fake::vendor_key())
        .server(down.address())
        .server(up.address())
        .client_id("pc-1")
        .user("alice")
        .host("pc-1")
        .build()
        .unwrap();
    let guard = client.checkout("Designer").await.unwrap();
    assert_eq!(up.live_leases(), 1);
    guard.release().await.unwrap();
}

#[test]
fn building_without_a_server_says_so() {
    let err = Client::builder()
        .client_id("x")
        .user("u")
        .host("h")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "no_server");
}
