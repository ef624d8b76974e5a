//! Reading `policy.toml`: every mistake named with its line and a reason.

use super::*;

const EXAMPLE: &str = r#"# the admin's policy
[groups]
cad-core = { users = ["alice", "bob"] }
lab      = { hosts = ["lab-pc-01", "lab-pc-02"] }

[products.cad]
include = ["group:cad-core", "user:carol", "host:build-01"]
exclude = ["user:mallory"]
reserve = [{ seats = 3, for = "group:cad-core" }]
max     = [{ seats = 2, for = "host:lab-pc-01" }, { seats = 1, for = "user:bob" }]
keep_unborrowed = 2
"#;

fn parse(text: &str) -> Policy {
    Policy::parse(text, "policy.toml").unwrap()
}

/// The error for `text`, checked to be on `line` and to say `says`.
fn refused(text: &str, line: u32, says: &str) -> PolicyError {
    let err = Policy::parse(text, "policy.toml").unwrap_err();
    assert_eq!(err.line, Some(line), "{err}");
    assert!(
        err.reason.contains(says),
        "{err}\n(expected it to say {says:?})"
    );
    assert_eq!(err.file, "policy.toml");
    err
}

#[test]
fn the_example_reads_with_every_rule_on_its_line() {
    let policy = parse(EXAMPLE);
    assert_eq!(policy.file(), "policy.toml");
    let groups: Vec<(&str, u32)> = policy
        .groups()
        .iter()
        .map(|g| (g.name(), g.line()))
        .collect();
    assert_eq!(groups, [("cad-core", 3), ("lab", 4)]);
    assert_eq!(policy.keep_unborrowed("cad"), 2);
    assert_eq!(policy.keep_unborrowed("cam"), 0);
    let view = policy.view();
    let rules: Vec<(&str, u32)> = view.products[0]
        .rules
        .iter()
        .map(|r| (r.text.as_str(), r.line))
        .collect();
    assert_eq!(
        rules,
        [
            ("exclude user:mallory (policy.toml:8)", 8),
            (
                "include [group:cad-core, user:carol, host:build-01] (policy.toml:7)",
                7
            ),
            (
                "include [group:cad-core, user:carol, host:build-01] (policy.toml:7)",
                7
            ),
            (
                "include [group:cad-core, user:carol, host:build-01] (policy.toml:7)",
                7
            ),
            ("max 2 for host:lab-pc-01 (policy.toml:10)", 10),
            ("max 1 for user:bob (policy.toml:10)", 10),
            ("reserve 3 for group:cad-core (policy.toml:9)", 9),
        ]
    );
}

#[test]
fn an_empty_file_or_one_of_comments_is_a_policy_without_rules() {
    for text in ["", "\n\n", "# nothing yet\n", "[groups]\n[products]\n"] {
        let policy = parse(text);
        assert!(policy.is_empty(), "{text:?}");
        assert_eq!(policy.keep_unborrowed("cad"), 0);
    }
    assert!(Policy::empty().is_empty());
}

#[test]
fn toml_syntax_is_refused_on_its_line() {
    refused("[groups]\na = { users = [\"x\" }\n", 2, "");
    refused("[products.cad]\n\ninclude = [\"user:a\"\n", 3, "");
    // A key twice is TOML's own mistake.
    refused(
        "[products.cad]\nkeep_unborrowed = 1\nkeep_unborrowed = 2\n",
        3,
        "duplicate key",
    );
}

#[test]
fn a_typo_in_a_key_is_refused_not_ignored() {
    let err = refused(
        "[products.cad]\nkeep_unborrowed = 1\nreserv = [{ seats = 3, for = \"user:a\" }]\n",
        3,
        "unknown key `reserv`",
    );
    assert!(err.reason.contains("`reserve`"), "the keys it knows: {err}");
    refused(
        "[groups]\nlab = { host = [\"pc\"] }\n",
        2,
        "unknown key `host`",
    );
    refused("[product.cad]\nmax = []\n", 1, "unknown key `product`");
    refused(
        "[products.cad]\nmax = [{ seats = 1, fr = \"user:a\" }]\n",
        2,
        "unknown key `fr`",
    );
    refused(
        "[products.cad]\nmax = [{ seats = 1 }]\n",
        2,
        "missing key `for`",
    );
    refused(
        "[products.cad]\nmax = [{ seats = \"1\", for = \"user:a\" }]\n",
        2,
        "whole number",
    );
    refused("[products.cad]\nexclude = \"user:a\"\n", 2, "list");
    refused("[products]\ncad = 3\n", 2, "a product's rules");
}

