//! The token ledger's rules with an explicit clock.

use super::*;
use crate::license::{LicenseTerms, SeatRules, Tokens};

fn ts(text: &str) -> Timestamp {
    Timestamp(
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis(),
    )
}

fn code(units: u64, period: TokenPeriod, overdraft: u64) -> LicenseTerms {
    LicenseTerms {
        seat_rules: SeatRules {
            tokens: Some(Tokens {
                units,
                period,
                overdraft,
            }),
            ..SeatRules::default()
        },
        ..crate::testing::terms("cad", 1)
    }
}

fn pools(codes: &[LicenseTerms]) -> Pools {
    let mut p = Pools::default();
    for c in codes {
        p.add(c.clone());
    }
    p
}

fn spend(amount: u64, key: &str) -> Spend {
    Spend {
        product: "cad".into(),
        amount,
        key: key.into(),
        client_id: ClientId::from("pc-1"),
        user: "ann".into(),
        note: String::new(),
    }
}

fn new(o: Result<Outcome, SpendError>) -> Spent {
    match o {
        Ok(Outcome::New(s)) => s,
        other => panic!("a new spend, not {other:?}"),
    }
}

fn given(p: &Pools, now: Timestamp) -> Option<Given> {
    p.tokens(&"cad".into(), now)
}

#[test]
fn a_key_being_written_waits_for_its_write_and_spends_once() {
    let p = pools(&[code(100, TokenPeriod::Month, 0)]);
    let mut l = Ledger::default();
    let now = ts("2026-12-01T10:00:00Z");
    let first = new(l.spend(given(&p, now), &spend(30, "job-1"), now));
    assert_eq!((first.left, first.over), (70, 0));
    // Sent again while the first is on its way: wait, nothing spent.
    for _ in 0..3 {
        assert_eq!(
            l.spend(given(&p, now), &spend(30, "job-1"), now),
            Ok(Outcome::Pending)
        );
    }
    assert_eq!(l.pending(), 1);
    // The same key for another amount is a mistake, said as such.
    assert!(matches!(
        l.spend(given(&p, now), &spend(31, "job-1"), now),
        Err(SpendError::KeyReused { amount: 30, .. })
    ));
    l.written(&first);
    assert_eq!(l.pending(), 0);
    assert_eq!(l.balance(&p, &"cad".into(), now).unwrap().spent, 30);
    // Written lately: answered from memory, nothing more spent.
    assert_eq!(
        l.spend(given(&p, now), &spend(30, "job-1"), now),
        Ok(Outcome::Replay(first.clone()))
    );
    assert_eq!(l.balance(&p, &"cad".into(), now).unwrap().spent, 30);
    // Once written, the store answers the key: the spend found there is
    // the answer when it is the same spend.
    assert_eq!(
        check_same(&spend(30, "job-1"), first.clone()),
        Ok(first.clone())
    );
    assert!(matches!(
        check_same(&spend(31, "job-1"), first),
        Err(SpendError::KeyReused { amount: 30, .. })
    ));
    // After a restart the sums come back from the store.
    let mut again = Ledger::default();
    again.restore("cad".into(), ts("2026-12-01T00:00:00Z"), 30);
    assert_eq!(again.balance(&p, &"cad".into(), now).unwrap().left(), 70);
}

#[test]
fn the_balance_never_goes_below_zero_unless_the_overdraft_allows() {
    let now = ts("2026-12-01T10:00:00Z");
    let p = pools(&[code(10, TokenPeriod::None, 0)]);
    let mut l = Ledger::default();
    new(l.spend(given(&p, now), &spend(8, "a"), now));
    let refused = l.spend(given(&p, now), &spend(3, "b"), now).unwrap_err();
    assert!(matches!(
        refused,
        SpendError::Exhausted {
            left: 2,
            asked: 3,
            overdraft_left: 0,
            period_end: None,
            ..
        }
    ));
    assert!(refused.to_string().contains("given once"), "{refused}");
    new(l.spend(given(&p, now), &spend(2, "c"), now));

    let p = pools(&[code(10, TokenPeriod::None, 5)]);
    let mut l = Ledger::default();
    new(l.spend(given(&p, now), &spend(8, "a"), now));
    let over = new(l.spend(given(&p, now), &spend(4, "b"), now));
    assert_eq!(over.over, 2, "2 of the 4 from the overdraft");
    let b = l.balance(&p, &"cad".into(), now).unwrap();
    assert_eq!((b.left(), b.over()), (0, 2));
    assert!(matches!(
        l.spend(given(&p, now), &spend(4, "c"), now),
        Err(SpendError::Exhausted {
            left: 0,
            overdraft_left: 3,
            ..
        })
    ));
}

