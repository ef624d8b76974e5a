//! The queue's rules with an explicit clock; and the table serving it.

use super::*;
use crate::ClientId;
use crate::license::{LicenseTerms, SeatRules};
use crate::pool::tests::code;
use crate::table::{CheckoutRequest, LeaseTable};

const SEC: i64 = 1000;

fn holder(client: &str) -> Holder {
    Holder {
        client_id: ClientId::from(client),
        user: format!("user-{client}"),
        host: format!("{client}.lan"),
        app_name: String::new(),
        app_version: String::new(),
        address: String::new(),
        computer: crate::computer::Computer::UNKNOWN,
    }
}

fn cad() -> Product {
    Product::from("cad")
}

#[test]
fn waiters_keep_their_order_and_one_holder_has_one_ticket() {
    let mut q = WaitQueue::default();
    let now = Timestamp(0);
    let a = q.join(&cad(), &holder("a"), now).unwrap();
    let b = q.join(&cad(), &holder("b"), now).unwrap();
    let c = q.join(&cad(), &holder("c"), now).unwrap();
    assert_eq!(
        q.join(&cad(), &holder("b"), now).unwrap(),
        b,
        "asking again"
    );
    assert_eq!(q.place(a, now).unwrap().position, 1);
    assert_eq!(
        q.place(c, now).unwrap(),
        Place {
            position: 3,
            waiting: 3,
            estimated_at: None
        }
    );
    q.leave(a);
    assert_eq!(q.place(b, now).unwrap().position, 1);
    assert_eq!(q.place(c, now).unwrap().position, 2);
    assert!(q.place(a, now).is_none());
    // Another product has a line of its own.
    let v = q.join(&Product::from("viewer"), &holder("a"), now).unwrap();
    assert_eq!(q.place(v, now).unwrap().waiting, 1);
}

#[test]
fn a_waiter_that_stops_asking_leaves_the_queue() {
    let mut q = WaitQueue::default();
    let a = q.join(&cad(), &holder("a"), Timestamp(0)).unwrap();
    let b = q.join(&cad(), &holder("b"), Timestamp(0)).unwrap();
    let ttl = i64::from(TICKET_SECS) * SEC;
    assert!(q.keep_alive(b, Timestamp(ttl - SEC)));
    assert_eq!(q.next_deadline(), Some(Timestamp(ttl)));
    let gone = q.expire_due(Timestamp(ttl));
    assert_eq!(gone.iter().map(|w| w.ticket).collect::<Vec<_>>(), [a]);
    assert_eq!(q.place(b, Timestamp(ttl)).unwrap().position, 1);
    assert!(q.expire_due(Timestamp(2 * ttl - 2 * SEC)).is_empty());
    assert_eq!(q.expire_due(Timestamp(2 * ttl)).len(), 1);
    assert!(q.is_empty());
    assert!(!q.keep_alive(b, Timestamp(2 * ttl)));
}

#[test]
fn arrival_order_survives_a_restore_and_new_tickets_come_after() {
    let mut q = WaitQueue::default();
    let now = Timestamp(0);
    let a = q.join(&cad(), &holder("a"), now).unwrap();
    let b = q.join(&cad(), &holder("b"), now).unwrap();
    let saved: Vec<Waiter> = q.waiting(&cad()).cloned().collect();
    let mut again = WaitQueue::default();
    for w in saved.into_iter().rev() {
        again.restore(w);
    }
    let c = again.join(&cad(), &holder("c"), now).unwrap();
    let order: Vec<TicketId> = again.waiting(&cad()).map(|w| w.ticket).collect();
    assert_eq!(order, [a, b, c]);
}

