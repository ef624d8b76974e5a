//! Tests of the store's insides: migrations with an injected failing step,
//! damaged rows on load, event pruning. The public behaviour is tested in
//! `tests/store_*.rs`.

use super::*;
use leasehold_core::lease::Holder;
use leasehold_core::{ClientId, Product};

fn lease(n: i64) -> Lease {
    Lease {
        id: LeaseId::random(),
        product: Product::from("cad"),
        holder: Holder {
            client_id: ClientId::from("ws-1"),
            user: "ann".into(),
            host: "ws-1.lan".into(),
            app_name: "Draw".into(),
            app_version: "1.0".into(),
            address: "10.0.0.5:5000".into(),
            computer: leasehold_core::computer::Computer::UNKNOWN,
        },
        granted_at: Timestamp(n),
        renewed_at: Timestamp(n),
        expires_at: Timestamp(n + 60_000),
        lease_secs: 60,
        overdraft: false,
        units: 1,
    }
}

fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join(DB_FILE)).unwrap()
}

fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_failed_migration_rolls_back_and_keeps_the_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (store, _) = Store::open(dir, StoreOptions::default()).unwrap();
    let kept = lease(1_000);
    store.apply(vec![Op::PutLease(kept.clone())]).await.unwrap();
    store.close().await;
    // Made back into a database of schema version 1 (before activations).
    raw(dir)
        .execute_batch(
            "DROP TABLE activations; DROP TABLE deactivations; ALTER TABLE leases DROP COLUMN computer; ALTER TABLE leases DROP COLUMN overdraft; ALTER TABLE leases DROP COLUMN lingering; DROP TABLE waiters; DROP TABLE named_seats; DROP TABLE lease_features; DROP TABLE borrows; DROP TABLE spends; DROP TABLE spend_sums; DROP TABLE usage_minutes; DROP TABLE usage_hours; DROP TABLE usage_days; ALTER TABLE events DROP COLUMN prev_hash; ALTER TABLE events DROP COLUMN hash; ALTER TABLE leases DROP COLUMN units; DROP TABLE accounts; DROP TABLE account_tokens; DROP TABLE alerts; ALTER TABLE events DROP COLUMN actor; PRAGMA user_version = 1;",
        )
        .unwrap();

    // Step 2 changes data and makes a table, then fails half way through.
    let failing = "CREATE TABLE extra (x INTEGER);
                   DELETE FROM leases;
                   INSERT INTO no_such_table VALUES (1);";
    let steps = [schema::MIGRATIONS[0], failing];
    let err = Store::open_with(dir, StoreOptions::default(), &steps).unwrap_err();
    assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("upgrading the schema to version 2"),
        "{err}"
    );

    let conn = raw(dir);
    assert_eq!(user_version(&conn), 1);
    let extra: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(extra, 0, "the failed step's table must be rolled back");
    drop(conn);

    // The lock was released by the failed open, and the data is intact; the
    // real steps 2 (activations), 3 (the lease's computer) and 4 (its
    // overdraft mark) then apply.
    let (store, snap) = Store::open(dir, StoreOptions::default()).unwrap();
    assert_eq!(snap.leases.leases().collect::<Vec<_>>(), vec![kept]);
    assert!(snap.activations.is_empty() && snap.deactivations.is_empty());
    store.close().await;
    assert_eq!(user_version(&raw(dir)), schema::MIGRATIONS.len() as i64);
    // The database as version 1 left it was kept, owner-only, for the
    // version that wrote it.
    let copy = dir.join("leasehold-schema1.db");
    let old = Connection::open(&copy).unwrap();
    assert_eq!(user_version(&old), 1);
    let leases: i64 = old
        .query_row("SELECT COUNT(*) FROM leases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(leases, 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the copy holds the server's key");
    }
}

#[test]
fn migrations_run_step_by_step_and_refuse_newer() {
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = raw(tmp.path());
    let steps = [
        schema::MIGRATIONS[0],
        "CREATE TABLE two (x INTEGER);",
        "CREATE TABLE three (x INTEGER);",
    ];
    schema::migrate(&mut conn, &steps[..2], tmp.path()).unwrap();
    assert_eq!(user_version(&conn), 2);
    schema::migrate(&mut conn, &steps, tmp.path()).unwrap();
    assert_eq!(user_version(&conn), 3);
    let err = schema::migrate(&mut conn, &steps[..1], tmp.path()).unwrap_err();
    assert_eq!(
        err,
        StoreError::NewerSchema {
            found: 3,
            supported: 1
        }
    );
    assert_eq!(user_version(&conn), 3);
}

