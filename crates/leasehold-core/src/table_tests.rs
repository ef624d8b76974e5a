//! The lease rules, with an explicit clock.

use super::*;
use crate::pool::tests::code;

const SEC: i64 = 1000;

fn holder(client: &str, user: &str) -> Holder {
    Holder {
        client_id: ClientId::from(client),
        user: user.into(),
        host: format!("{client}.lan"),
        app_name: "Designer".into(),
        app_version: "4.2".into(),
        address: "127.0.0.1:5000".into(),
        computer: crate::computer::Computer::UNKNOWN,
    }
}

fn ask(product: &str, client: &str) -> CheckoutRequest {
    CheckoutRequest {
        product: product.into(),
        holder: holder(client, "ann"),
        units: 1,
    }
}

/// Frees the seats of ended leases, as the server does once their end is durable.
fn settled(t: &mut LeaseTable, ended: Vec<Lease>) -> Vec<Lease> {
    for l in &ended {
        t.settle(l);
    }
    ended
}

fn table_with(product: &str, seats: u32) -> LeaseTable {
    let mut t = LeaseTable::new();
    t.add_license(code(product, seats));
    t
}

#[test]
fn grants_up_to_the_seat_count_then_denies() {
    let mut t = table_with("cad", 2);
    let now = Timestamp(0);
    let a = t.checkout(&ask("cad", "pc-1"), now).unwrap();
    assert_eq!(a.lease.expires_at, Timestamp(60 * SEC));
    assert_eq!(a.lease.renew_after_secs(), 20);
    t.checkout(&ask("cad", "pc-2"), now).unwrap();
    let denied = t.checkout(&ask("cad", "pc-3"), now).unwrap_err();
    assert_eq!(
        denied,
        LeaseError::NoSeatFree {
            product: "cad".into(),
            seats: 2,
            in_use: 2,
            retry_after_secs: 60
        }
    );
    assert_eq!(denied.code(), "no_seat_free");
    assert_eq!(t.in_use(&"cad".into()), 2);
}

#[test]
fn twelve_clients_on_ten_seats_get_exactly_ten() {
    let mut t = table_with("cad", 4);
    t.add_license(code("cad", 6));
    let results: Vec<_> = (0..12)
        .map(|i| t.checkout(&ask("cad", &format!("pc-{i}")), Timestamp(0)))
        .collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 10);
    assert_eq!(t.in_use(&"cad".into()), 10);
    assert_eq!(t.high_water(&"cad".into()), 10);
}

#[test]
fn unknown_and_invalid_products_are_told_apart() {
    let mut t = LeaseTable::new();
    let mut expired = code("cad", 5);
    expired.valid_until = Some(Timestamp(10 * SEC));
    t.add_license(expired);
    assert_eq!(
        t.checkout(&ask("viewer", "pc"), Timestamp(0))
            .unwrap_err()
            .code(),
        "no_license_for_product"
    );
    assert!(t.checkout(&ask("cad", "pc"), Timestamp(0)).is_ok());
    assert_eq!(
        t.checkout(&ask("cad", "pc-2"), Timestamp(10 * SEC))
            .unwrap_err()
            .code(),
        "no_valid_license"
    );
}

#[test]
fn reconnecting_client_gets_the_same_lease_renewed() {
    let mut t = table_with("cad", 5);
    let first = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap();
    let again = t
        .checkout(&ask("cad", "pc-1"), Timestamp(30 * SEC))
        .unwrap();
    assert!(again.reused);
    assert_eq!(again.lease.id, first.lease.id);
    assert_eq!(again.lease.expires_at, Timestamp(90 * SEC));
    assert_eq!(t.in_use(&"cad".into()), 1);
    // Another user on the same computer is another seat.
    let mut other_user = ask("cad", "pc-1");
    other_user.holder.user = "bob".into();
    assert!(!t.checkout(&other_user, Timestamp(30 * SEC)).unwrap().reused);
    assert_eq!(t.in_use(&"cad".into()), 2);
}