#[test]
fn a_subject_needs_a_known_kind() {
    refused(
        "[products.cad]\nexclude = [\"usr:bob\"]\n",
        2,
        "`usr:bob` is not a subject",
    );
    refused(
        "[products.cad]\n\ninclude = [\"bob\"]\n",
        3,
        "write user:NAME, host:NAME or group:NAME",
    );
    refused(
        "[products.cad]\nexclude = [\"user:\"]\n",
        2,
        "user name `` is empty",
    );
    // The kind in any case; kept lower case in the rule.
    let policy = parse("[products.cad]\nexclude = [\"User:Bob\"]\n");
    assert_eq!(policy.view().products[0].rules[0].subject, "user:Bob");
}

#[test]
fn a_group_must_be_defined_and_have_members() {
    let err = refused(
        "[groups]\ncad-core = { users = [\"a\"] }\n\n[products.cad]\nreserve = [{ seats = 1, for = \"group:cad-cor\" }]\n",
        5,
        "group `cad-cor` is not defined",
    );
    assert!(
        err.reason.contains("cad-core"),
        "names the groups there are: {err}"
    );
    refused(
        "[products.cad]\nmax = [{ seats = 1, for = \"group:lab\" }]\n",
        2,
        "there are no groups",
    );
    refused("[groups]\nlab = {}\n", 2, "group `lab` has no members");
    refused(
        "[groups]\nlab = { users = [], hosts = [] }\n",
        2,
        "has no members",
    );
    refused("[groups.lab]\n", 1, "has no members");
    refused(
        "[groups]\nlab = { users = [\"user:alice\"] }\n",
        2,
        "in group `lab`, write the user name alone, as \"alice\"",
    );
}

#[test]
fn seats_are_one_or_more() {
    refused(
        "[products.cad]\n\nmax = [{ seats = 0, for = \"user:a\" }]\n",
        3,
        "seats = 0; give 1 or more (to keep someone off the product, use exclude)",
    );
    refused(
        "[products.cad]\nreserve = [{ seats = -2, for = \"user:a\" }]\n",
        2,
        "seats = -2; give 1 or more",
    );
    refused(
        "[products.cad]\nreserve = [{ seats = 9999999999, for = \"user:a\" }]\n",
        2,
        "more than any licence has",
    );
    refused(
        "[products.cad]\nkeep_unborrowed = -1\n",
        2,
        "keep_unborrowed = -1",
    );
    refused(
        "[products.cad]\nkeep_unborrowed = 99999999999999999999\n",
        2,
        "too large",
    );
}

#[test]
fn the_same_subject_twice_is_refused_in_any_case() {
    refused(
        "[products.cad]\nexclude = [\"user:bob\",\n  \"user:BOB\"]\n",
        3,
        "exclude names user:BOB twice (also on line 2",
    );
    refused(
        "[products.cad]\ninclude = [\"host:a\", \"host:A\"]\n",
        2,
        "include names host:A twice",
    );
    refused(
        "[products.cad]\nmax = [{ seats = 1, for = \"user:bob\" },\n  { seats = 2, for = \"user:Bob\" }]\n",
        3,
        "max names user:Bob twice",
    );
    refused(
        "[groups]\nlab = { hosts = [\"a\"] }\nLab = { hosts = [\"b\"] }\n",
        3,
        "group `Lab` is defined twice (also on line 2",
    );
    refused(
        "[groups]\nlab = { hosts = [\"pc-1\", \"PC-1\"] }\n",
        2,
        "`PC-1` is named twice",
    );
    refused(
        "[products.cad]\nexclude = [\"user:bob\"]\ninclude = [\"user:Bob\"]\n",
        3,
        "user:Bob is both included and excluded (line 2)",
    );
    // A user and a host of the same name are two subjects.
    parse("[products.cad]\nexclude = [\"user:ws\", \"host:ws\"]\n");
}

