//! `include/leasehold.h` is what cbindgen makes of this crate now: a header
//! out of step with the library would crash applications, not fail them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use std::path::Path;

#[test]
fn the_checked_in_header_is_current() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../../include/leasehold.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut made = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen reads the crate")
        .write(&mut made);
    let made = String::from_utf8(made).unwrap();
    if std::env::var_os("LEASEHOLD_WRITE_HEADER").is_some() {
        std::fs::write(&header, &made).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&header).unwrap_or_default();
    assert!(
        checked_in == made,
        "include/leasehold.h is stale: run scripts/gen-header.sh and commit it"
    );
}
