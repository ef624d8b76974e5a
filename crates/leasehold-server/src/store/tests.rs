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
        },
        granted_at: Timestamp(n),
        renewed_at: Timestamp(n),
        expires_at: Timestamp(n + 60_000),
        lease_secs: 60,
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

    // The lock was released by the failed open, and the data is intact.
    let (store, snap) = Store::open(dir, StoreOptions::default()).unwrap();
    assert_eq!(snap.leases, vec![kept]);
    store.close().await;
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
        "INSERT INTO leases VALUES ('not-a-uuid', 'cad', 'c', 'u', 'h', 'a', 'v', 'x', 1, 1, 2, 60);
         INSERT INTO leases VALUES ('6a2f41a3-c54c-fce8-32d2-0324e1c32e22', 'cad', 'c', 'u', 'h', 'a', 'v', 'x', 1, 1, 2, -5);
         INSERT INTO leases VALUES ('7a2f41a3-c54c-fce8-32d2-0324e1c32e22', 'cad', 'c', X'00ff', 'h', 'a', 'v', 'x', 1, 1, 2, 60);
         INSERT INTO licenses VALUES ('bad', 'CODE', 1);
         INSERT INTO events VALUES (1, 1, 'no_such_kind', 'info', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'm');
         INSERT INTO events VALUES (2, 1, 'grant', 'info', NULL, NULL, NULL, NULL, 'junk', NULL, NULL, 'm');
         INSERT INTO events VALUES (3, 1, 'grant', 'info', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'fine');",
    )
    .unwrap();
    drop(conn);

    let (store, snap) = Store::open(dir, StoreOptions::default()).unwrap();
    assert_eq!(snap.leases, vec![good]);
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

#[test]
fn pruning_keeps_the_newest_events() {
    let tmp = tempfile::tempdir().unwrap();
    let mut conn = raw(tmp.path());
    schema::migrate(&mut conn, schema::MIGRATIONS, tmp.path()).unwrap();
    for seq in 1..=50 {
        conn.execute(
            "INSERT INTO events (seq, at, kind, level, message) VALUES (?1, ?1, 'grant', 'info', 'm')",
            [seq],
        )
        .unwrap();
    }
    assert_eq!(writer::prune_events(&conn, 100).unwrap(), 0);
    assert_eq!(writer::prune_events(&conn, 10).unwrap(), 40);
    let (min, count): (i64, i64) = conn
        .query_row("SELECT MIN(seq), COUNT(*) FROM events", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((min, count), (41, 10));
    assert_eq!(writer::prune_events(&conn, 0).unwrap(), 10);
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
