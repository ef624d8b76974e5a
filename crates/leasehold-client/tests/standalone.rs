//! Standalone mode: a node-locked license file verified offline, with no
//! server anywhere; each way a file can be wrong has its own error.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::path::{Path, PathBuf};

use leasehold_client::clock_state;
use leasehold_client::{Client, ClientError, SeatState, StandaloneError, identity};
use leasehold_core::Timestamp;
use leasehold_core::license::{LicenseTerms, VendorKeyPair, issue, valid_until_date};

fn terms(node_lock: Option<String>) -> LicenseTerms {
    LicenseTerms {
        lease_secs: 600,
        node_lock,
        ..leasehold_core::testing::terms("Designer", 1)
    }
}

fn this_machine() -> Option<String> {
    Some(identity::machine_id().unwrap().as_str().to_owned())
}

fn write(dir: &Path, name: &str, vendor: &VendorKeyPair, terms: &LicenseTerms) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{}\n", issue(vendor, terms).unwrap())).unwrap();
    path
}

fn client(file: &Path, vendor: &VendorKeyPair) -> Client {
    Client::builder()
        .standalone(file)
        .clock_state(file.with_extension("clock"))
        .vendor_key(vendor.public())
        .app("Designer", "4.2")
        .build()
        .unwrap()
}

async fn refusal(file: &Path, vendor: &VendorKeyPair) -> StandaloneError {
    match client(file, vendor).checkout("Designer").await {
        Err(ClientError::Standalone(e)) => e,
        Err(other) => panic!("expected a standalone error, got {other:?}"),
        Ok(guard) => panic!("expected a refusal, got {:?}", guard.state()),
    }
}

#[tokio::test]
async fn a_valid_file_works_with_no_server_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let mut t = terms(this_machine());
    t.valid_until = Some(valid_until_date("2999-12-31").unwrap());
    let file = write(dir.path(), "designer.lic", &vendor, &t);

    let client = client(&file, &vendor);
    assert!(client.is_standalone());
    assert!(client.servers().is_empty());
    let guard = client.checkout("Designer").await.unwrap();
    assert!(guard.grant().is_none());
    let license = guard.standalone_license().unwrap();
    assert_eq!(license.terms, t);
    assert_eq!(license.path, file);
    match guard.state() {
        SeatState::Held { expires_at, .. } => assert_eq!(Some(expires_at), t.valid_until),
        other => panic!("expected Held, got {other:?}"),
    }
    let mut states = guard.subscribe();
    assert_eq!(guard.release().await.unwrap(), None);
    states.changed().await.unwrap();
    assert_eq!(*states.borrow(), SeatState::Released);

    // Another product is not covered by this file.
    let e = client.checkout("Sketcher").await.unwrap_err();
    assert_eq!(e.code(), "license_wrong_product", "{e}");
}

#[tokio::test]
async fn a_file_for_another_machine_says_so_with_both_ids() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let file = write(
        dir.path(),
        "other.lic",
        &vendor,
        &terms(Some("0123abcd".into())),
    );
    let e = refusal(&file, &vendor).await;
    assert_eq!(e.code(), "license_for_another_machine");
    let text = e.to_string();
    assert!(
        text.contains("another computer") && text.contains("0123abcd"),
        "{text}"
    );
    assert!(
        text.contains(identity::machine_id().unwrap().as_str()),
        "{text}"
    );
}

#[tokio::test]
async fn an_expired_file_names_its_last_day() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let mut t = terms(this_machine());
    t.valid_until = Some(valid_until_date("2020-06-30").unwrap());
    let file = write(dir.path(), "old.lic", &vendor, &t);
    let e = refusal(&file, &vendor).await;
    assert_eq!(e.code(), "license_expired");
    assert!(e.to_string().contains("2020-06-30"), "{e}");
    assert!(matches!(e, StandaloneError::Expired { .. }));
}

#[tokio::test]
async fn a_file_not_yet_valid_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let mut t = terms(this_machine());
    t.valid_from = Some(leasehold_core::license::valid_from_date("2999-01-01").unwrap());
    let file = write(dir.path(), "future.lic", &vendor, &t);
    assert_eq!(
        refusal(&file, &vendor).await.code(),
        "license_not_yet_valid"
    );
}