#[test]
fn the_estimate_follows_how_often_seats_free() {
    let mut q = WaitQueue::default();
    let a = q.join(&cad(), &holder("a"), Timestamp(0)).unwrap();
    let b = q.join(&cad(), &holder("b"), Timestamp(0)).unwrap();
    q.seat_freed(&cad(), Timestamp(0));
    assert_eq!(
        q.place(a, Timestamp(0)).unwrap().estimated_at,
        None,
        "one free tells nothing"
    );
    q.seat_freed(&cad(), Timestamp(60 * SEC));
    let now = Timestamp(60 * SEC);
    assert_eq!(
        q.place(a, now).unwrap().estimated_at,
        Some(Timestamp(120 * SEC))
    );
    assert_eq!(
        q.place(b, now).unwrap().estimated_at,
        Some(Timestamp(180 * SEC))
    );
}

#[test]
fn the_queue_is_bounded() {
    let mut q = WaitQueue::default();
    // From many machines (one machine is bounded lower, below).
    let from = |i: usize| Holder {
        address: format!("10.{}.{}.1:5000", i / 200, i % 200),
        ..holder(&i.to_string())
    };
    for i in 0..MAX_WAITERS {
        q.join(&cad(), &from(i), Timestamp(0)).unwrap();
    }
    assert_eq!(
        q.join(&cad(), &from(MAX_WAITERS + 1), Timestamp(0)),
        Err(JoinError::Full)
    );
    // Asking again is still answered.
    assert!(q.join(&cad(), &from(7), Timestamp(0)).is_ok());
}

fn ask(client: &str) -> CheckoutRequest {
    CheckoutRequest {
        product: cad(),
        holder: holder(client),
        units: 1,
    }
}

#[test]
fn a_freed_seat_goes_to_the_first_waiter_for_the_claim_window() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 1));
    let now = Timestamp(0);
    let held = t.checkout(&ask("a"), now).unwrap();
    let b = t.queue_mut().join(&cad(), &holder("b"), now).unwrap();
    let c = t.queue_mut().join(&cad(), &holder("c"), now).unwrap();
    assert!(
        t.serve_waiters(&cad(), now).served.is_empty(),
        "no seat free"
    );

    let later = Timestamp(10 * SEC);
    let ended = t.release(held.lease.id).unwrap();
    t.settle(&ended);
    let served = t.serve_waiters(&cad(), later).served;
    assert_eq!(served.len(), 1);
    assert_eq!(served[0].waiter.ticket, b);
    let lease = &served[0].granted.lease;
    assert_eq!(
        lease.expires_at,
        Timestamp(later.0 + i64::from(CLAIM_SECS) * SEC)
    );
    assert_eq!(t.queue().offer(b), Some(Offered::Pending));
    t.queue_mut().offer_ready(b);
    assert_eq!(t.queue().offer(b), Some(Offered::Ready(lease.id)));
    assert_eq!(t.queue().place(c, later).unwrap().position, 1);
    // Claimed: the first renewal gives a whole lease.
    let renewed = t.renew(lease.id, Timestamp(11 * SEC)).unwrap();
    assert_eq!(renewed.expires_at, Timestamp(71 * SEC));
}

#[test]
fn an_unclaimed_seat_goes_to_the_next_waiter() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 1));
    let now = Timestamp(0);
    t.queue_mut().join(&cad(), &holder("b"), now).unwrap();
    let c = t.queue_mut().join(&cad(), &holder("c"), now).unwrap();
    let first = t.serve_waiters(&cad(), now).served;
    assert_eq!(first.len(), 1);
    let claim = i64::from(CLAIM_SECS) * SEC;
    t.queue_mut().keep_alive(c, Timestamp(claim - SEC));
    let lapsed = t.expire_due(Timestamp(claim));
    assert_eq!(lapsed.len(), 1);
    t.settle(&lapsed[0]);
    let second = t.serve_waiters(&cad(), Timestamp(claim)).served;
    assert_eq!(second[0].waiter.ticket, c);
}

