use super::*;
use leasehold_core::license::{LicenseTerms, VendorKeyPair, issue};

fn network(auto: bool, servers: &[&str]) -> ClientSettings {
    ClientSettings::Network {
        auto,
        servers: servers.iter().map(|s| (*s).to_owned()).collect(),
        tls_fingerprints: Vec::new(),
    }
}

#[test]
fn settings_round_trip_through_the_file_named_by_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("conf/client.toml");
    // The only test in this crate that reads or sets this variable.
    unsafe { std::env::set_var(settings::CONFIG_ENV, &file) };
    let path = path().unwrap();
    unsafe { std::env::remove_var(settings::CONFIG_ENV) };
    assert_eq!(path, file);

    let fresh = load(&path, &[]);
    assert!(!fresh.exists && fresh.error.is_none());
    assert_eq!(fresh.settings, Some(network(true, &[])));

    let wanted = network(false, &["127.0.0.1:7878", "lic2.lan:7000"]);
    let saved = save(&path, wanted.clone(), false, &[]).unwrap();
    assert!(saved.exists);
    assert_eq!(saved.settings, Some(wanted.clone()));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(r#"mode = "network""#), "{text}");
    assert!(text.contains("lic2.lan:7000"), "{text}");
    // What the client itself reads back.
    assert_eq!(Settings::load(&file).unwrap(), Settings::from(wanted));
}

#[test]
fn the_wire_form_is_tagged_by_mode_in_camel_case() {
    let v = serde_json::to_value(ClientSettings::Standalone {
        license_file: "/opt/a.lic".into(),
    })
    .unwrap();
    assert_eq!(
        v,
        serde_json::json!({"mode": "standalone", "licenseFile": "/opt/a.lic"})
    );
    let back: ClientSettings =
        serde_json::from_value(serde_json::json!({"mode": "network", "auto": true, "servers": []}))
            .unwrap();
    assert_eq!(back, network(true, &[]));
}

#[test]
fn a_license_check_is_tagged_by_state_in_camel_case() {
    let v = serde_json::to_value(LicenseCheck::Valid {
        product: "Designer".into(),
        customer: "Acme Ltd".into(),
        valid_until: Some(Timestamp(1_767_225_600_000)),
        features: vec![],
    })
    .unwrap();
    assert_eq!(
        v,
        serde_json::json!({"state": "valid", "product": "Designer", "customer": "Acme Ltd",
            "validUntil": 1_767_225_600_000_i64, "features": []})
    );
}

#[test]
fn an_invalid_file_is_shown_and_replaced_only_when_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.toml");
    std::fs::write(&file, "mode = \"network\"\nauto = \"yes\"\n").unwrap();

    let view = load(&file, &[]);
    assert!(view.exists && view.settings.is_none());
    let err = view.error.expect("the error is shown");
    assert_eq!(err.code, "settings_invalid");
    assert!(err.message.contains("line 2"), "{}", err.message);

    let refused = save(&file, network(true, &[]), false, &[]).unwrap_err();
    assert_eq!(refused.code, "settings_invalid_existing");
    assert!(
        std::fs::read_to_string(&file).unwrap().contains("\"yes\""),
        "left as it was"
    );

    let replaced = save(&file, network(true, &[]), true, &[]).unwrap();
    assert_eq!(replaced.settings, Some(network(true, &[])));
    assert!(replaced.error.is_none());
}

#[test]
fn settings_the_client_would_refuse_are_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("client.toml");
    let err = save(&file, network(false, &[]), false, &[]).unwrap_err();
    assert_eq!(err.code, "settings_invalid");
    assert!(
        err.message.contains("needs `auto = true`"),
        "{}",
        err.message
    );
    let err = save(&file, network(false, &["ftp://x:1"]), false, &[]).unwrap_err();
    assert_eq!(err.code, "settings_invalid");
    let pinned_wrong = ClientSettings::Network {
        auto: false,
        servers: vec!["https://x:1".into()],
        tls_fingerprints: vec!["AB:CD".into()],
    };
    let err = save(&file, pinned_wrong, false, &[]).unwrap_err();
    assert_eq!(err.code, "settings_invalid");
    assert!(err.message.contains("SHA-256"), "{}", err.message);
    assert!(!file.exists());
}