#[test]
fn rules_that_could_never_apply_are_refused() {
    refused(
        "[groups]\nlab = { hosts = [\"a\"] }\n[products.cad]\nmax = [{ seats = 2, for = \"group:lab\" }]\nreserve = [{ seats = 3, for = \"group:lab\" }]\n",
        5,
        "reserve 3 for group:lab is more than max 2 for it (line 4): 1 reserved seats could never be used",
    );
    refused(
        "[products.cad]\nexclude = [\"user:eve\"]\nreserve = [{ seats = 1, for = \"user:EVE\" }]\n",
        3,
        "which is excluded (line 2)",
    );
}

#[test]
fn names_are_plain_and_short() {
    let long = "a".repeat(MAX_NAME_BYTES + 1);
    refused(
        &format!("[products.cad]\nexclude = [\"user:{long}\"]\n"),
        2,
        "129 bytes",
    );
    parse(&format!(
        "[products.cad]\nexclude = [\"user:{}\"]\n",
        "a".repeat(MAX_NAME_BYTES)
    ));
    refused(
        &format!("[groups]\n\"{long}\" = {{ users = [\"x\"] }}\n"),
        2,
        "group name",
    );
    refused(&format!("[products.\"{long}\"]\n"), 1, "product");
    refused(
        "[groups]\nlab = { users = [\" alice\"] }\n",
        2,
        "white space",
    );
    refused(
        "[groups]\nlab = { users = [\"al\\tice\"] }\n",
        2,
        "control character (U+0009)",
    );
}

/// What a careless admin or an attacker writes gets a clear error, never a
/// panic: a huge file, too many rules, a name that displays as another.
#[test]
fn a_careless_or_hostile_file_is_refused_clearly() {
    let huge = format!("# {}\n", "x".repeat(2 << 20));
    let err = Policy::parse(&huge, "policy.toml").unwrap_err();
    assert_eq!(err.line, None);
    assert!(err.reason.contains("1 MiB"), "{err}");
    assert!(
        err.to_string().starts_with("policy.toml: the file is "),
        "{err}"
    );

    // 20,000 rules: refused at the first one over the limit.
    let mut many = String::from("[products.cad]\nexclude = [\n");
    for i in 0..20_000 {
        many.push_str(&format!("  \"user:u{i}\",\n"));
    }
    many.push_str("]\n");
    let err = refused(&many, 3 + 10_000, "more than 10000 rules and group members");
    assert!(err.to_string().starts_with("policy.toml:10003: "), "{err}");
    // Members count too.
    let members: Vec<String> = (0..10_001).map(|i| format!("\"h{i}\"")).collect();
    refused(
        &format!("[groups]\nlab = {{ hosts = [{}] }}\n", members.join(",")),
        2,
        "more than 10000",
    );

    // "alice" with a right-to-left override: refused, and the message
    // shows the character escaped rather than letting it reverse the text.
    let err = refused(
        "[products.cad]\ninclude = [\"user:ali\u{202E}ecilA\"]\n",
        2,
        "U+202E",
    );
    assert!(!err.to_string().contains('\u{202E}'), "{err}");
    assert!(err.reason.contains("ali\\u{202e}ecilA"), "{err}");

    // A message quoting a value quotes it escaped and cut short.
    let value = format!("\u{202E}{}", "9".repeat(100_000));
    let text = format!("[products.cad]\nmax = [{{ seats = \"{value}\", for = \"user:a\" }}]\n");
    let err = refused(&text, 2, "expected a whole number");
    assert!(err.reason.len() < 1_000, "{err}");
    assert!(
        err.reason.contains("\\u{202e}") && !err.reason.contains('\u{202E}'),
        "{err}"
    );

    // Nesting deep enough to blow a stack is TOML's own refusal.
    let deep = format!("x = {}{}\n", "[".repeat(5_000), "]".repeat(5_000));
    assert!(Policy::parse(&deep, "policy.toml").is_err());
}

#[test]
fn every_cut_of_a_good_file_reads_or_is_refused_without_panic() {
    for end in (0..=EXAMPLE.len()).filter(|&i| EXAMPLE.is_char_boundary(i)) {
        match Policy::parse(&EXAMPLE[..end], "p.toml") {
            Ok(_) => {}
            Err(err) => assert!(err.line.is_some(), "{err}"),
        }
    }
}
