//! Every language's example behaves the same way against a real server, so
//! one test drives them all: built here (gcc, g++, Mono's mcs; Python as it
//! is), run with
//! `LEASEHOLD_SERVER` and `LEASEHOLD_VENDOR_KEY`; exit 0 after holding a
//! seat, 3 when none is free, 1 with the error code on stderr otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_core::license::{LicenseTerms, VendorKeyPair, issue};
use leasehold_server::{Config, Server, ServerHandle};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where cargo put this crate's libleasehold.so for this test run:
/// target/<profile>/deps/, which `cargo test` rebuilds with the rlib (the
/// copy in target/<profile>/ is refreshed only by `cargo build`).
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    assert!(
        deps.join("libleasehold.so").is_file(),
        "no libleasehold.so beside the test in {}",
        deps.display()
    );
    deps
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Builds the C and C++ examples into `dir`; the commands to run them.
fn build_examples(dir: &Path) -> Vec<(&'static str, Command)> {
    let include = repo().join("include");
    let lib = lib_dir();
    let mut out = Vec::new();
    for (name, compiler, source, extra) in [
        ("c", "gcc", "examples/c/checkout.c", &[][..]),
        (
            "cpp",
            "g++",
            "examples/cpp/checkout.cpp",
            &["-std=c++17"][..],
        ),
    ] {
        let exe = dir.join(format!("checkout-{name}"));
        let built = Command::new(compiler)
            .args(extra)
            .args(["-Wall", "-Wextra", "-Werror"])
            .arg(repo().join(source))
            .arg("-I")
            .arg(&include)
            .arg("-L")
            .arg(&lib)
            .args(["-lleasehold", "-o"])
            .arg(&exe)
            .output()
            .unwrap();
        assert!(
            built.status.success(),
            "{compiler} {source}: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        let mut run = Command::new(exe);
        run.env("LD_LIBRARY_PATH", &lib);
        out.push((name, run));
    }
    // C#: P/Invoke, compiled with Mono's mcs, run with mono.
    let exe = dir.join("checkout-csharp.exe");
    let csharp = repo().join("bindings/csharp");
    let built = Command::new("mcs")
        .args(["-nologo", "-warnaserror"])
        .arg(format!("-out:{}", exe.display()))
        .arg(csharp.join("Leasehold.cs"))
        .arg(csharp.join("Example.cs"))
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "mcs: {}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let mut mono = Command::new("mono");
    mono.arg(&exe).env("LD_LIBRARY_PATH", &lib);
    out.push(("csharp", mono));
    // Python: the package over the same library (cffi, no build step).
    let mut python = Command::new("python3");
    python
        .args(["-m", "leasehold.example"])
        .env("PYTHONPATH", repo().join("bindings/python"))
        .env("LEASEHOLD_LIBRARY", lib.join("libleasehold.so"));
    out.push(("python", python));
    out
}

/// A fresh copy of `cmd`: its program, arguments and environment.
fn again(cmd: &Command) -> Command {
    let mut c = Command::new(cmd.get_program());
    c.args(cmd.get_args());
    c.envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))));
    c
}

fn run(
    cmd: &mut Command,
    server: &ServerHandle,
    key: &str,
    config: &Path,
    args: &[&str],
) -> Output {
    cmd.args(args)
        .env("LEASEHOLD_SERVER", server.local_addr().to_string())
        .env("LEASEHOLD_VENDOR_KEY", key)
        .env("LEASEHOLD_CLIENT_CONFIG", config)
        .env("LEASEHOLD_HOLD_SECS", "0")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_holds_a_seat_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::from_seed(&[9; 32]);
    let mut config = Config::ephemeral(dir.path().join("data"));
    config.trust.push(vendor.public());
    let server = Server::start(config).await.unwrap();
    for (product, seats) in [("cad", 2), ("sim", 1)] {
        let code = issue(
            &vendor,
            &LicenseTerms {
                ..leasehold_core::testing::terms(product, seats)
            },
        )
        .unwrap();
        server.engine().add_license(&code, false).await.unwrap();
    }
    // The one sim seat is taken by someone else.
    let other = leasehold_client::Client::builder()
        .server(server.local_addr().to_string())
        .vendor_key(vendor.public())
        .client_id("someone-else")
        .build()
        .unwrap();
    let held = other.checkout("sim").await.unwrap();

    let key = vendor.public().to_string();
    let rogue = VendorKeyPair::from_seed(&[7; 32]).public().to_string();
    let settings = dir.path().join("client.toml");
    let examples = tokio::task::spawn_blocking({
        let dir = dir.path().to_path_buf();
        move || build_examples(&dir)
    })
    .await
    .unwrap();
    for (name, mut cmd) in examples {
        let server = &server;
        let (ok, busy, unknown, untrusted) = tokio::task::block_in_place(|| {
            (
                run(&mut again(&cmd), server, &key, &settings, &["cad"]),
                run(&mut again(&cmd), server, &key, &settings, &["sim"]),
                run(&mut again(&cmd), server, &key, &settings, &["nothing"]),
                run(&mut cmd, server, &rogue, &settings, &["cad"]),
            )
        });
        let text = |o: &Output| {
            format!(
                "{name}: status {:?}, stdout {}, stderr {}",
                o.status.code(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        };
        assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
        assert!(
            String::from_utf8_lossy(&ok.stdout).contains("holding cad"),
            "{}",
            text(&ok)
        );
        assert_eq!(busy.status.code(), Some(3), "{}", text(&busy));
        assert!(
            String::from_utf8_lossy(&busy.stderr).starts_with("no_seat_free: "),
            "{}",
            text(&busy)
        );
        assert_eq!(unknown.status.code(), Some(1), "{}", text(&unknown));
        assert!(
            String::from_utf8_lossy(&unknown.stderr).starts_with("no_license_for_product: "),
            "{}",
            text(&unknown)
        );
        assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted));
        assert!(
            String::from_utf8_lossy(&untrusted.stderr).starts_with("untrusted_server: "),
            "{}",
            text(&untrusted)
        );
    }
    // Every example released its seat: both cad seats are free.
    let (leases, _) = server.engine().counts();
    assert_eq!(leases, 1, "only the other computer's sim seat is held");
    held.release().await.unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csharp_binding_keeps_its_promises() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = VendorKeyPair::from_seed(&[8; 32]);
    let mut config = Config::ephemeral(dir.path().join("data"));
    config.trust.push(vendor.public());
    let server = Server::start(config).await.unwrap();
    let terms = leasehold_core::testing::terms_with_feature_and_loans("one", 1);
    let code = issue(&vendor, &terms).unwrap();
    server.engine().add_license(&code, false).await.unwrap();

    let exe = dir.path().join("tests.exe");
    let csharp = repo().join("bindings/csharp");
    let built = Command::new("mcs")
        .args(["-nologo", "-warnaserror"])
        .arg(format!("-out:{}", exe.display()))
        .arg(csharp.join("Leasehold.cs"))
        .arg(csharp.join("Tests.cs"))
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "mcs: {}",
        String::from_utf8_lossy(&built.stdout)
    );
    let addr = server.local_addr().to_string();
    let key = vendor.public().to_string();
    let lib = lib_dir();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .args(["-k", "5", "-s", "QUIT", "60", "mono"])
            .arg(&exe)
            .args([addr.as_str(), key.as_str(), "one"])
            .env("LD_LIBRARY_PATH", &lib)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).contains("csharp tests: ok"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    server.shutdown().await;
}