#[test]
fn a_dead_unswept_lease_is_replaced_not_doubled() {
    let mut t = table_with("cad", 1);
    let first = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap();
    let again = t
        .checkout(&ask("cad", "pc-1"), Timestamp(61 * SEC))
        .unwrap();
    assert!(!again.reused);
    assert_ne!(again.lease.id, first.lease.id);
    assert_eq!(again.expired.map(|l| l.id), Some(first.lease.id));
    assert_eq!(t.in_use(&"cad".into()), 1);
    assert_eq!(
        t.renew(first.lease.id, Timestamp(62 * SEC))
            .unwrap_err()
            .code(),
        "lease_expired"
    );
}

fn from(client: &str, host: &str, nics: &str, boot: &str) -> CheckoutRequest {
    let mut req = ask("cad", client);
    req.holder.computer = crate::computer::Computer::of(host, nics, "Xeon x8", boot);
    req
}

#[test]
fn two_computers_sharing_a_client_id_get_two_seats_and_each_its_own_back() {
    let mut t = table_with("cad", 3);
    // A machine image cloned: the same client id and user, another
    // computer (its own boot and network cards).
    let a = t
        .checkout(&from("img", "ws", "aa", "boot-a"), Timestamp(0))
        .unwrap();
    assert!(!t.is_shared_client("img"));
    let b = t
        .checkout(&from("img", "ws", "bb", "boot-b"), Timestamp(SEC))
        .unwrap();
    assert!(!b.reused);
    assert_ne!(a.lease.id, b.lease.id);
    assert_eq!(b.in_use, 2);
    assert!(t.is_shared_client("img"));
    assert_eq!(t.seats_of("img"), 2);

    // Each comes back to its own seat: A's application restarted after a
    // crash, B's computer rebooted (a new boot id).
    let a_again = t
        .checkout(&from("img", "ws", "aa", "boot-a"), Timestamp(2 * SEC))
        .unwrap();
    assert!(a_again.reused);
    assert_eq!(a_again.lease.id, a.lease.id);
    let b_again = t
        .checkout(&from("img", "ws", "bb", "boot-b2"), Timestamp(3 * SEC))
        .unwrap();
    assert!(b_again.reused);
    assert_eq!(b_again.lease.id, b.lease.id);
    assert_eq!(t.len(), 2);

    // A's lease runs out unswept: A's next checkout replaces it (one seat),
    // and B's stays.
    let later = Timestamp(a_again.lease.expires_at.0 + SEC);
    t.renew(b.lease.id, Timestamp(later.0 - 2 * SEC)).unwrap();
    let a_new = t
        .checkout(&from("img", "ws", "aa", "boot-a"), later)
        .unwrap();
    assert!(!a_new.reused);
    assert_eq!(a_new.expired.map(|l| l.id), Some(a.lease.id));
    assert_eq!(t.len(), 2);
    assert!(t.get(b.lease.id).is_some());

    // Leases carry their computer; restored, they still tell the two apart.
    let mut restored = table_with("cad", 3);
    for lease in t.leases() {
        restored.restore(lease);
    }
    assert!(restored.is_shared_client("img"));
    let b_back = restored
        .checkout(&from("img", "ws", "bb", "boot-b"), Timestamp(later.0 + SEC))
        .unwrap();
    assert_eq!(b_back.lease.id, b.lease.id);
    // Once the clones' leases are gone, the flag goes with them.
    restored.disconnect_client(&ClientId::from("img"));
    assert!(!restored.is_shared_client("img"));
}

#[test]
fn a_lease_without_computer_parts_is_not_a_seat_for_every_clone() {
    // The reviewer's attack: one checkout without parts, then clones with
    // theirs hoping to share its lease.
    let mut t = table_with("cad", 1);
    let seeded = t.checkout(&ask("cad", "img"), Timestamp(0)).unwrap();
    let clone = t.checkout(&from("img", "ws", "aa", "boot-1"), Timestamp(SEC));
    assert!(
        matches!(clone, Err(LeaseError::NoSeatFree { .. })),
        "{clone:?}"
    );
    // Without parts, the same tool gets its own lease back, as before.
    let again = t.checkout(&ask("cad", "img"), Timestamp(2 * SEC)).unwrap();
    assert!(again.reused);
    assert_eq!(again.lease.id, seeded.lease.id);
}

