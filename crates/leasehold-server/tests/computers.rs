//! `GET /admin/v1/computers`: pages, sort, search and cursor over HTTP; rows
//! that show each lease as it is now; a big list answered from its copy
//! while a new one is made in the background.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use axum::http::{Method, StatusCode};
use common::{Vendor, add_license, call, start};
use futures_util::future::join_all;
use leasehold_server::ServerHandle;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

async fn get(server: &ServerHandle, query: &str) -> (StatusCode, Value) {
    call(
        server,
        Method::GET,
        &format!("/admin/v1/computers{query}"),
        None,
        true,
    )
    .await
}

/// Checks out `product` for `user` on computer `pc`.
async fn take(server: &ServerHandle, product: &str, pc: &str, user: &str) -> Value {
    let body = json!({ "product": product, "clientId": pc, "user": user, "host": format!("{pc}.lan"), "appName": "Designer", "appVersion": "4.2" });
    let (status, grant) = call(server, Method::POST, "/v1/checkout", Some(body), false).await;
    assert_eq!(status, StatusCode::OK, "{grant}");
    grant
}

/// 60 leases: computers pc-00..pc-19, three users each, products cad and viewer.
async fn sixty(server: &ServerHandle, vendor: &Vendor) {
    add_license(server, &vendor.code("cad", 100)).await;
    add_license(server, &vendor.code("viewer", 100)).await;
    join_all((0..60).map(|i| {
        let product = if i % 2 == 0 { "cad" } else { "viewer" };
        let pc = format!("pc-{:02}", i % 20);
        let user = format!("user{}", i / 20);
        async move { take(server, product, &pc, &user).await }
    }))
    .await;
}

/// `POST /v1/leases/{id}/{action}`, which must succeed.
async fn lease_call(server: &ServerHandle, id: &str, action: &str) {
    let path = format!("/v1/leases/{id}/{action}");
    let (status, body) = call(server, Method::POST, &path, None, false).await;
    assert_eq!(status, StatusCode::OK, "{action}: {body}");
}

fn hosts(page: &Value) -> Vec<String> {
    rows(page)
        .iter()
        .map(|r| r["lease"]["holder"]["host"].as_str().unwrap().to_owned())
        .collect()
}

fn ids(rows: &[Value]) -> Vec<Value> {
    rows.iter().map(|r| r["lease"]["id"].clone()).collect()
}

fn rows(page: &Value) -> Vec<Value> {
    page["rows"].as_array().unwrap().clone()
}

/// Every row of a listing, following the cursor, `query` on every page.
async fn walk(server: &ServerHandle, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_owned(),
        };
        let (status, page) = get(server, &q).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(rows(&page));
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return all,
        }
    }
    panic!("the cursor never ended");
}

#[tokio::test]
async fn pages_follow_the_sort_and_the_cursor_reads_each_seat_once() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    sixty(&server, &vendor).await;

    let (status, first) = get(&server, "?limit=7").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (&first["seats"], &first["computers"], &first["matching"]),
        (&json!(60), &json!(20), &json!(60))
    );
    assert_eq!(rows(&first).len(), 7);
    // By computer: pc-00's three seats first, together, each knowing it has three.
    assert_eq!(hosts(&first)[..3], ["pc-00.lan"; 3]);
    assert_eq!(rows(&first)[0]["computerSeats"], 3);

    let all = walk(&server, "?limit=7").await;
    let ids: BTreeSet<&str> = all
        .iter()
        .map(|r| r["lease"]["id"].as_str().unwrap())
        .collect();
    assert_eq!((all.len(), ids.len()), (60, 60), "each seat once");
    let mut sorted: Vec<String> = all
        .iter()
        .map(|r| r["lease"]["holder"]["host"].as_str().unwrap().to_owned())
        .collect();
    let seen = sorted.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "in computer order");

    let desc = walk(&server, "?sort=user&order=desc&limit=25").await;
    let users: Vec<&str> = desc
        .iter()
        .map(|r| r["lease"]["holder"]["user"].as_str().unwrap())
        .collect();
    assert_eq!((users[0], users[59]), ("user2", "user0"));
    assert!(users.windows(2).all(|w| w[0] >= w[1]), "{users:?}");

    let since = walk(&server, "?sort=since&limit=50").await;
    let granted: Vec<i64> = since
        .iter()
        .map(|r| r["lease"]["grantedAt"].as_i64().unwrap())
        .collect();
    assert!(granted.windows(2).all(|w| w[0] <= w[1]));
    server.shutdown().await;
}

