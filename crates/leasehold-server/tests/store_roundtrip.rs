//! The store's public API: identity on first open, every op round-tripping
//! through a reopen, and every event filter.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_core::event::{Event, EventKind};
use leasehold_core::lease::{Holder, Lease};
use leasehold_core::{ClientId, CorrelationId, LeaseId, LicenseId, Product, Timestamp};
use leasehold_server::store::{
    EventQuery, Op, Retention, Store, StoreOptions, StoredLicense, TOKEN_FILE,
};

/// This file's events are dated 1970: keep them across a reopen.
fn keep_every_event() -> StoreOptions {
    StoreOptions {
        retention: Retention {
            keep_days: 36_500,
            ..Retention::default()
        },
        ..StoreOptions::default()
    }
}

fn lease(client: &str, at: i64) -> Lease {
    Lease {
        id: LeaseId::random(),
        product: Product::from("cad"),
        holder: Holder {
            client_id: ClientId::from(client),
            user: format!("user-{client}"),
            host: format!("{client}.lan"),
            app_name: "Draw".into(),
            app_version: "2.1.0".into(),
            address: "192.168.1.20:51000".into(),
            computer: leasehold_core::computer::Computer::of("ws", "aa:bb", "Xeon", "boot-1"),
        },
        granted_at: Timestamp(at),
        renewed_at: Timestamp(at),
        expires_at: Timestamp(at + 90_000),
        lease_secs: 90,
        overdraft: false,
        units: 1,
    }
}

fn event(seq: u64, kind: EventKind, at: i64, message: &str) -> Event {
    let mut e = Event::new(kind, Timestamp(at), message);
    e.seq = seq;
    e
}

#[tokio::test]
async fn store_first_open_makes_an_identity_and_later_opens_keep_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested/data");
    let (store, first) = Store::open(&dir, StoreOptions::default()).unwrap();
    assert_eq!(first.admin_token.len(), 64);
    assert!(first.admin_token.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(first.server_key, [0u8; 32]);
    assert!(first.leases.is_empty() && first.licenses.is_empty() && first.trusted_keys.is_empty());
    assert_eq!(first.last_event_seq, 0);
    let token_file = dir.join(TOKEN_FILE);
    assert_eq!(
        std::fs::read_to_string(&token_file).unwrap().trim(),
        first.admin_token
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }
    store.close().await;

    std::fs::remove_file(&token_file).unwrap();
    let (store, second) = Store::open(&dir, StoreOptions::default()).unwrap();
    assert_eq!(second.server_id, first.server_id);
    assert_eq!(second.server_key, first.server_key);
    assert_eq!(second.admin_token, first.admin_token);
    assert_eq!(
        std::fs::read_to_string(&token_file).unwrap().trim(),
        first.admin_token,
        "a missing token file is written again"
    );
    store.close().await;

    let other = tempfile::tempdir().unwrap();
    let (store, third) = Store::open(other.path(), StoreOptions::default()).unwrap();
    assert_ne!(third.server_id, first.server_id);
    assert_ne!(third.admin_token, first.admin_token);
    store.close().await;
}

#[tokio::test]
async fn store_every_op_round_trips_through_a_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    let (kept, renewed, deleted) = (
        lease("ws-1", 1_000),
        lease("ws-2", 2_000),
        lease("ws-3", 3_000),
    );
    let license = StoredLicense {
        license_id: LicenseId::random(),
        code: "AAAA-BBBB".into(),
        added_at: Timestamp(5),
    };
    let gone = StoredLicense {
        license_id: LicenseId::random(),
        code: "CCCC".into(),
        added_at: Timestamp(6),
    };
    store
        .apply(vec![
            Op::PutLease(kept.clone()),
            Op::PutLease(renewed.clone()),
            Op::PutLease(deleted.clone()),
            Op::PutLicense(license.clone()),
            Op::PutLicense(gone.clone()),
            Op::PutTrustedKey("key-a".into()),
            Op::PutTrustedKey("key-a".into()),
            Op::PutSetting {
                key: "admin_remote".into(),
                value: "false".into(),
            },
        ])
        .await
        .unwrap();
    // Renewals: the newest per lease wins; one for a lease not stored, or
    // deleted in the same batch, does nothing.
    store.renew(renewed.id, Timestamp(40_000), Timestamp(130_000));
    store.renew(renewed.id, Timestamp(50_000), Timestamp(140_000));
    store.renew(LeaseId::random(), Timestamp(1), Timestamp(2));
    store.renew(deleted.id, Timestamp(1), Timestamp(2));
    store
        .apply(vec![
            Op::DeleteLease(deleted.id),
            Op::DeleteLicense(gone.license_id),
            Op::PutSetting {
                key: "admin_remote".into(),
                value: "true".into(),
            },
            Op::AppendEvent(event(7, EventKind::ServerStart, 10, "started")),
        ])
        .await
        .unwrap();
    store.submit(vec![Op::PutTrustedKey("key-b".into())]);
    store.close().await;
    assert_eq!(
        store.apply(vec![]).await,
        Err(leasehold_server::store::StoreError::Closed)
    );

    let (store, snap) = Store::open(tmp.path(), keep_every_event()).unwrap();
    let mut expected_renewed = renewed;
    expected_renewed.renewed_at = Timestamp(50_000);
    expected_renewed.expires_at = Timestamp(140_000);
    assert_eq!(
        snap.leases.leases().collect::<Vec<_>>(),
        vec![kept, expected_renewed]
    );
    assert_eq!(snap.licenses, vec![license]);
    assert_eq!(
        snap.trusted_keys,
        vec!["key-a".to_owned(), "key-b".to_owned()]
    );
    assert_eq!(
        snap.settings.get("admin_remote").map(String::as_str),
        Some("true")
    );
    assert_eq!(snap.last_event_seq, 7);
    store.close().await;
}