#[test]
fn a_computer_restarted_with_more_changed_replaces_its_lease_once_it_stopped_renewing() {
    // Held from a docked laptop; the application killed; the laptop
    // restarted without its dock (new boot id, fewer network cards): two
    // parts changed, so not provably the same computer.
    let mut t = table_with("cad", 1);
    let docked = t
        .checkout(&from("pc", "ws", "aa:01,dd:0c", "boot-1"), Timestamp(0))
        .unwrap();
    let undocked = from("pc", "ws", "aa:01", "boot-2");
    // While the old lease still renews on time it may be a live clone.
    let early = Timestamp(i64::from(docked.lease.renew_after_secs()) * SEC);
    assert!(matches!(
        t.checkout(&undocked, early),
        Err(LeaseError::NoSeatFree { .. })
    ));
    // Once it missed its renewal (plus grace), the restarted computer gets
    // the seat at once, before the old lease runs out.
    let late = Timestamp(early.0 + STALE_GRACE_MS);
    assert!(late < docked.lease.expires_at);
    let back = t.checkout(&undocked, late).unwrap();
    assert!(!back.reused);
    assert_eq!(back.expired.map(|l| l.id), Some(docked.lease.id));
    assert_eq!(t.len(), 1);
}

#[test]
fn renew_extends_from_now() {
    let mut t = table_with("cad", 1);
    let l = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap().lease;
    let r = t.renew(l.id, Timestamp(20 * SEC)).unwrap();
    assert_eq!(r.expires_at, Timestamp(80 * SEC));
    assert_eq!(r.renewed_at, Timestamp(20 * SEC));
    assert_eq!(t.next_deadline(), Some(Timestamp(80 * SEC)));
    // Nothing expires at the old deadline.
    assert!(t.expire_due(Timestamp(60 * SEC)).is_empty());
}

#[test]
fn renewing_ended_leases_says_why() {
    let mut t = table_with("cad", 5);
    let released = t
        .checkout(&ask("cad", "pc-1"), Timestamp(0))
        .unwrap()
        .lease
        .id;
    let expired = t
        .checkout(&ask("cad", "pc-2"), Timestamp(0))
        .unwrap()
        .lease
        .id;
    let cut = t
        .checkout(&ask("cad", "pc-3"), Timestamp(0))
        .unwrap()
        .lease
        .id;
    assert!(t.release(released).is_some());
    assert!(t.release(released).is_none(), "release is idempotent");
    assert!(t.disconnect(cut).is_some());
    let now = Timestamp(61 * SEC);
    assert_eq!(t.renew(expired, now).unwrap_err().code(), "lease_expired");
    assert_eq!(t.expire_due(now).len(), 1);
    assert_eq!(t.renew(expired, now).unwrap_err().code(), "lease_expired");
    assert_eq!(t.renew(released, now).unwrap_err().code(), "lease_released");
    assert_eq!(t.renew(cut, now).unwrap_err().code(), "lease_disconnected");
    assert_eq!(
        t.renew(LeaseId::random(), now).unwrap_err().code(),
        "lease_not_found"
    );
    assert!(t.is_empty());
}

#[test]
fn expiry_frees_seats_in_deadline_order() {
    let mut t = table_with("cad", 3);
    let a = t.checkout(&ask("cad", "a"), Timestamp(0)).unwrap().lease;
    let b = t
        .checkout(&ask("cad", "b"), Timestamp(5 * SEC))
        .unwrap()
        .lease;
    let c = t
        .checkout(&ask("cad", "c"), Timestamp(9 * SEC))
        .unwrap()
        .lease;
    assert_eq!(t.next_deadline(), Some(a.expires_at));
    assert!(t.expire_due(Timestamp(60 * SEC - 1)).is_empty());
    let expired = t.expire_due(Timestamp(66 * SEC));
    let gone: Vec<_> = settled(&mut t, expired).into_iter().map(|l| l.id).collect();
    assert_eq!(gone, vec![a.id, b.id]);
    assert_eq!(t.next_deadline(), Some(c.expires_at));
    assert_eq!(t.in_use(&"cad".into()), 1);
    // The freed seats can be taken again.
    assert!(t.checkout(&ask("cad", "d"), Timestamp(66 * SEC)).is_ok());
}

