//! The usage report round trip and an attacker's edits: the vendor's check
//! passes a report as the server made it, and says exactly what fails when
//! a byte of the file is edited, a figure changed, the report re-signed
//! with another key, or an event removed or edited in the server's database.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;
use axum::http::{Method, StatusCode};
use common::{Vendor, add_license, call, checkout, start};
use ed25519_dalek::Signer;
use leasehold_core::Timestamp;
use leasehold_core::license::LicenseTerms;
use leasehold_core::license::activation::{Activation, ActivationRequest};
use leasehold_core::report::{ReportError, verify};
use leasehold_core::wire::report::{ReportBody, SignedReport};
use leasehold_server::ServerHandle;
use serde_json::json;
use std::time::Duration;

/// A server with an activated 2-seat code, some use, a denial and a
/// minute of history written.
async fn used_server(dir: &std::path::Path, vendor: &Vendor) -> ServerHandle {
    let server = start(dir, vendor).await;
    let terms = LicenseTerms {
        activation_required: true,
        max_activations: 1,
        ..vendor.terms("cad", 2)
    };
    add_license(&server, &vendor.issue(&terms)).await;
    let (_, body) = call(
        &server,
        Method::GET,
        &format!("/admin/v1/licenses/{}/activation-request", terms.license_id),
        None,
        true,
    )
    .await;
    let request = ActivationRequest::parse(body["request"].as_str().unwrap()).unwrap();
    let response = Activation::issue(&vendor.key, &request, Timestamp::now()).to_text();
    let (status, _) = call(
        &server,
        Method::POST,
        "/admin/v1/activations",
        Some(json!({ "response": response })),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    server.engine().skip_time(Duration::from_secs(60));
    server.engine().sweep().await;
    checkout(&server, "cad", "pc-a").await;
    checkout(&server, "cad", "pc-b").await;
    assert_eq!(
        checkout(&server, "cad", "pc-c").await.0,
        StatusCode::CONFLICT
    );
    server.engine().skip_time(Duration::from_secs(60));
    server.engine().sweep().await;
    server.engine().store().apply(vec![]).await.unwrap();
    server
}

async fn report(server: &ServerHandle) -> String {
    let to = server.engine().now().0 + 1;
    let (status, body) = call(
        server,
        Method::GET,
        &format!("/admin/v1/report?from=0&to={to}"),
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.to_string()
}

#[tokio::test]
async fn a_report_checks_with_the_vendor_key_and_says_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = used_server(dir.path(), &vendor).await;
    let text = report(&server).await;
    let ok = verify(&text, &[vendor.key.public()]).unwrap();
    let cad = ok
        .body
        .products
        .iter()
        .find(|p| p.product == "cad".into())
        .unwrap();
    assert_eq!(
        (cad.seats, cad.peak_in_use, cad.denials),
        (2, 2, 1),
        "{cad:?}"
    );
    assert!(
        ok.body.events.items.len() >= 4,
        "licence added, activation, grants, denial"
    );
    assert_eq!(
        ok.body.events.items.last().unwrap().hash,
        ok.body.events.end_hash
    );
    assert!(ok.unstored.is_empty());
    // Another vendor's key does not vouch for this server.
    let other = Vendor::new();
    assert!(matches!(
        verify(&text, &[other.key.public()]),
        Err(ReportError::Untrusted(_))
    ));
    // The next report starts where this one ended.
    checkout(&server, "cad", "pc-d").await;
    let from = ok.body.to.0;
    let to = server.engine().now().0 + 1;
    let (_, next) = call(
        &server,
        Method::GET,
        &format!("/admin/v1/report?from={from}&to={to}"),
        None,
        true,
    )
    .await;
    let next = verify(&next.to_string(), &[vendor.key.public()]).unwrap();
    assert_eq!(next.body.events.start_hash, ok.body.events.end_hash);
    server.shutdown().await;
}

#[tokio::test]
async fn an_edited_file_a_changed_figure_or_another_signer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = used_server(dir.path(), &vendor).await;
    let text = report(&server).await;
    let keys = [vendor.key.public()];

    // A byte of the signed text edited.
    let mut file: SignedReport = serde_json::from_str(&text).unwrap();
    let at = file.report.find("\"peakInUse\":2").unwrap() + "\"peakInUse\":".len();
    file.report.replace_range(at..=at, "1");
    let edited = serde_json::to_string(&file).unwrap();
    assert_eq!(verify(&edited, &keys), Err(ReportError::Signature));

    // A figure changed and the report signed again with a key of one's own.
    let mut body: ReportBody =
        serde_json::from_str(&serde_json::from_str::<SignedReport>(&text).unwrap().report).unwrap();
    body.products[0].peak_in_use = 1;
    let mine = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    body.server_public_key = hex::encode(mine.verifying_key().as_bytes());
    let report_text = serde_json::to_string(&body).unwrap();
    let resigned = SignedReport {
        signature: hex::encode(mine.sign(report_text.as_bytes()).to_bytes()),
        report: report_text,
    };
    let refused = verify(&serde_json::to_string(&resigned).unwrap(), &keys).unwrap_err();
    assert!(matches!(refused, ReportError::Untrusted(_)), "{refused}");
    assert!(refused.to_string().contains("cad"), "{refused}");

    // Not a report at all.
    assert!(matches!(
        verify("{}", &keys),
        Err(ReportError::NotAReport(_))
    ));
    server.shutdown().await;
}

#[tokio::test]
async fn an_event_removed_or_edited_in_the_database_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = used_server(dir.path(), &vendor).await;
    let keys = [vendor.key.public()];
    let ok = verify(&report(&server).await, &keys).unwrap();
    let seqs: Vec<u64> = ok.body.events.items.iter().map(|i| i.event.seq).collect();
    let middle = seqs[seqs.len() / 2];
    // The operator edits the database behind the server's back.
    let db = rusqlite::Connection::open(dir.path().join("leasehold.db")).unwrap();
    db.execute(
        "UPDATE events SET message = 'nothing happened' WHERE seq = ?1",
        [middle as i64],
    )
    .unwrap();
    let refused = verify(&report(&server).await, &keys).unwrap_err();
    assert_eq!(
        refused,
        ReportError::Chain {
            seq: middle,
            why: "its content or its link to the event before does not match its hash".into()
        }
    );
    // Removed instead: the next event's link no longer matches.
    db.execute("DELETE FROM events WHERE seq = ?1", [middle as i64])
        .unwrap();
    let refused = verify(&report(&server).await, &keys).unwrap_err();
    let next = seqs[seqs.len() / 2 + 1];
    assert!(
        matches!(refused, ReportError::Chain { seq, .. } if seq == next),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("removed or edited"),
        "{refused}"
    );
    server.shutdown().await;
}