#[tokio::test]
async fn store_events_keep_every_field_and_filter() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    let l = lease("ws-9", 0);
    let full = event(
        1,
        EventKind::Grant,
        1_000,
        "granted cad to ann@ws-9 (1 of 10 in use)",
    )
    .about(&l)
    .correlated(CorrelationId::random());
    let mut with_license = event(2, EventKind::LicenseAdded, 2_000, "license added");
    with_license.license_id = Some(LicenseId::random());
    let all = vec![
        full.clone(),
        with_license.clone(),
        event(
            3,
            EventKind::Deny,
            3_000,
            "no seat of cad is free (100% used)",
        ),
        event(4, EventKind::Grant, 4_000, "granted cad to bob"),
        event(5, EventKind::Release, 5_000, "released"),
    ];
    store
        .apply(all.iter().cloned().map(Op::AppendEvent).collect())
        .await
        .unwrap();
    // A duplicate seq keeps the first event and fails nothing.
    store
        .apply(vec![Op::AppendEvent(event(5, EventKind::Expire, 9, "dup"))])
        .await
        .unwrap();

    let q = |f: &dyn Fn(&mut EventQuery)| {
        let mut q = EventQuery::default();
        f(&mut q);
        let store = store.clone();
        async move {
            store
                .events(q)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(store.events(EventQuery::default()).await.unwrap(), all);
    assert_eq!(q(&|q| q.after_seq = Some(2)).await, [3, 4, 5]);
    assert_eq!(
        q(&|q| {
            q.after_seq = Some(1);
            q.limit = 2
        })
        .await,
        [2, 3]
    );
    assert_eq!(
        q(&|q| q.limit = 2).await,
        [4, 5],
        "without after_seq: the newest, oldest first"
    );
    assert_eq!(q(&|q| q.limit = 0).await, Vec::<u64>::new());
    assert_eq!(q(&|q| q.since = Some(Timestamp(2_000))).await, [2, 3, 4, 5]);
    assert_eq!(q(&|q| q.until = Some(Timestamp(2_000))).await, [1]);
    assert_eq!(
        q(&|q| {
            q.since = Some(Timestamp(2_000));
            q.until = Some(Timestamp(4_001))
        })
        .await,
        [2, 3, 4]
    );
    assert_eq!(q(&|q| q.kinds = vec![EventKind::Grant]).await, [1, 4]);
    assert_eq!(
        q(&|q| q.kinds = vec![EventKind::Deny, EventKind::Release]).await,
        [3, 5]
    );
    assert_eq!(q(&|q| q.text = Some("BOB".into())).await, [4]);
    assert_eq!(
        q(&|q| q.text = Some("ws-9".into())).await,
        [1],
        "matches the host and client columns"
    );
    assert_eq!(
        q(&|q| q.text = Some("100%".into())).await,
        [3],
        "% is literal"
    );
    assert_eq!(
        q(&|q| q.text = Some("1_0".into())).await,
        Vec::<u64>::new(),
        "_ is literal"
    );
    assert_eq!(
        q(&|q| {
            q.kinds = vec![EventKind::Grant];
            q.text = Some("bob".into());
            q.since = Some(Timestamp(1))
        })
        .await,
        [4]
    );
    assert_eq!(
        q(&|q| q.limit = u32::MAX).await.len(),
        5,
        "the limit is capped, not refused"
    );
    store.close().await;
    assert!(store.events(EventQuery::default()).await.is_err());
}
