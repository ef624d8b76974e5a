//! `ui/src/api/host-openapi.json` is the schema the app's types give, so the
//! UI's generated host types (`host-schema.d.ts`) match what the commands
//! answer. `LEASEHOLD_UPDATE_SCHEMA=1` rewrites the file instead of failing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::path::PathBuf;

const REFRESH: &str = "LEASEHOLD_UPDATE_SCHEMA=1 cargo test -p leasehold-desktop --test host_schema && npm run gen:api";

#[test]
fn the_checked_in_host_schema_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/host-openapi.json");
    let mut fresh = serde_json::to_string_pretty(&leasehold_desktop::host_schema::document())
        .expect("the document serializes");
    fresh.push('\n');
    if std::env::var("LEASEHOLD_UPDATE_SCHEMA").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "ui/src/api/host-openapi.json is stale (the Rust types of the desktop commands changed): run '{REFRESH}'"
    );
}