#[test]
fn a_waiter_the_policy_limits_keeps_its_place_one_it_excludes_is_dropped() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 2));
    t.set_policy(std::sync::Arc::new(
        crate::policy::Policy::parse(
            "[products.cad]\nexclude = [\"user:user-x\"]\nmax = [{ seats = 1, for = \"user:user-b\" }]\n",
            "policy.toml",
        )
        .unwrap(),
    ));
    let now = Timestamp(0);
    // b already holds its one seat; x is excluded (the policy changed
    // while it waited); c may have the other seat.
    t.checkout(&ask("b"), now).unwrap();
    let b2 = Holder {
        client_id: ClientId::from("b2"),
        ..holder("b")
    };
    let b = t.queue_mut().join(&cad(), &b2, now).unwrap();
    let x = t.queue_mut().join(&cad(), &holder("x"), now).unwrap();
    let c = t.queue_mut().join(&cad(), &holder("c"), now).unwrap();
    let serving = t.serve_waiters(&cad(), now);
    assert_eq!(
        serving
            .served
            .iter()
            .map(|s| s.waiter.ticket)
            .collect::<Vec<_>>(),
        [c]
    );
    assert_eq!(serving.dropped.len(), 1);
    assert_eq!(serving.dropped[0].0.ticket, x);
    assert_eq!(serving.dropped[0].1.code(), "excluded_by_policy");
    assert_eq!(
        t.queue().place(b, now).unwrap().position,
        1,
        "waits out its max"
    );
    assert!(t.queue().place(x, now).is_none());
}

#[test]
fn a_failed_write_puts_the_waiter_back_in_its_place() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 1));
    let now = Timestamp(0);
    let b = t.queue_mut().join(&cad(), &holder("b"), now).unwrap();
    t.queue_mut().join(&cad(), &holder("c"), now).unwrap();
    let served = t.serve_waiters(&cad(), now).served;
    t.undo_served(&served[0]);
    assert_eq!(t.in_use(&cad()), 0);
    assert_eq!(t.queue().place(b, now).unwrap().position, 1);
    assert_eq!(t.queue().offer(b), None);
}

#[test]
fn a_code_may_forbid_waiting() {
    let mut t = LeaseTable::new();
    t.add_license(code("cad", 1));
    assert!(t.queue_allowed(&cad(), Timestamp(0)));
    t.add_license(LicenseTerms {
        seat_rules: SeatRules {
            no_queue: true,
            ..SeatRules::default()
        },
        ..code("cad", 1)
    });
    assert!(!t.queue_allowed(&cad(), Timestamp(0)));
}

#[test]
fn one_address_cannot_fill_the_queue() {
    let mut q = WaitQueue::default();
    let from = |i: u32, ip: &str| Holder {
        address: format!("{ip}:{}", 40_000 + i),
        ..holder(&format!("pc-{ip}-{i}"))
    };
    for i in 0..MAX_WAITERS_PER_ADDRESS {
        q.join(&cad(), &from(i, "10.0.0.9"), Timestamp(0)).unwrap();
    }
    assert_eq!(
        q.join(&cad(), &from(999, "10.0.0.9"), Timestamp(0)),
        Err(JoinError::TooManyFromAddress),
        "another port of the same address is the same machine"
    );
    q.join(&cad(), &from(0, "10.0.0.10"), Timestamp(0)).unwrap();
    // One leaves: the address may join again.
    let first = q.waiting(&cad()).next().unwrap().ticket;
    q.leave(first);
    q.join(&cad(), &from(999, "10.0.0.9"), Timestamp(0))
        .unwrap();
}

#[test]
fn clones_sharing_a_client_id_wait_each_for_a_seat() {
    let mut q = WaitQueue::default();
    let clone = |boot: &str| Holder {
        computer: crate::computer::Computer::parse(&format!("00000001.00000002.00000003.{boot}"))
            .unwrap(),
        ..holder("vm")
    };
    let a = q.join(&cad(), &clone("0000000a"), Timestamp(0)).unwrap();
    let b = q.join(&cad(), &clone("0000000b"), Timestamp(0)).unwrap();
    assert_ne!(a, b);
    assert_eq!(q.join(&cad(), &clone("0000000a"), Timestamp(0)).unwrap(), a);
}