#[tokio::test]
async fn damaged_rows_are_skipped_on_load() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (store, _) = Store::open(dir, StoreOptions::default()).unwrap();
    let good = lease(5);
    store.apply(vec![Op::PutLease(good.clone())]).await.unwrap();
    store.close().await;

    let conn = raw(dir);
    conn.execute_batch(
        "INSERT INTO leases VALUES ('not-a-uuid', 'cad', 'c', 'u', 'h', 'a', 'v', 'x', 1, 1, 2, 60, '', 0, 0, 1);
         INSERT INTO leases VALUES ('6a2f41a3-c54c-fce8-32d2-0324e1c32e22', 'cad', 'c', 'u', 'h', 'a', 'v', 'x', 1, 1, 2, -5, '', 0, 0, 1);
         INSERT INTO leases VALUES ('7a2f41a3-c54c-fce8-32d2-0324e1c32e22', 'cad', 'c', X'00ff', 'h', 'a', 'v', 'x', 1, 1, 2, 60, '', 0, 0, 1);
         INSERT INTO licenses VALUES ('bad', 'CODE', 1);
         INSERT INTO events VALUES (1, 1, 'no_such_kind', 'info', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'm', NULL, NULL, NULL);
         INSERT INTO events VALUES (2, 1, 'grant', 'info', NULL, NULL, NULL, NULL, 'junk', NULL, NULL, 'm', NULL, NULL, NULL);
         INSERT INTO events VALUES (3, 1, 'grant', 'info', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'fine', NULL, NULL, NULL);",
    )
    .unwrap();
    drop(conn);

    // Keep the 1970 events this test writes.
    let keep_all = StoreOptions {
        retention: Retention {
            keep_days: 36_500,
            ..Retention::default()
        },
        ..StoreOptions::default()
    };
    let (store, snap) = Store::open(dir, keep_all).unwrap();
    assert_eq!(snap.leases.leases().collect::<Vec<_>>(), vec![good]);
    assert!(snap.licenses.is_empty());
    assert_eq!(snap.last_event_seq, 3);
    let events = store.events(EventQuery::default()).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>(),
        ["fine"]
    );
    store.close().await;
}

#[tokio::test]
async fn a_damaged_identity_or_file_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (store, _) = Store::open(dir, StoreOptions::default()).unwrap();
    store.close().await;
    raw(dir)
        .execute("UPDATE meta SET value = 'zz' WHERE key = 'server_key'", [])
        .unwrap();
    let err = Store::open(dir, StoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("server key")),
        "{err:?}"
    );
    assert_eq!(err.code(), "storage_error");

    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join(DB_FILE), vec![b'x'; 4096]).unwrap();
    let err = Store::open(other.path(), StoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("not a readable Leasehold database")),
        "{err:?}"
    );
}

fn event_rows(conn: &Connection, rows: &[(i64, i64, &str)]) {
    for (seq, at, kind) in rows {
        conn.execute(
            "INSERT INTO events (seq, at, kind, level, message) VALUES (?1, ?2, ?3, 'info', 'm')",
            rusqlite::params![seq, at, kind],
        )
        .unwrap();
    }
}