fn license_file(dir: &Path, vendor: &VendorKeyPair, node_lock: &str) -> PathBuf {
    let terms = LicenseTerms {
        lease_secs: 600,
        node_lock: Some(node_lock.to_owned()),
        ..leasehold_core::testing::terms("Designer", 1)
    };
    let path = dir.join("designer.lic");
    std::fs::write(&path, issue(vendor, &terms).unwrap()).unwrap();
    path
}

#[test]
fn a_standalone_license_is_checked_when_the_vendor_key_is_known() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::generate().unwrap();
    let settings_file = dir.path().join("client.toml");

    let other = license_file(dir.path(), &vendor, "some-other-machine");
    let view = save(
        &settings_file,
        ClientSettings::Standalone {
            license_file: other.clone(),
        },
        false,
        &[vendor.public()],
    )
    .unwrap();
    assert!(
        matches!(&view.license, Some(LicenseCheck::Invalid { code, .. }) if code == "license_for_another_machine"),
        "{:?}",
        view.license
    );

    // Without a key, the tab says it cannot check.
    assert!(matches!(
        load(&settings_file, &[]).license,
        Some(LicenseCheck::Unknown { .. })
    ));

    if let Ok(machine) = leasehold_client::identity::machine_id() {
        let ours = license_file(dir.path(), &vendor, machine.as_str());
        match check_license(&ours, &[vendor.public()]) {
            LicenseCheck::Valid {
                product, customer, ..
            } => {
                assert_eq!(product, "Designer");
                assert_eq!(customer, "Acme Ltd");
            }
            other => panic!("expected a valid license, got {other:?}"),
        }
    }
}

#[test]
fn vendor_keys_come_from_the_variable_and_the_trusted_keys() {
    let a = VendorKeyPair::generate().unwrap().public();
    let b = VendorKeyPair::generate().unwrap().public();
    let keys = vendor_keys(Some(format!(" {a} , nonsense,")), std::slice::from_ref(&b));
    assert_eq!(keys, vec![a, b]);
    assert!(vendor_keys(None, &[]).is_empty());
}

#[tokio::test]
async fn discovery_can_be_turned_off() {
    assert!(discovery_disabled(Some("1")));
    assert!(!discovery_disabled(Some("0")));
    assert!(!discovery_disabled(Some("")));
    assert!(!discovery_disabled(None));
    let err = discover(Duration::from_secs(1), true).await.unwrap_err();
    assert_eq!(err.code, "discovery_disabled");
    assert!(err.message.contains(NO_DISCOVERY_ENV));
}

#[tokio::test]
async fn a_test_names_the_server_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut config = leasehold_server::Config::new(dir.path());
    config.listen = addr;
    config.mdns = false;
    let server = leasehold_server::Server::start_on(listener, config)
        .await
        .unwrap();

    let found = test_connection(&addr.to_string(), &[]).await.unwrap();
    assert_eq!(found.address, addr.to_string());
    assert!(!found.server_name.is_empty());
    assert_eq!(
        found.protocol_version,
        leasehold_core::wire::PROTOCOL_VERSION
    );
    server.shutdown().await;

    let err = test_connection(&addr.to_string(), &[]).await.unwrap_err();
    assert_eq!(err.code, "unreachable");
    assert!(err.message.contains(&addr.to_string()), "{}", err.message);
    let err = test_connection("ftp://x:1", &[]).await.unwrap_err();
    assert_eq!(err.code, "invalid_address");
    let err = test_connection(&format!("https://{addr}"), &["AB:CD".to_owned()])
        .await
        .unwrap_err();
    assert_eq!(err.code, "invalid_tls_fingerprint");
}

#[tokio::test]
async fn a_test_over_https_trusts_the_certificate_by_its_fingerprint_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = leasehold_server::Config::ephemeral(dir.path());
    config.tls = leasehold_server::tls::TlsMode::Made;
    let server = leasehold_server::Server::start(config).await.unwrap();
    let fingerprint = server.tls().unwrap().fingerprint.clone();
    let https = format!("https://{}", server.local_addr());

    let found = test_connection(&https, &[fingerprint]).await.unwrap();
    assert_eq!(found.address, https);
    let other = "AB:".repeat(31) + "AB";
    let err = test_connection(&https, &[other]).await.unwrap_err();
    assert_eq!(err.code, "untrusted_certificate", "{}", err.message);
    assert!(err.message.contains("tls_fingerprints"), "{}", err.message);
    // No fingerprint: the system's roots, which never signed this one.
    let err = test_connection(&https, &[]).await.unwrap_err();
    assert_eq!(err.code, "untrusted_certificate", "{}", err.message);
    server.shutdown().await;
}
