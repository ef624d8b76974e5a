use super::*;
use std::collections::BTreeSet;

fn row(n: u32, host: &str, user: &str, product: &str) -> Listed {
    Listed {
        id: LeaseId(uuid::Uuid::from_u128(u128::from(n))),
        names: Arc::new(HolderNames::new(
            product.into(),
            "Designer".into(),
            "2.1".into(),
            [
                &format!("client-{host}"),
                user,
                host,
                &format!("10.0.{}.{}:5000", n / 250, n % 250),
            ],
        )),
        granted_at: Timestamp(1_000 + i64::from(n % 7)),
        renewed_at: Timestamp(2_000 - i64::from(n)),
        expires_at: Timestamp(9_000),
    }
}

fn many(n: u32) -> Vec<Listed> {
    (0..n)
        .map(|i| {
            row(
                i,
                &format!("WS-{:03}", i % 37),
                &format!("user{}", i % 11),
                "cad",
            )
        })
        .collect()
}

/// The host of each lease in `ids`.
fn hosts_of<'a>(listing: &'a Listing, ids: &[LeaseId]) -> Vec<&'a str> {
    ids.iter()
        .map(|id| {
            listing
                .rows
                .iter()
                .find(|r| r.id == *id)
                .unwrap()
                .names
                .host()
        })
        .collect()
}

/// Every page of `listing` in `sort`/`order`, `limit` at a time.
fn walk(listing: &Listing, sort: ComputerSort, order: SortOrder, limit: usize) -> Vec<LeaseId> {
    let all = listing.order(sort);
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let (ids, next) = listing.page(&all, sort, order, cursor.as_ref(), limit);
        out.extend(ids);
        match next {
            Some(c) => cursor = Some(Cursor::decode(&c.encode(), sort, order).unwrap()),
            None => return out,
        }
    }
}

#[test]
fn pages_read_every_row_once_in_order_for_every_sort_both_ways() {
    let rows = many(500);
    let listing = Listing::new(rows.clone());
    for sort in ComputerSort::ALL {
        let mut expected = rows.clone();
        expected.sort_by(|a, b| key_cmp(a.key(sort), b.key(sort)).then_with(|| a.id.cmp(&b.id)));
        let expected: Vec<LeaseId> = expected.iter().map(|r| r.id).collect();
        assert_eq!(
            walk(&listing, sort, SortOrder::Asc, 7),
            expected,
            "{sort:?}"
        );
        let mut reversed = expected.clone();
        reversed.reverse();
        assert_eq!(
            walk(&listing, sort, SortOrder::Desc, 64),
            reversed,
            "{sort:?}"
        );
    }
}

#[test]
fn names_sort_without_regard_to_case_and_a_computer_stays_together() {
    let listing = Listing::new(vec![
        row(1, "beta", "x", "cad"),
        row(2, "Alpha", "x", "cad"),
        row(3, "alpha", "x", "cad"),
        row(4, "ALPHA", "x", "viewer"),
    ]);
    let all = listing.order(ComputerSort::Host);
    let (ids, next) = listing.page(&all, ComputerSort::Host, SortOrder::Asc, None, 10);
    assert!(next.is_none());
    let hosts = hosts_of(&listing, &ids);
    // The three spellings of alpha sort as one name, before beta.
    assert_eq!(hosts.last(), Some(&"beta"));
    assert_eq!(hosts.len(), 4);
}

#[test]
fn a_cursor_stays_right_when_the_list_is_rebuilt_between_pages() {
    let rows = many(300);
    let first = Listing::new(rows.clone());
    let sort = ComputerSort::User;
    let (page1, next) = first.page(&first.order(sort), sort, SortOrder::Asc, None, 100);
    let cursor = next.unwrap();
    // Between pages, twenty leases end (some already shown, some not) and
    // fifty new ones arrive.
    let gone: BTreeSet<LeaseId> = rows.iter().step_by(15).map(|r| r.id).collect();
    let mut later: Vec<Listed> = rows
        .iter()
        .filter(|r| !gone.contains(&r.id))
        .cloned()
        .collect();
    later.extend((1000..1050).map(|i| row(i, "new", &format!("user{}", i % 11), "cad")));
    let second = Listing::new(later.clone());
    let all = second.order(sort);
    let mut rest = Vec::new();
    let mut c = Some(cursor);
    while let Some(at) = c {
        let (ids, next) = second.page(&all, sort, SortOrder::Asc, Some(&at), 100);
        rest.extend(ids);
        c = next;
    }
    let shown: BTreeSet<LeaseId> = page1.iter().copied().collect();
    assert!(
        rest.iter().all(|id| !shown.contains(id)),
        "a row shown twice"
    );
    // Every lease that was there all along is on one of the pages.
    for r in rows.iter().filter(|r| !gone.contains(&r.id)) {
        assert!(
            shown.contains(&r.id) || rest.contains(&r.id),
            "{} skipped",
            r.id
        );
    }
}