#[tokio::test]
async fn a_tampered_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let file = write(dir.path(), "edited.lic", &vendor, &terms(this_machine()));
    // Change one character in the middle, as someone editing the file would.
    let mut text: Vec<char> = std::fs::read_to_string(&file).unwrap().chars().collect();
    let at = text.len() / 2;
    let at = if text[at] == '-' { at + 1 } else { at };
    text[at] = if text[at] == 'A' { 'B' } else { 'A' };
    std::fs::write(&file, text.into_iter().collect::<String>()).unwrap();

    let e = refusal(&file, &vendor).await;
    assert_eq!(e.code(), "license_tampered", "{e}");
    assert!(e.to_string().contains("altered or damaged"), "{e}");
}

#[tokio::test]
async fn a_file_signed_by_another_vendor_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let stranger = VendorKeyPair::generate().unwrap();
    let file = write(
        dir.path(),
        "stranger.lic",
        &stranger,
        &terms(this_machine()),
    );
    assert_eq!(refusal(&file, &vendor).await.code(), "untrusted_vendor");
}

#[tokio::test]
async fn missing_floating_and_garbage_files_each_have_their_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();

    let e = refusal(&dir.path().join("nope.lic"), &vendor).await;
    assert_eq!(e.code(), "license_file_missing");
    assert!(e.to_string().contains("nope.lic"), "{e}");

    let floating = write(dir.path(), "floating.lic", &vendor, &terms(None));
    assert_eq!(
        refusal(&floating, &vendor).await.code(),
        "license_not_node_locked"
    );

    let garbage = dir.path().join("notes.txt");
    std::fs::write(&garbage, "hello, this is not a license").unwrap();
    assert_eq!(
        refusal(&garbage, &vendor).await.code(),
        "not_a_license_code"
    );
}

#[test]
fn standalone_without_a_vendor_key_is_refused_at_build() {
    let e = Client::builder()
        .standalone("x.lic")
        .app("Designer", "4.2")
        .build()
        .unwrap_err();
    assert_eq!(e.code(), "no_vendor_key");
    let e = Client::from_settings("Designer", "4.2", "LHPK-NOTAKEY").unwrap_err();
    assert_eq!(e.code(), "bad_vendor_key");
}

const DAY_MS: i64 = 24 * 3600 * 1000;

#[tokio::test]
async fn a_licence_with_dates_is_refused_while_the_clock_is_set_back() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let mut dated = terms(this_machine());
    dated.valid_until = Some(valid_until_date("2999-12-31").unwrap());
    let file = write(dir.path(), "designer.lic", &vendor, &dated);
    let clock = file.with_extension("clock");

    // A use notes the time.
    let before = Timestamp::now();
    let _held = client(&file, &vendor).checkout("Designer").await.unwrap();
    assert!(clock_state::latest_seen(&clock).unwrap() >= before);

    // An hour ahead of this clock (an NTP correction back): still fine.
    std::fs::write(
        &clock,
        format!("latest_seen_ms = {}\n", before.0 + 3_600_000),
    )
    .unwrap();
    let _held = client(&file, &vendor).checkout("Designer").await.unwrap();

    // Three days ahead: this clock was set back.
    let later = before.0 + 3 * DAY_MS;
    std::fs::write(&clock, format!("latest_seen_ms = {later}\n")).unwrap();
    let e = refusal(&file, &vendor).await;
    assert_eq!(e.code(), "clock_set_back", "{e}");
    let message = e.to_string();
    assert!(message.contains("72 hours behind"), "{message}");
    assert!(message.contains("set this computer's date"), "{message}");
    // The record never moves back.
    assert_eq!(clock_state::latest_seen(&clock), Some(Timestamp(later)));

    // A licence without dates does not care.
    let perpetual = write(dir.path(), "designer.lic", &vendor, &terms(this_machine()));
    let _held = client(&perpetual, &vendor)
        .checkout("Designer")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_licence_issued_days_after_this_clocks_time_is_refused_without_any_record() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let mut t = terms(this_machine());
    t.valid_until = Some(valid_until_date("2999-12-31").unwrap());
    t.issued_at = Timestamp((Timestamp::now().0 + 5 * DAY_MS) / 1000 * 1000);
    let file = write(dir.path(), "designer.lic", &vendor, &t);
    assert!(!file.with_extension("clock").exists());
    let e = refusal(&file, &vendor).await;
    assert_eq!(e.code(), "clock_set_back", "{e}");
}