fn seqs(conn: &Connection) -> Vec<i64> {
    let mut stmt = conn.prepare("SELECT seq FROM events ORDER BY seq").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn events_go_by_age_and_past_the_cap_noise_goes_first() {
    const DAY: i64 = 86_400_000;
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = raw(tmp.path());
    schema::migrate(&mut conn, schema::MIGRATIONS, tmp.path()).unwrap();
    let now = Timestamp(500 * DAY);
    // 1-2: older than 400 days; 3-10: denials (noise) mixed with real events.
    // (Ages count back from the newest event, 450 days, when the clock is
    // ahead of it: 400 days before is day 50.)
    event_rows(&conn, &[(1, 10 * DAY, "grant"), (2, 40 * DAY, "deny")]);
    for seq in 3..=10 {
        let kind = if seq % 2 == 0 { "deny" } else { "release" };
        event_rows(&conn, &[(seq, 450 * DAY + seq, kind)]);
    }
    let keep = retention::Retention {
        keep_days: 400,
        max_events: 100,
    };
    assert_eq!(
        retention::prune(&conn, keep, now).unwrap(),
        2,
        "only by age"
    );
    assert_eq!(seqs(&conn), (3..=10).collect::<Vec<_>>());
    // Over a cap of 5: the three oldest denials go, no real event.
    let cap = retention::Retention {
        keep_days: 400,
        max_events: 5,
    };
    assert_eq!(retention::prune(&conn, cap, now).unwrap(), 3);
    assert_eq!(seqs(&conn), vec![3, 5, 7, 9, 10]);
    // Over a cap of 2 with one denial left: it goes, then the oldest real ones.
    let tight = retention::Retention {
        keep_days: 400,
        max_events: 2,
    };
    assert_eq!(retention::prune(&conn, tight, now).unwrap(), 3);
    assert_eq!(seqs(&conn), vec![7, 9]);
}

#[tokio::test]
async fn the_file_shrinks_after_old_events_go() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (store, _) = Store::open(dir, StoreOptions::default()).unwrap();
    let long_ago = Timestamp(1_000);
    // Fewer than the writer prunes after, so they are still there at close.
    let events: Vec<Op> = (1..=5_000u64)
        .map(|seq| {
            let mut e = leasehold_core::event::Event::new(
                leasehold_core::event::EventKind::Grant,
                long_ago,
                "x".repeat(200),
            );
            e.seq = seq;
            Op::AppendEvent(e)
        })
        .chain(std::iter::once({
            // One event of today: the ages count back from it.
            let mut e = leasehold_core::event::Event::new(
                leasehold_core::event::EventKind::Grant,
                Timestamp::now(),
                "today",
            );
            e.seq = 5_001;
            Op::AppendEvent(e)
        }))
        .collect();
    store.apply(events).await.unwrap();
    store.close().await;
    let pages = |dir: &Path| -> (i64, i64) {
        let conn = raw(dir);
        let count = conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        let free = conn
            .pragma_query_value(None, "freelist_count", |r| r.get(0))
            .unwrap();
        (count, free)
    };
    let (before, _) = pages(dir);
    // Reopening prunes: every event is far older than 400 days.
    let (store, snapshot) = Store::open(dir, StoreOptions::default()).unwrap();
    assert_eq!(snapshot.last_event_seq, 5_001, "today's event stays");
    store.close().await;
    let (after, free) = pages(dir);
    assert!(
        after * 4 < before,
        "the file shrank: {before} pages -> {after}"
    );
    assert_eq!(free, 0, "freed pages went back to the file system");
}

#[cfg(unix)]
#[tokio::test]
async fn database_files_are_owner_only_whatever_the_directory() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for existing in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        // A directory an installer made world-readable.
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        if existing {
            // Files an older version left readable to every local user.
            let (store, _) = Store::open(&dir, StoreOptions::default()).unwrap();
            store.close().await;
            for f in [DB_FILE, "leasehold.db-wal", "leasehold.db-shm"] {
                let p = dir.join(f);
                if p.exists() {
                    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
                }
            }
        }
        let (store, _) = Store::open(&dir, StoreOptions::default()).unwrap();
        store.apply(vec![Op::PutLease(lease(1))]).await.unwrap();
        for f in [DB_FILE, "leasehold.db-wal", "leasehold.db-shm", TOKEN_FILE] {
            assert_eq!(mode(&dir.join(f)), 0o600, "{f} (existing: {existing})");
        }
        store.close().await;
    }
}

#[tokio::test]
async fn a_directory_that_had_a_server_is_never_silently_made_new() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (store, first) = Store::open(dir, StoreOptions::default()).unwrap();
    store.close().await;
    assert_eq!(
        std::fs::read_to_string(dir.join(IDENTITY_FILE))
            .unwrap()
            .trim(),
        first.server_id.to_string()
    );
    let token_before = std::fs::read(dir.join(TOKEN_FILE)).unwrap();
    for damage in ["empty", "missing"] {
        match damage {
            "empty" => std::fs::write(dir.join(DB_FILE), b"").unwrap(),
            _ => std::fs::remove_file(dir.join(DB_FILE)).unwrap(),
        }
        for f in ["leasehold.db-wal", "leasehold.db-shm"] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        let err = Store::open(dir, StoreOptions::default()).unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt(m) if m.contains("missing or empty") && m.contains("backup")),
            "{damage}: {err:?}"
        );
        assert_eq!(
            std::fs::read(dir.join(TOKEN_FILE)).unwrap(),
            token_before,
            "nothing rewritten"
        );
        assert!(std::fs::metadata(dir.join(DB_FILE)).map_or(true, |m| m.len() == 0));
    }
}