#[test]
fn denial_suggests_retry_when_the_first_lease_ends() {
    let mut t = table_with("cad", 1);
    t.checkout(&ask("cad", "a"), Timestamp(0)).unwrap();
    match t
        .checkout(&ask("cad", "b"), Timestamp(45 * SEC))
        .unwrap_err()
    {
        LeaseError::NoSeatFree {
            retry_after_secs, ..
        } => assert_eq!(retry_after_secs, 16),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn disconnecting_a_computer_ends_all_its_leases() {
    let mut t = table_with("cad", 5);
    t.add_license(code("viewer", 5));
    t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap();
    t.checkout(&ask("viewer", "pc-1"), Timestamp(0)).unwrap();
    t.checkout(&ask("cad", "pc-2"), Timestamp(0)).unwrap();
    let ended = t.disconnect_client(&ClientId::from("pc-1"));
    assert_eq!(ended.len(), 2);
    assert_eq!(t.len(), 1);
    assert!(t.disconnect_client(&ClientId::from("pc-1")).is_empty());
}

#[test]
fn over_subscription_after_a_code_expires_lets_leases_run_out() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 2));
    let mut short = code("cad", 2);
    short.valid_until = Some(Timestamp(30 * SEC));
    t.add_license(short);
    let leases: Vec<_> = (0..4)
        .map(|i| {
            t.checkout(&ask("cad", &format!("pc-{i}")), Timestamp(0))
                .unwrap()
                .lease
        })
        .collect();
    // At 40 s only 2 seats count but 4 are out: no renewals, no new grants.
    let now = Timestamp(40 * SEC);
    let refused = t.renew(leases[0].id, now).unwrap_err();
    assert_eq!(
        refused,
        LeaseError::OverSubscribed {
            product: "cad".into(),
            expires_at: leases[0].expires_at
        }
    );
    assert_eq!(
        t.checkout(&ask("cad", "new"), now).unwrap_err().code(),
        "no_seat_free"
    );
    // The leases run to their end; afterwards renewals work again within the 2 seats.
    let expired = t.expire_due(Timestamp(60 * SEC));
    assert_eq!(settled(&mut t, expired).len(), 4);
    let a = t
        .checkout(&ask("cad", "a"), Timestamp(60 * SEC))
        .unwrap()
        .lease;
    t.checkout(&ask("cad", "b"), Timestamp(60 * SEC)).unwrap();
    assert!(t.renew(a.id, Timestamp(70 * SEC)).is_ok());
}

#[test]
fn removing_a_code_keeps_leases_until_they_end() {
    let mut t = LeaseTable::new();
    let c = code("cad", 1);
    let id = c.license_id;
    t.add_license(c);
    let l = t.checkout(&ask("cad", "pc"), Timestamp(0)).unwrap().lease;
    assert!(t.remove_license(id).is_some());
    assert_eq!(t.in_use(&"cad".into()), 1);
    assert_eq!(
        t.renew(l.id, Timestamp(SEC)).unwrap_err().code(),
        "over_subscribed"
    );
}

#[test]
fn restore_brings_leases_back_counted() {
    let mut t = table_with("cad", 2);
    let l = t.checkout(&ask("cad", "pc"), Timestamp(0)).unwrap().lease;
    let mut fresh = table_with("cad", 2);
    fresh.restore(l.clone());
    fresh.restore(l.clone());
    assert_eq!(fresh.in_use(&"cad".into()), 1);
    let again = fresh.checkout(&ask("cad", "pc"), Timestamp(SEC)).unwrap();
    assert!(again.reused);
    assert_eq!(again.lease.id, l.id);
}

