//! What a checkout costs an application in each language: the Rust SDK,
//! the C ABI (what C, C++ and C# call) and the Python binding, against the
//! same server in the same run, as ratios to the Rust SDK. A renewal runs
//! in the library's own background task in every language (the ABI and
//! Python add nothing to it), so its cost is the Rust SDK's by
//! construction; only the checkout crosses the boundary.

use crate::report::{Report, Unit};
use crate::setup::{Leasehold, ServeOpts, Vendor};
use anyhow::{Context, Result, anyhow};
use leasehold::*;
use std::ffi::CString;
use std::path::Path;
use std::time::Instant;

const PRODUCT: &str = "sdk-bench";
/// Checkout-and-release rounds per language: a warm-up, then the timed ones.
#[derive(Clone, Copy)]
struct Rounds {
    warmup: u32,
    timed: u32,
}

const FULL: Rounds = Rounds {
    warmup: 20,
    timed: 300,
};
/// `--quick`: enough to see each path work and print a figure.
const QUICK: Rounds = Rounds {
    warmup: 3,
    timed: 30,
};

/// Adds each language's time for a checkout and its release.
///
/// # Errors
/// When the server does not start or a checkout fails.
pub async fn run(
    serve: &ServeOpts,
    vendor: &Vendor,
    quick: bool,
    report: &mut Report,
) -> Result<()> {
    let rounds = if quick { QUICK } else { FULL };
    eprintln!("== sdk: checkout + release through Rust, the C ABI and Python");
    let dir = tempfile::tempdir()?;
    let server = Leasehold::start(serve, dir.path()).await?;
    server
        .add_codes(&[vendor.code(PRODUCT, 1000, 600)?])
        .await?;
    let addr = server.addr().to_string();
    let key = vendor.public();

    let client = leasehold_client::Client::builder()
        .server(addr.clone())
        .vendor_key(key.parse().map_err(|e| anyhow!("{e}"))?)
        .client_id("rust-bench")
        .build()?;
    // Each language twice, in turn, the best of each kept: the figures are
    // mostly the server's fsyncs, and whoever runs first warms them up.
    let (mut rust, mut abi, mut python) = (f64::MAX, f64::MAX, None::<f64>);
    for _ in 0..2 {
        rust = rust.min(through_rust(&client, rounds).await?);
        let (a, k) = (addr.clone(), key.clone());
        abi = abi.min(tokio::task::spawn_blocking(move || through_abi(&a, &k, rounds)).await??);
        if let Some(ms) = through_python(&addr, &key, rounds).await? {
            python = Some(python.map_or(ms, |p| p.min(ms)));
        }
    }
    report.add(
        "sdk: checkout + release, Rust SDK",
        rust,
        Unit::Millis,
        None,
        None,
    );
    let vs_rust = |report: &mut Report, figure: &str, ms: f64| {
        report.add_vs(figure, ms, Unit::Millis, Some(rust), "Rust SDK", None);
    };
    vs_rust(report, "sdk: checkout + release, C ABI", abi);
    match python {
        Some(ms) => vs_rust(report, "sdk: checkout + release, Python binding", ms),
        None => report.note(
            "sdk: Python binding not measured (python3 with cffi, or libleasehold.so, not found)",
        ),
    }
    Ok(())
}

/// Checkout + release through the Rust SDK: ms each.
async fn through_rust(client: &leasehold_client::Client, r: Rounds) -> Result<f64> {
    let mut ms = 0.0;
    for (rounds, timed) in [(r.warmup, false), (r.timed, true)] {
        let started = Instant::now();
        for _ in 0..rounds {
            client.checkout(PRODUCT).await?.release().await?;
        }
        if timed {
            ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
        }
    }
    Ok(ms)
}

/// The same through the C ABI, called as a C program would (from a plain
/// thread: the library runs its own runtime).
fn through_abi(addr: &str, key: &str, r: Rounds) -> Result<f64> {
    let c = |s: &str| CString::new(s).context("no NUL in bench strings");
    let mut err = lh_error::default();
    let product = c(PRODUCT)?;
    // SAFETY: live handles and NUL-terminated strings, as the header asks.
    unsafe {
        let b = lh_builder_new();
        lh_builder_server(b, c(addr)?.as_ptr(), &mut err);
        lh_builder_vendor_key(b, c(key)?.as_ptr(), &mut err);
        lh_builder_identity(b, c("abi-bench")?.as_ptr(), std::ptr::null(), &mut err);
        let mut client = std::ptr::null_mut();
        if lh_builder_build(b, &mut client, &mut err) != lh_status::LH_OK {
            return Err(anyhow!("building an ABI client failed: {}", message(&err)));
        }
        let mut ms = 0.0;
        for (rounds, timed) in [(r.warmup, false), (r.timed, true)] {
            let started = Instant::now();
            for _ in 0..rounds {
                let mut seat = std::ptr::null_mut();
                if lh_checkout(client, product.as_ptr(), 10_000, &mut seat, &mut err)
                    != lh_status::LH_OK
                {
                    lh_client_free(client);
                    return Err(anyhow!("an ABI checkout failed: {}", message(&err)));
                }
                lh_seat_release(seat, 10_000, &mut err);
            }
            if timed {
                ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
            }
        }
        lh_client_free(client);
        Ok(ms)
    }
}

/// The same through the Python binding, in a `python3` child; `None` when
/// it cannot run here.
async fn through_python(addr: &str, key: &str, r: Rounds) -> Result<Option<f64>> {
    let (warmup, timed) = (r.warmup, r.timed);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let exe = std::env::current_exe()?;
    let library = exe
        .parent()
        .map(|d| d.join("libleasehold.so"))
        .filter(|p| p.is_file());
    let Some(library) = library else {
        return Ok(None);
    };
    let script = format!(
        "import sys, time, leasehold\n\
         c = leasehold.Client(servers=[sys.argv[1]], vendor_keys=[sys.argv[2]], client_id='python-bench')\n\
         for _ in range({warmup}): c.checkout('{PRODUCT}').release()\n\
         t = time.perf_counter()\n\
         for _ in range({timed}): c.checkout('{PRODUCT}').release()\n\
         print((time.perf_counter() - t) * 1000 / {timed})\n"
    );
    let out = tokio::process::Command::new("python3")
        .args(["-c", &script, addr, key])
        .env("PYTHONPATH", repo.join("bindings/python"))
        .env("LEASEHOLD_LIBRARY", library)
        .output()
        .await;
    let Ok(out) = out else {
        return Ok(None);
    };
    if !out.status.success() {
        eprintln!(
            "python bench failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return Ok(None);
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse().ok())
}

fn message(err: &lh_error) -> String {
    // SAFETY: the library always NUL-terminates what it writes.
    unsafe { std::ffi::CStr::from_ptr(err.message.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}