#[tokio::test]
async fn a_damaged_database_is_refused_at_start_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (store, _) = Store::open(dir, StoreOptions::default()).unwrap();
    store
        .apply((0..3_000).map(|n| Op::PutLease(lease(n))).collect())
        .await
        .unwrap();
    store.close().await;
    // Checkpoint the WAL into the file, then scribble over a page in the middle.
    raw(dir)
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let db = dir.join(DB_FILE);
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    assert!(bytes.len() > 20 * page, "{} bytes", bytes.len());
    for b in &mut bytes[10 * page..10 * page + 200] {
        *b = 0xA5;
    }
    std::fs::write(&db, bytes).unwrap();
    let err = Store::open(dir, StoreOptions::default()).unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("restore it from a backup")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_backup_is_a_whole_owner_only_copy_taken_while_running() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (store, first) = Store::open(&dir, StoreOptions::default()).unwrap();
    let l = lease(1);
    store.apply(vec![Op::PutLease(l.clone())]).await.unwrap();
    let copy = tmp.path().join("backup.db");
    store.backup_to(copy.clone()).await.unwrap();
    assert!(
        store.backup_to(copy.clone()).await.is_err(),
        "never overwrites"
    );
    store.close().await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A temporary copy left by a crash goes at the next open.
    let leftover = dir.join("backup-0000.db.tmp");
    std::fs::write(&leftover, b"secret").unwrap();
    let (store, _) = Store::open(&dir, StoreOptions::default()).unwrap();
    assert!(!leftover.exists());
    store.close().await;
    // Restored into a fresh directory it is the same server.
    let restored = tmp.path().join("restored");
    std::fs::create_dir(&restored).unwrap();
    std::fs::copy(&copy, restored.join(DB_FILE)).unwrap();
    let (store, again) = Store::open(&restored, StoreOptions::default()).unwrap();
    assert_eq!(again.server_id, first.server_id);
    assert_eq!(again.admin_token, first.admin_token);
    assert_eq!(again.leases.leases().collect::<Vec<_>>(), vec![l]);
    store.close().await;
}

#[test]
fn a_clock_far_ahead_does_not_wipe_the_log() {
    const DAY: i64 = 86_400_000;
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = raw(tmp.path());
    schema::migrate(&mut conn, schema::MIGRATIONS, tmp.path()).unwrap();
    event_rows(&conn, &[(1, 100 * DAY, "grant"), (2, 101 * DAY, "release")]);
    // The clock at boot says 10 years later: nothing is older than 400 days
    // before the newest event, so nothing goes.
    let keep = retention::Retention::default();
    assert_eq!(
        retention::prune(&conn, keep, Timestamp(3_750 * DAY)).unwrap(),
        0
    );
    assert_eq!(seqs(&conn), vec![1, 2]);
}

#[test]
fn old_resolved_alerts_go_and_an_old_open_one_stays() {
    use leasehold_core::wire::alerts::{Alert, AlertKind, Severity};
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = raw(tmp.path());
    schema::migrate(&mut conn, schema::MIGRATIONS, tmp.path()).unwrap();
    let alert = |id: u64, open: bool| Alert {
        id,
        kind: AlertKind::OutOfSeats,
        severity: Severity::Critical,
        key: format!("out_of_seats:p{id}"),
        product: None,
        license_id: None,
        message: "no seat".into(),
        raised_at: Timestamp(1),
        resolved_at: (!open).then_some(Timestamp(2)),
        acknowledged_at: None,
        acknowledged_by: None,
    };
    alerts::put(&conn, &alert(1, true)).unwrap();
    let keep = u64::try_from(crate::alerts::KEEP).unwrap();
    for id in 2..=keep + 5 {
        alerts::put(&conn, &alert(id, false)).unwrap();
    }
    let kept = alerts::load(&conn).unwrap();
    assert_eq!(kept.first().map(|a| (a.id, a.resolved_at)), Some((1, None)));
    assert_eq!(
        kept.len(),
        crate::alerts::KEEP + 1,
        "1 open, then the newest resolved"
    );
    assert_eq!(kept[1].id, 6);
}
