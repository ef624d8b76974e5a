//! The SDK over HTTPS: a server with a certificate it made itself is
//! reached at `https://…` when the application (or the end user's settings)
//! pins the certificate's fingerprint; any other certificate is refused
//! before a byte of the licence protocol is sent, and plain HTTP on the same
//! port keeps working for applications that do not ask for TLS.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use std::time::Duration;

use common::server::{client_at, designer, wait_for, with_license};
use leasehold_client::{SeatState, Settings};
use leasehold_server::tls::TlsMode;

#[tokio::test]
async fn a_seat_over_https_needs_the_pinned_certificate() {
    let (dir, _vendor, server) = with_license(1, 10, |c| c.tls = TlsMode::Made).await;
    let fingerprint = server.tls().unwrap().fingerprint.clone();
    let https = format!("https://{}", server.local_addr());
    let in_use = || server.engine().usage()[0].in_use;

    // Pinned: checked out, and given back, over TLS.
    let pinned = designer("pc-1")
        .server(&https)
        .tls_fingerprint(&fingerprint)
        .build()
        .unwrap();
    let (api, _) = pinned.hello().await.unwrap();
    assert_eq!(api.address(), https);
    let guard = pinned.checkout("Designer").await.unwrap();
    assert_eq!(in_use(), 1);
    assert!(guard.release().await.unwrap().unwrap().was_held);
    assert_eq!(in_use(), 0);

    // Another certificate's fingerprint: refused, saying which one it saw
    // and what to do; no seat was taken.
    let refused = |pin: Option<String>| {
        let mut client = designer("pc-2").server(&https);
        if let Some(pin) = pin {
            client = client.tls_fingerprint(pin);
        }
        async move {
            client
                .build()
                .unwrap()
                .checkout("Designer")
                .await
                .unwrap_err()
        }
    };
    let err = refused(Some("AB:".repeat(31) + "AB")).await;
    assert_eq!(err.code(), "untrusted_certificate", "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&https) && text.contains(&fingerprint) && text.contains("tls_fingerprints"),
        "{text}"
    );
    assert_eq!(in_use(), 0);
    // No fingerprint: the system's roots, which never signed it.
    let err = refused(None).await;
    assert_eq!(err.code(), "untrusted_certificate", "{err}");
    assert_eq!(in_use(), 0);

    // A fingerprint that is not one is refused when the client is built.
    let err = designer("pc-2")
        .server(&https)
        .tls_fingerprint("AB:CD")
        .build()
        .unwrap_err();
    assert_eq!(err.code(), "invalid_tls_fingerprint", "{err}");

    // The end user's settings file: an https server and its fingerprint.
    let settings = dir.path().join("client/client.toml");
    Settings::Network {
        auto: false,
        servers: vec![https.clone()],
        tls_fingerprints: vec![fingerprint.to_lowercase().replace(':', "")],
    }
    .save(&settings)
    .unwrap();
    let from_file = designer("pc-3")
        .settings_file(Some(settings))
        .build()
        .unwrap();
    let guard = from_file.checkout("Designer").await.unwrap();
    assert_eq!(in_use(), 1);
    // Renewed over TLS too (a 10 s lease renews after about 3 s).
    let first = guard.grant().unwrap().expires_at;
    let mut states = guard.subscribe();
    wait_for(
        &mut states,
        Duration::from_secs(8),
        |s| matches!(s, SeatState::Held { expires_at, .. } if *expires_at > first),
    )
    .await;
    assert!(guard.release().await.unwrap().unwrap().was_held);

    // Plain HTTP on the same port, as before.
    let plain = client_at(server.local_addr(), "pc-4");
    let guard = plain.checkout("Designer").await.unwrap();
    assert!(guard.release().await.unwrap().unwrap().was_held);
    server.shutdown().await;
}