#[test]
fn tokens_come_again_each_period() {
    let p = pools(&[code(10, TokenPeriod::Month, 0)]);
    let mut l = Ledger::default();
    let dec = ts("2026-12-31T23:59:59Z");
    let d = new(l.spend(given(&p, dec), &spend(10, "dec"), dec));
    l.written(&d);
    assert!(l.spend(given(&p, dec), &spend(1, "more"), dec).is_err());
    let jan = ts("2027-01-01T00:00:00Z");
    let b = l.balance(&p, &"cad".into(), jan).unwrap();
    assert_eq!(
        (b.period_start, b.period_end, b.spent),
        (jan, Some(ts("2027-02-01T00:00:00Z")), 0)
    );
    let j = new(l.spend(given(&p, jan), &spend(10, "jan"), jan));
    l.written(&j);
    // December's sum may go from memory; January's stays.
    l.forget_before(jan);
    assert_eq!(l.balance(&p, &"cad".into(), jan).unwrap().spent, 10);
    assert_eq!(l.spent.len(), 1);
    assert_eq!(
        period_bounds(TokenPeriod::Year, ts("2026-06-15T12:00:00Z")),
        (ts("2026-01-01T00:00:00Z"), Some(ts("2027-01-01T00:00:00Z")))
    );
}

#[test]
fn several_codes_add_up_in_the_longest_period() {
    let p = pools(&[
        code(100, TokenPeriod::Year, 10),
        code(50, TokenPeriod::Month, 0),
    ]);
    let b = Ledger::default()
        .balance(&p, &"cad".into(), ts("2026-12-01T00:00:00Z"))
        .unwrap();
    // Never more than bought: not 150 each month.
    assert_eq!(
        (b.units, b.overdraft, b.period),
        (150, 10, TokenPeriod::Year)
    );
    let none = pools(&[crate::testing::terms("cad", 1)]);
    assert_eq!(
        Ledger::default().spend(given(&none, Timestamp(0)), &spend(1, "x"), Timestamp(0)),
        Err(SpendError::NoTokens("cad".into()))
    );
}

#[test]
fn memory_keeps_the_latest_spends_only() {
    let p = pools(&[code(MAX, TokenPeriod::None, 0)]);
    let mut l = Ledger::default();
    let now = ts("2026-12-01T10:00:00Z");
    for n in 0..=RECENT_SPENDS {
        let s = new(l.spend(given(&p, now), &spend(1, &format!("k{n}")), now));
        l.written(&s);
    }
    assert_eq!(
        (l.recent.len(), l.recent_order.len()),
        (RECENT_SPENDS, RECENT_SPENDS)
    );
    // The oldest went from memory (the store answers it); the newest stays.
    assert!(!l.recent.contains_key(&("cad".into(), "k0".to_owned())));
    assert!(matches!(
        l.spend(given(&p, now), &spend(1, &format!("k{RECENT_SPENDS}")), now),
        Ok(Outcome::Replay(_))
    ));
}

const MAX: u64 = crate::license::MAX_TOKENS;

#[test]
fn an_undone_spend_leaves_no_trace() {
    let p = pools(&[code(10, TokenPeriod::None, 0)]);
    let mut l = Ledger::default();
    let now = ts("2026-12-01T10:00:00Z");
    let s = new(l.spend(given(&p, now), &spend(10, "a"), now));
    l.undo(&s);
    assert_eq!(l.balance(&p, &"cad".into(), now).unwrap().spent, 0);
    new(l.spend(given(&p, now), &spend(10, "a"), now));
}