#[test]
fn counts_computers_without_a_scan() {
    let mut t = table_with("cad", 10);
    t.add_license(code("viewer", 10));
    t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap();
    t.checkout(&ask("viewer", "pc-1"), Timestamp(0)).unwrap();
    let b = t.checkout(&ask("cad", "pc-2"), Timestamp(0)).unwrap().lease;
    assert_eq!((t.len(), t.computers()), (3, 2));
    t.release(b.id);
    assert_eq!((t.len(), t.computers()), (2, 1));
    t.disconnect_client(&ClientId::from("pc-1"));
    assert_eq!((t.len(), t.computers()), (0, 0));
}

#[test]
fn the_holder_index_survives_churn() {
    // Many grants, releases and expiries reuse slots; every holder must still
    // find exactly its own lease.
    let mut t = table_with("cad", 50);
    let mut now = Timestamp(0);
    for round in 0..20 {
        for i in 0..50 {
            let g = t.checkout(&ask("cad", &format!("pc-{i}")), now).unwrap();
            assert_eq!(g.lease.holder.client_id.0, format!("pc-{i}"));
            if (i + round) % 3 == 0 {
                let released = t.release(g.lease.id).into_iter().collect();
                settled(&mut t, released);
            }
        }
        now = now.plus_millis(if round % 2 == 0 { 61 * SEC } else { SEC });
        let expired = t.expire_due(now);
        settled(&mut t, expired);
    }
    for i in 0..50 {
        let again = t.checkout(&ask("cad", &format!("pc-{i}")), now).unwrap();
        let twice = t.checkout(&ask("cad", &format!("pc-{i}")), now).unwrap();
        assert_eq!(again.lease.id, twice.lease.id);
        assert!(twice.reused);
    }
    assert_eq!(t.in_use(&"cad".into()), 50);
    assert_eq!(t.computers(), 50);
    assert_eq!(t.leases().count(), 50);
}

#[test]
fn the_store_hears_of_at_most_one_renewal_in_three_and_never_lags_the_real_deadline() {
    let mut t = table_with("cad", 1);
    let lease = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap().lease;
    // The checkout stores the whole lease with its deadline.
    let mut stored = lease.expires_at;
    let mut writes = 0;
    let mut now = 0;
    // Renewals a third of a lease apart, some a little late, some early.
    for k in 0..30 {
        now += 20 * SEC + [0, 150, -120][k % 3];
        let r = t.renew(lease.id, Timestamp(now)).unwrap();
        if let Some(until) = r.store_until {
            assert!(
                r.expires_at > stored,
                "written although the store was ahead (renewal {k})"
            );
            assert_eq!(until, r.expires_at.plus_millis(60 * SEC));
            stored = until;
            writes += 1;
        }
        assert!(
            stored >= r.expires_at,
            "the store lags the real deadline after renewal {k}"
        );
        assert!(stored <= r.expires_at.plus_millis(60 * SEC));
    }
    assert!(
        (7..=10).contains(&writes),
        "{writes} of 30 renewals written"
    );
}

#[test]
fn a_reconnect_stores_the_lease_whole_so_the_next_renewal_is_written() {
    let mut t = table_with("cad", 1);
    let first = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap().lease;
    assert!(
        t.renew(first.id, Timestamp(20 * SEC))
            .unwrap()
            .store_until
            .is_some()
    );
    // The reconnect is stored as a whole lease ending at 90 s.
    let again = t
        .checkout(&ask("cad", "pc-1"), Timestamp(30 * SEC))
        .unwrap();
    assert!(again.reused);
    assert_eq!(again.lease.expires_at, Timestamp(90 * SEC));
    let r = t.renew(first.id, Timestamp(50 * SEC)).unwrap();
    assert_eq!(r.store_until, Some(Timestamp(170 * SEC)));
}

#[test]
fn an_ended_lease_holds_its_seat_until_its_end_is_settled() {
    let cad = Product::from("cad");
    let mut t = table_with("cad", 1);
    let now = Timestamp(0);
    let a = t.checkout(&ask("cad", "pc-1"), now).unwrap().lease;
    let released = t.release(a.id).unwrap();
    // Not renewable any more, but the seat is not free until the end is durable.
    assert_eq!(t.renew(a.id, now).unwrap_err().code(), "lease_released");
    assert_eq!((t.in_use(&cad), t.ending(&cad)), (1, 1));
    match t.checkout(&ask("cad", "pc-2"), now).unwrap_err() {
        LeaseError::NoSeatFree {
            retry_after_secs, ..
        } => assert_eq!(retry_after_secs, 1),
        other => panic!("expected no_seat_free, got {other:?}"),
    }
    t.settle(&released);
    assert_eq!((t.in_use(&cad), t.ending(&cad)), (0, 0));
    assert!(t.checkout(&ask("cad", "pc-2"), now).is_ok());
}

