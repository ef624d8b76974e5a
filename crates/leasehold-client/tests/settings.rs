//! The end user's settings file: written atomically and read back, invalid
//! content named by file and line (and left alone), and a client built from it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::path::{Path, PathBuf};

use leasehold_client::settings::{self, Remembered};
use leasehold_client::{Client, Settings, SettingsError};
use tempfile::TempDir;

fn build(path: &Path) -> Result<Client, leasehold_client::ClientError> {
    Client::builder()
        .settings_file(Some(path.to_owned()))
        .app("Designer", "4.2")
        .vendor_key(
            leasehold_core::license::VendorKeyPair::generate()
                .unwrap()
                .public(),
        )
        .build()
}

/// A temp dir and the path of a (not yet written) `client.toml` in it.
fn settings_file() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("client.toml");
    (dir, path)
}

/// The addresses of the servers `client` tries, in order.
fn addresses(client: &Client) -> Vec<String> {
    client
        .servers()
        .iter()
        .map(|s| s.address().to_owned())
        .collect()
}

#[test]
fn settings_round_trip_through_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("client.toml");
    assert_eq!(Settings::load_if_exists(&path).unwrap(), None);
    assert_eq!(Settings::load(&path).unwrap(), Settings::default());

    for s in [
        Settings::Network {
            auto: false,
            servers: vec!["lic1.lan:7878".into(), "10.0.0.9:9000".into()],
            tls_fingerprints: Vec::new(),
        },
        Settings::Network {
            auto: true,
            servers: vec![],
            tls_fingerprints: Vec::new(),
        },
        Settings::Standalone {
            license_file: dir.path().join("designer.lic"),
        },
    ] {
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), s);
    }
    // No temp file is left behind by the atomic write.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["client.toml"]);
}

#[test]
fn a_relative_license_path_is_relative_to_the_settings_file() {
    let (dir, path) = settings_file();
    std::fs::write(
        &path,
        "mode = \"standalone\"\nlicense_file = \"designer.lic\"\n",
    )
    .unwrap();
    assert_eq!(
        Settings::load(&path).unwrap(),
        Settings::Standalone {
            license_file: dir.path().join("designer.lic")
        }
    );
    let client = build(&path).unwrap();
    assert!(client.is_standalone());
}

#[test]
fn an_invalid_file_is_an_error_naming_file_and_line_and_is_left_alone() {
    let (_dir, path) = settings_file();
    let text = "mode = \"network\"\nauto = true\nproxy = \"socks://x\"\n";
    std::fs::write(&path, text).unwrap();

    let e = Settings::load(&path).unwrap_err();
    match &e {
        SettingsError::Invalid {
            path: p,
            line,
            message,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*line, 3);
            assert!(message.contains("proxy"), "{message}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let shown = e.to_string();
    assert!(shown.contains("client.toml, line 3"), "{shown}");

    let e = build(&path).unwrap_err();
    assert_eq!(e.code(), "settings_invalid", "{e}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "never replaced"
    );
}

#[test]
fn a_client_is_built_from_each_mode() {
    let (_dir, path) = settings_file();
    Settings::Network {
        auto: false,
        servers: vec!["a.lan:7001".into(), "b.lan".into()],
        tls_fingerprints: Vec::new(),
    }
    .save(&path)
    .unwrap();
    let client = build(&path).unwrap();
    let addrs = addresses(&client);
    assert_eq!(addrs, ["a.lan:7001", "b.lan:7878"]);
    assert!(!client.is_standalone());

    // Auto with a fallback: the fallback is what is configured by hand.
    Settings::Network {
        auto: true,
        servers: vec!["c.lan:7002".into()],
        tls_fingerprints: Vec::new(),
    }
    .save(&path)
    .unwrap();
    let client = build(&path).unwrap();
    let addrs = addresses(&client);
    assert_eq!(addrs, ["c.lan:7002"]);
}

#[test]
fn the_remembered_server_lives_next_to_the_settings() {
    let (dir, path) = settings_file();
    let state = settings::state_path(&path);
    assert_eq!(state, dir.path().join("client.state.toml"));
    assert_eq!(Remembered::load(&state), None);
    let r = Remembered {
        address: "10.0.0.2:7878".into(),
        server_id: "id".into(),
        server_name: "Office".into(),
    };
    r.save(&state).unwrap();
    assert_eq!(Remembered::load(&state), Some(r));
    // A damaged state file is only a lost hint, never an error.
    std::fs::write(&state, "address = ").unwrap();
    assert_eq!(Remembered::load(&state), None);
}