#[test]
fn a_search_needs_every_word_somewhere_in_any_case() {
    let mut rows = many(100);
    rows.push(row(500, "Zeichen-Büro", "jürgen", "viewer"));
    let listing = Listing::new(rows);
    let all = listing.order(ComputerSort::Host);
    let count = |q: &str| listing.filter(&all, &Search::new(q)).len();
    assert_eq!(count("ws-001"), 3, "WS-001 holds leases 1, 38, 75");
    assert_eq!(count("ws-001 USER2"), 0);
    assert_eq!(count("ws-001 USER5"), 1, "lease 38");
    assert_eq!(
        count("ws-001 user1"),
        1,
        "lease 1 only (38 is user5, 75 is user9)"
    );
    assert_eq!(count("BÜRO JÜRGEN"), 1);
    assert_eq!(count("designer 2.1 cad"), 100);
    assert_eq!(count("client-ws-036"), 2);
    assert_eq!(count("10.0.0.7:"), 1);
    assert!(Search::new("  ").is_empty());
    assert_eq!(count("nothing-like-this"), 0);
}

#[test]
fn a_cursor_of_another_sort_or_made_up_is_refused_in_words() {
    let listing = Listing::new(many(10));
    let all = listing.order(ComputerSort::Since);
    let (_, next) = listing.page(&all, ComputerSort::Since, SortOrder::Desc, None, 3);
    let text = next.unwrap().encode();
    let err = Cursor::decode(&text, ComputerSort::Host, SortOrder::Desc).unwrap_err();
    assert!(err.contains("another sort (since desc)"), "{err}");
    assert!(Cursor::decode(&text, ComputerSort::Since, SortOrder::Desc).is_ok());
    for bad in ["", "zz", "7b7d", &"a".repeat(5000)] {
        let err = Cursor::decode(bad, ComputerSort::Since, SortOrder::Desc).unwrap_err();
        assert!(err.contains("first page again"), "{err}");
    }
}

#[test]
fn a_holders_own_names_come_back_from_their_one_allocation() {
    let n = HolderNames::new(
        "cad".into(),
        "D".into(),
        "1".into(),
        ["id-1", "", "hôst", "[::1]:5"],
    );
    assert_eq!(
        (n.client_id(), n.user(), n.host(), n.address()),
        ("id-1", "", "hôst", "[::1]:5")
    );
}

#[test]
fn an_empty_list_has_one_empty_page() {
    let listing = Listing::new(Vec::new());
    let all = listing.order(ComputerSort::Expires);
    assert_eq!(
        listing.page(&all, ComputerSort::Expires, SortOrder::Asc, None, 50),
        (Vec::new(), None)
    );
}

#[test]
fn long_names_that_share_their_first_16_bytes_still_sort_in_full() {
    // The sort orders by a 16-byte prefix first; these differ only after it.
    let rows: Vec<Listed> = (0..300)
        .map(|i| {
            let host = format!("Engineering-Workstation-{:03}", (i * 7919) % 300);
            let user = if i % 2 == 0 { "ANN" } else { "ann" };
            row(i, &host, user, "cad")
        })
        .collect();
    let listing = Listing::new(rows.clone());
    for sort in [ComputerSort::Host, ComputerSort::User, ComputerSort::Since] {
        let mut expected = rows.clone();
        expected.sort_by(|a, b| key_cmp(a.key(sort), b.key(sort)).then_with(|| a.id.cmp(&b.id)));
        let expected: Vec<LeaseId> = expected.iter().map(|r| r.id).collect();
        assert_eq!(
            walk(&listing, sort, SortOrder::Asc, 1000),
            expected,
            "{sort:?}"
        );
    }
    let hosts = hosts_of(
        &listing,
        &walk(&listing, ComputerSort::Host, SortOrder::Asc, 1000),
    );
    assert_eq!(hosts[0], "Engineering-Workstation-000");
    assert_eq!(hosts[299], "Engineering-Workstation-299");
}