#[test]
fn expired_and_disconnected_leases_also_hold_their_seats_until_settled() {
    let cad = Product::from("cad");
    let mut t = table_with("cad", 2);
    let a = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap().lease;
    t.checkout(&ask("cad", "pc-2"), Timestamp(SEC)).unwrap();
    let gone = t.disconnect(a.id).unwrap();
    assert_eq!(gone.id, a.id);
    let expired = t.expire_due(Timestamp(61 * SEC));
    assert_eq!(expired.len(), 1);
    assert_eq!((t.len(), t.in_use(&cad), t.ending(&cad)), (0, 2, 2));
    assert!(
        t.checkout(&ask("cad", "pc-3"), Timestamp(61 * SEC))
            .is_err()
    );
    t.settle(&gone);
    t.settle(&expired[0]);
    t.settle(&expired[0]); // one too many is harmless
    assert_eq!(t.in_use(&cad), 0);
}

#[test]
fn an_undone_checkout_leaves_the_table_as_it_was() {
    let cad = Product::from("cad");
    let mut t = table_with("cad", 1);
    let old = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap().lease;
    // The same holder comes back after its lease died, before the sweeper ran.
    let again = t
        .checkout(&ask("cad", "pc-1"), Timestamp(61 * SEC))
        .unwrap();
    assert_eq!(again.expired.as_ref().map(|l| l.id), Some(old.id));
    t.undo_checkout(&again);
    assert!(t.get(again.lease.id).is_none());
    assert_eq!(t.get(old.id), Some(old.clone()));
    assert_eq!((t.in_use(&cad), t.ending(&cad)), (1, 0));
    // The dead lease then expires the usual way.
    assert_eq!(t.expire_due(Timestamp(61 * SEC)).len(), 1);
}

#[test]
fn a_deadline_whose_write_failed_is_written_at_the_next_renewal() {
    let mut t = table_with("cad", 1);
    let a = t.checkout(&ask("cad", "pc-1"), Timestamp(0)).unwrap().lease;
    let first = t.renew(a.id, Timestamp(20 * SEC)).unwrap();
    assert!(
        first.store_until.is_some(),
        "the first renewal passes the stored deadline"
    );
    assert_eq!(
        t.renew(a.id, Timestamp(21 * SEC)).unwrap().store_until,
        None
    );
    t.mark_unstored(&[a.id]);
    let again = t.renew(a.id, Timestamp(21 * SEC)).unwrap();
    assert_eq!(again.store_until, Some(Timestamp(141 * SEC)));
    assert_eq!(
        t.renew(a.id, Timestamp(22 * SEC)).unwrap().store_until,
        None
    );
}

#[test]
fn the_window_holds_the_most_and_fewest_seats_in_use_since_last_read() {
    let mut t = table_with("cad", 5);
    let cad: Product = "cad".into();
    let now = Timestamp(1_000);
    let a = t.checkout(&ask("cad", "pc-a"), now).unwrap().lease;
    t.checkout(&ask("cad", "pc-b"), now).unwrap();
    t.checkout(&ask("cad", "pc-c"), now).unwrap();
    assert_eq!(t.take_window(&cad), (3, 0));
    // Nothing changed: in use now, both.
    assert_eq!(t.take_window(&cad), (3, 3));
    // An end counts until it settles; then the seat is free.
    let ended = t.release(a.id).unwrap();
    assert_eq!(t.take_window(&cad), (3, 3));
    t.settle(&ended);
    t.checkout(&ask("cad", "pc-d"), now).unwrap();
    assert_eq!(t.take_window(&cad), (3, 2));
    assert_eq!(t.take_window(&"none".into()), (0, 0));
}
