//! The seat policy inside the lease table: its counters follow leases as
//! they come and go, a new policy counts the leases already out, and a
//! holder's own lease is never decided again.

use super::*;
use crate::pool::tests::code;

fn ask(client: &str, user: &str, host: &str) -> CheckoutRequest {
    CheckoutRequest {
        product: "cad".into(),
        holder: Holder {
            client_id: ClientId::from(client),
            user: user.into(),
            host: host.into(),
            app_name: String::new(),
            app_version: String::new(),
            address: String::new(),
            computer: crate::computer::Computer::UNKNOWN,
        },
        units: 1,
    }
}

fn policy(text: &str) -> Arc<Policy> {
    Arc::new(Policy::parse(text, "policy.toml").unwrap())
}

#[test]
fn max_per_user_counts_leases_as_they_come_and_go() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 10));
    t.set_policy(policy(
        "[products.cad]\nmax = [{ seats = 1, for = \"user:bob\" }]\n",
    ));
    let now = Timestamp(0);
    let first = t.checkout(&ask("pc-1", "Bob", "ws-1"), now).unwrap();
    let e = t.checkout(&ask("pc-2", "bob", "ws-2"), now).unwrap_err();
    assert_eq!(e.code(), "user_limit_reached");
    assert!(e.to_string().contains("policy.toml:2"), "{e}");
    // Others are not limited; Bob's own lease comes back renewed.
    t.checkout(&ask("pc-3", "ann", "ws-3"), now).unwrap();
    let again = t.checkout(&ask("pc-1", "Bob", "ws-1"), now).unwrap();
    assert!(again.reused);
    // Released: Bob may take a seat elsewhere.
    let gone = t.release(first.lease.id).unwrap();
    t.settle(&gone);
    t.checkout(&ask("pc-2", "bob", "ws-2"), now).unwrap();
}

#[test]
fn a_new_policy_counts_the_leases_already_out() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 4));
    let now = Timestamp(0);
    t.checkout(&ask("pc-1", "ann", "lab-1"), now).unwrap();
    t.checkout(&ask("pc-2", "bob", "lab-2"), now).unwrap();
    t.set_policy(policy(
        "[groups]\nlab = { hosts = [\"lab-1\", \"lab-2\"] }\n\n[products.cad]\nmax = [{ seats = 2, for = \"group:lab\" }]\n",
    ));
    let e = t.checkout(&ask("pc-3", "eve", "LAB-1"), now).unwrap_err();
    assert_eq!(e.code(), "user_limit_reached");
    assert!(e.to_string().contains("together hold 2 seats"), "{e}");
    t.checkout(&ask("pc-4", "eve", "office-1"), now).unwrap();
}

#[test]
fn reserved_seats_are_kept_for_their_group() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 3));
    t.set_policy(policy(
        "[groups]\ncore = { users = [\"alice\", \"bob\"] }\n\n[products.cad]\nreserve = [{ seats = 2, for = \"group:core\" }]\n",
    ));
    let now = Timestamp(0);
    t.checkout(&ask("pc-1", "carol", "ws-1"), now).unwrap();
    let e = t.checkout(&ask("pc-2", "dave", "ws-2"), now).unwrap_err();
    assert_eq!(e.code(), "seats_reserved");
    assert!(
        e.to_string()
            .contains("2 of 3 seats are reserved for group core"),
        "{e}"
    );
    t.checkout(&ask("pc-3", "alice", "ws-3"), now).unwrap();
    t.checkout(&ask("pc-4", "bob", "ws-4"), now).unwrap();
    assert_eq!(
        t.checkout(&ask("pc-5", "alice", "ws-5"), now)
            .unwrap_err()
            .code(),
        "no_seat_free"
    );
}

#[test]
fn exclude_and_include_answer_before_the_seats() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 1));
    t.set_policy(policy(
        "[groups]\nteam = { users = [\"ann\", \"mallory\"] }\n\n[products.cad]\ninclude = [\"group:team\"]\nexclude = [\"user:mallory\"]\n",
    ));
    let now = Timestamp(0);
    assert_eq!(
        t.checkout(&ask("pc-1", "mallory", "h"), now)
            .unwrap_err()
            .code(),
        "excluded_by_policy"
    );
    assert_eq!(
        t.checkout(&ask("pc-2", "zed", "h"), now)
            .unwrap_err()
            .code(),
        "excluded_by_policy"
    );
    t.checkout(&ask("pc-3", "ann", "h"), now).unwrap();
    // The dry run says the same without taking a seat.
    assert!(t.policy_decision(&"cad".into(), "ann", "h", now).is_grant());
    assert!(!t.policy_decision(&"cad".into(), "zed", "h", now).is_grant());
    assert_eq!(t.in_use(&"cad".into()), 1);
}

#[test]
fn a_lease_being_replaced_does_not_count_against_its_replacement() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 3));
    t.set_policy(policy(
        "[products.cad]\nmax = [{ seats = 1, for = \"user:bob\" }]\n",
    ));
    t.checkout(&ask("pc-1", "bob", "pc-1"), Timestamp(0))
        .unwrap();
    // Bob's application died; its lease ran out, not swept yet. Restarted,
    // it takes that seat over: still one seat of bob's.
    let later = Timestamp(10 * 60_000);
    let again = t.checkout(&ask("pc-1", "bob", "pc-1"), later).unwrap();
    assert!(again.expired.is_some(), "the dead lease was replaced");
    assert!(matches!(
        t.checkout(&ask("pc-2", "bob", "pc-2"), later),
        Err(LeaseError::Policy(_))
    ));
}