#[tokio::test]
async fn a_search_needs_every_word_and_pages_through_its_matches() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    sixty(&server, &vendor).await;
    // pc-03 holds seats 3 (viewer, user0), 23 (viewer, user1), 43 (viewer, user2).
    let (_, page) = get(&server, "?text=PC-03%20user1").await;
    assert_eq!(page["matching"], 1, "{page}");
    assert_eq!(rows(&page)[0]["lease"]["holder"]["user"], "user1");
    let (_, page) = get(&server, "?text=pc-03%20cad").await;
    assert_eq!((&page["matching"], rows(&page).len()), (&json!(0), 0));
    let cad = walk(&server, "?text=cad&limit=4&sort=expires").await;
    assert_eq!(cad.len(), 30);
    assert!(cad.iter().all(|r| r["lease"]["product"] == "cad"));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_get_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    sixty(&server, &vendor).await;
    let (_, page) = get(&server, "?sort=since&limit=5").await;
    let cursor = page["nextCursor"].as_str().unwrap().to_owned();

    let (status, body) = get(&server, &format!("?sort=host&cursor={cursor}")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("another sort (since asc)"),
        "{body}"
    );
    let (status, body) = get(&server, "?cursor=not-a-cursor").await;
    assert_eq!(body["code"], "invalid_field", "{body}");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = get(&server, "?sort=shoe-size").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("expected one of"),
        "{body}"
    );
    let (status, body) = get(&server, &format!("?text={}", "x".repeat(201))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_field"))
    );
    // A limit out of the declared range (1 to 1,000) is refused.
    for limit in [0, 1001, 100_000] {
        let (status, body) = get(&server, &format!("?limit={limit}")).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_field")),
            "{limit}"
        );
    }
    let (_, page) = get(&server, "?limit=1000").await;
    assert_eq!(rows(&page).len(), 60);
    server.shutdown().await;
}

#[tokio::test]
async fn rows_show_each_lease_as_it_is_now() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    sixty(&server, &vendor).await;
    let (_, before) = get(&server, "?limit=1").await;
    let lease = rows(&before)[0]["lease"].clone();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let id = lease["id"].as_str().unwrap();
    lease_call(&server, id, "renew").await;
    // The same copy of the list (nothing came or went), the new renewal time.
    let (_, after) = get(&server, "?limit=1").await;
    assert_eq!(after["asOf"], before["asOf"], "the copy was reused");
    let renewed = &rows(&after)[0]["lease"];
    assert_eq!(renewed["id"], lease["id"]);
    assert!(
        renewed["renewedAt"].as_i64() > lease["renewedAt"].as_i64(),
        "{renewed} vs {lease}"
    );

    // A seat given back is gone from the next page at once (a small list is
    // made again whenever a lease comes or goes).
    lease_call(&server, id, "release").await;
    let (_, page) = get(&server, "?limit=100").await;
    assert_eq!(
        (&page["seats"], &page["matching"]),
        (&json!(59), &json!(59))
    );
    assert!(rows(&page).iter().all(|r| r["lease"]["id"] != lease["id"]));
    server.shutdown().await;
}

#[tokio::test]
async fn a_big_list_answers_from_its_copy_while_a_new_one_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let server = start(dir.path(), &vendor).await;
    sixty(&server, &vendor).await;
    // Sixty leases count as "big" here, and a copy as out of date at once.
    server.engine().tune_listing(10, Duration::ZERO);
    let (_, first) = get(&server, "?limit=10").await;
    assert_eq!(first["matching"], 60);
    // Three of the first page's seats are given back: the next answer comes
    // from the same copy, skips them and still fills its page.
    let gone = ids(&rows(&first)[..3]);
    for id in &gone {
        lease_call(&server, id.as_str().unwrap(), "release").await;
    }
    let (_, again) = get(&server, "?limit=10").await;
    assert_eq!(
        (&again["asOf"], &again["seats"]),
        (&first["asOf"], &json!(57)),
        "the copy at hand"
    );
    let shown = ids(&rows(&again));
    assert_eq!(shown.len(), 10, "{again}");
    assert!(gone.iter().all(|id| !shown.contains(id)));
    assert_eq!(shown[..7], ids(&rows(&first)[3..]));

    let newcomer = take(&server, "cad", "pc-new", "zoe").await;
    // Counted at once; listed once a copy made after it is in use.
    let (_, counted) = get(&server, "?text=zoe").await;
    assert_eq!(counted["seats"], 58, "{counted}");
    // The copy made meanwhile lists it.
    let mut listed = false;
    for _ in 0..500 {
        let (_, page) = get(&server, "?text=zoe").await;
        if page["matching"] == 1 {
            assert_eq!(rows(&page)[0]["lease"]["id"], newcomer["leaseId"]);
            listed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(listed, "the background copy never came");
    server.shutdown().await;
}
