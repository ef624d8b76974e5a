//! The README's table of error codes is the one in core (`ErrorCode`): every
//! code once, with its HTTP status, and nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_core::ErrorCode;
use std::collections::BTreeMap;

#[test]
fn the_readme_lists_every_error_code_with_its_status() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|l| !l.starts_with("| code | status | meaning |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert!(!table.is_empty(), "the README has no error code table");
    let mut listed: BTreeMap<String, u16> = BTreeMap::new();
    for row in table {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let status: u16 = cells[2]
            .parse()
            .unwrap_or_else(|_| panic!("status in {row}"));
        for code in cells[1].split('`').skip(1).step_by(2) {
            assert!(
                listed.insert(code.to_owned(), status).is_none(),
                "{code} is listed twice"
            );
        }
    }
    let known: BTreeMap<String, u16> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.http_status()))
        .collect();
    assert_eq!(listed, known, "README.md's table and ErrorCode differ");
}

#[test]
fn the_readme_shows_the_policy_precedence_as_the_server_applies_it() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    for (i, step) in leasehold_core::policy::PRECEDENCE.iter().enumerate() {
        let code = step.code.map(|c| format!("`{c}`")).unwrap_or_default();
        let row = format!("| {} | {} | {} | {code} |", i + 1, step.rule, step.effect);
        assert!(
            readme.contains(&row),
            "README.md lacks the precedence row\n{row}"
        );
    }
}
