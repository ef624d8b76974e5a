//! The store under stress and failure: group commit with many callers, the
//! directory lock, a newer schema left untouched, close, and a SIGKILL in the
//! middle of writing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_core::lease::{Holder, Lease};
use leasehold_core::{ClientId, LeaseId, Product, Timestamp};
use leasehold_server::store::{DB_FILE, Durability, Op, Store, StoreError, StoreOptions};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

fn lease(n: u64) -> Lease {
    Lease {
        id: LeaseId::random(),
        product: Product::from("cad"),
        holder: Holder {
            client_id: ClientId(format!("ws-{n}")),
            user: "ann".into(),
            host: "ws.lan".into(),
            app_name: "Draw".into(),
            app_version: "1".into(),
            address: "10.0.0.1:1".into(),
            computer: leasehold_core::computer::Computer::UNKNOWN,
        },
        granted_at: Timestamp(1),
        renewed_at: Timestamp(1),
        expires_at: Timestamp(i64::MAX),
        lease_secs: 60,
        overdraft: false,
        units: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_a_thousand_concurrent_applies_all_land() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(
        tmp.path(),
        StoreOptions {
            durability: Durability::Full,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let leases: Vec<Lease> = (0..1_000).map(lease).collect();
    let tasks: Vec<_> = leases
        .iter()
        .cloned()
        .map(|l| {
            let store = store.clone();
            tokio::spawn(async move { store.apply(vec![Op::PutLease(l)]).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    store.close().await;
    let (store, snap) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    let stored: HashSet<LeaseId> = snap.leases.leases().map(|l| l.id).collect();
    assert_eq!(stored, leases.iter().map(|l| l.id).collect());
    store.close().await;
}

#[tokio::test]
async fn store_a_second_open_of_the_same_dir_is_locked_until_close() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    let err = Store::open(tmp.path(), StoreOptions::default()).unwrap_err();
    assert_eq!(
        err,
        StoreError::Locked {
            dir: tmp.path().to_path_buf()
        }
    );
    assert_eq!(err.code(), "storage_locked");
    assert!(
        err.to_string().contains(&tmp.path().display().to_string()),
        "{err}"
    );
    store.close().await;
    let (again, _) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    drop(again); // dropping every handle releases the lock too
    let (last, _) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    last.close().await;
}

#[tokio::test]
async fn store_after_close_apply_fails_with_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(
        tmp.path(),
        StoreOptions {
            durability: Durability::Normal,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let handle = store.clone();
    store.submit(vec![Op::PutLease(lease(1))]);
    store.close().await;
    store.close().await;
    let err = handle
        .apply(vec![Op::PutLease(lease(2))])
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Closed);
    assert_eq!(err.code(), "storage_closed");
    let (store, snap) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    assert_eq!(
        snap.leases.len(),
        1,
        "what was submitted before close was flushed"
    );
    store.close().await;
}

fn file_state(path: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        std::fs::read(path).unwrap(),
        std::fs::metadata(path).unwrap().modified().unwrap(),
    )
}

#[tokio::test]
async fn store_a_newer_schema_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    store.apply(vec![Op::PutLease(lease(1))]).await.unwrap();
    store.close().await;
    {
        let conn = rusqlite::Connection::open(tmp.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let db = tmp.path().join(DB_FILE);
    let before = file_state(&db);
    let err = Store::open(tmp.path(), StoreOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerSchema {
                found: 99,
                supported: 14
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "storage_newer_schema");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(file_state(&db), before, "the database file must not change");
}

const CHILD_MARKER: &str = "LEASEHOLD_STORE_CRASH_CHILD";

/// The child side of the crash test: applies leases from many tasks and
/// prints each id once its apply() returned Ok, until it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_crash_child() {
    let Some(dir) = std::env::var_os(CHILD_MARKER) else {
        return;
    };
    let (store, _) = Store::open(
        Path::new(&dir),
        StoreOptions {
            durability: Durability::Full,
            ..StoreOptions::default()
        },
    )
    .unwrap();
    let out = std::sync::Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let mut tasks = Vec::new();
    for t in 0..32 {
        let (store, out) = (store.clone(), out.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0.. {
                let l = lease(t * 1_000_000 + n);
                store.apply(vec![Op::PutLease(l.clone())]).await.unwrap();
                let mut out = out.lock().unwrap();
                writeln!(out, "acked {}", l.id).unwrap();
                out.flush().unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn store_every_acknowledged_lease_survives_sigkill() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "store_crash_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_MARKER, tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acked = HashSet::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while acked.len() < 3_000 {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(id) = line.strip_prefix("acked ") {
            acked.insert(id.parse::<LeaseId>().unwrap());
        }
    }
    child.kill().unwrap(); // SIGKILL on unix
    child.wait().unwrap();
    assert!(
        acked.len() >= 3_000,
        "the child stopped early after {} leases",
        acked.len()
    );

    let (store, snap) = Store::open(tmp.path(), StoreOptions::default()).unwrap();
    let stored: HashSet<LeaseId> = snap.leases.leases().map(|l| l.id).collect();
    let missing = acked.difference(&stored).count();
    assert_eq!(missing, 0, "{missing} acknowledged leases were lost");
    assert!(stored.len() >= acked.len());
    store.close().await;
}
