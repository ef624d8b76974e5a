//! Runs a test on a tiny file system of its own, so "the disk is full" is
//! real: the test re-runs its own binary under `unshare -rm` (a private user
//! and mount namespace), mounts a small tmpfs there, and runs the body with
//! its path. Nothing is mounted on the host. If a namespace or the mount
//! cannot be made, the test fails; it never runs on the real disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set in the child to the test name it must run; stops the recursion.
const CHILD_MARKER: &str = "LEASEHOLD_TEST_TINY_DISK_CHILD";
/// The directory the parent made for the child to mount on.
const MOUNT_POINT: &str = "LEASEHOLD_TEST_TINY_DISK_AT";

/// Runs `body` with the path of a fresh `size_kib` tmpfs (see the module docs).
/// `test_name` must be the test's own name.
pub fn run(test_name: &str, size_kib: u32, body: impl FnOnce(&Path)) {
    if std::env::var(CHILD_MARKER).as_deref() == Ok(test_name) {
        let at = PathBuf::from(std::env::var_os(MOUNT_POINT).expect("mount point"));
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size_kib}k"), "tmpfs"])
            .arg(&at)
            .status()
            .expect("run mount");
        assert!(mounted.success(), "cannot mount a tmpfs in the namespace");
        body(&at);
        return;
    }
    let at = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("test binary");
    let out = Command::new("unshare")
        .arg("-rm")
        .arg(exe)
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_MARKER, test_name)
        .env(MOUNT_POINT, at.path())
        .env_remove("RUST_TEST_THREADS")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `unshare -rm` ({e}); this test needs a private mount namespace")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{test_name} on a tiny disk failed ({}):\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    print!("{stdout}");
}

/// Fills the file system holding `dir` with a file `filler` until nothing
/// more fits; returns its path (remove it to free the space).
pub fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("create filler");
    let block = vec![0u8; 4096];
    loop {
        match f.write_all(&block) {
            Ok(()) => {}
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => panic!("filling the disk failed: {e}"),
        }
    }
    let _ = f.sync_all();
    path
}

/// What a `kill -9` leaves behind: the database and its WAL as they are now
/// (every committed write is in them; the page cache survives a killed
/// process). Copied into `to`, ready for a server to start on.
pub fn crash_copy(data_dir: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("crash copy dir");
    for name in ["leasehold.db", "leasehold.db-wal"] {
        let from = data_dir.join(name);
        if from.exists() {
            std::fs::copy(&from, to.join(name)).expect("copy database file");
        }
    }
}
