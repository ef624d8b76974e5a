//! Getting servers ready: a vendor key made in-process, the license codes the
//! scenarios need, `leasehold serve` started as a child on loopback port 0
//! in a temp data directory, and the codes added through the admin API.

use crate::http::{Conn, get_once};
use crate::proc::ServerProc;
use crate::report::Report;
use anyhow::{Context, Result, bail};
use bytes::Bytes;
use leasehold_core::license::{LicenseTerms, SeatRules, VendorKeyPair, issue};
use leasehold_core::{LicenseId, Product, Timestamp};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The products the scenarios use.
pub const MAIN: &str = "cad";
/// Few seats, for the deny storm.
pub const SCARCE: &str = "scarce";
/// Shortest allowed leases (10 s), for expiry lateness.
pub const SHORT: &str = "short";
/// The lease length of [`SHORT`], the shortest a code may give.
pub const SHORT_LEASE_SECS: u32 = 10;
/// Seats of the scarce product.
pub const SCARCE_SEATS: u32 = 100;

/// The vendor whose codes the bench adds.
pub struct Vendor {
    key: VendorKeyPair,
}

impl Vendor {
    /// # Errors
    /// When the system has no randomness.
    pub fn new() -> Result<Self> {
        Ok(Self {
            key: VendorKeyPair::generate()?,
        })
    }

    /// The public key as `--trust` takes it.
    #[must_use]
    pub fn public(&self) -> String {
        self.key.public().to_string()
    }

    /// A code for `seats` seats of `product` with leases of `lease_secs`.
    ///
    /// # Errors
    /// When the terms are refused (seats 0, lease length out of range).
    pub fn code(&self, product: &str, seats: u32, lease_secs: u32) -> Result<String> {
        self.code_with(product, seats, lease_secs, SeatRules::default())
    }

    /// [`Vendor::code`] with seat rules (tokens, overdraft …).
    ///
    /// # Errors
    /// As [`Vendor::code`].
    pub fn code_with(
        &self,
        product: &str,
        seats: u32,
        lease_secs: u32,
        seat_rules: SeatRules,
    ) -> Result<String> {
        let terms = LicenseTerms {
            license_id: LicenseId::random(),
            product: Product::from(product),
            seats,
            valid_from: None,
            valid_until: None,
            features: Vec::new(),
            customer: "Bench Ltd".into(),
            lease_secs,
            node_lock: None,
            issued_at: Timestamp::now(),
            activation_required: false,
            max_activations: 0,
            seat_rules,
        };
        Ok(issue(&self.key, &terms)?)
    }

    /// The codes every bench server gets: 1,000,000 seats of [`MAIN`]
    /// (leases 600 s), [`SCARCE_SEATS`] of [`SCARCE`], 1,000,000 of [`SHORT`] (10 s).
    ///
    /// # Errors
    /// As [`Vendor::code`].
    pub fn codes(&self) -> Result<Vec<String>> {
        Ok(vec![
            self.code(MAIN, 1_000_000, 600)?,
            self.code(SCARCE, SCARCE_SEATS, 600)?,
            self.code(SHORT, 1_000_000, SHORT_LEASE_SECS)?,
        ])
    }
}

/// A `leasehold serve` child and what the bench needs to talk to it.
pub struct Leasehold {
    pub proc: ServerProc,
    pub token: String,
    pub data_dir: PathBuf,
}

/// How to start `leasehold serve`.
#[derive(Clone, Debug)]
pub struct ServeOpts {
    pub bin: PathBuf,
    pub trust: String,
    /// `full` or `normal`.
    pub durability: &'static str,
    /// `TOKIO_WORKER_THREADS` for the server; `None` = tokio's default (one per core).
    pub threads: Option<usize>,
}

impl Leasehold {
    /// Starts `leasehold serve` on `data_dir` and waits until it answers `/healthz`.
    ///
    /// # Errors
    /// When it does not start or never answers.
    pub async fn start(opts: &ServeOpts, data_dir: &Path) -> Result<Self> {
        let args = vec![
            "serve".to_owned(),
            "--listen".to_owned(),
            "127.0.0.1:0".to_owned(),
            "--no-mdns".to_owned(),
            // The bench reads the server's own latency histogram.
            "--public-metrics".to_owned(),
            "--data-dir".to_owned(),
            data_dir.display().to_string(),
            "--trust".to_owned(),
            opts.trust.clone(),
            "--durability".to_owned(),
            opts.durability.to_owned(),
        ];
        let proc = ServerProc::spawn(&opts.bin, &args, opts.threads)?;
        wait_healthy(proc.addr, Duration::from_secs(30)).await?;
        let token = std::fs::read_to_string(data_dir.join("admin-token"))
            .context("reading admin-token")?
            .trim()
            .to_owned();
        Ok(Self {
            proc,
            token,
            data_dir: data_dir.to_path_buf(),
        })
    }

    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.proc.addr
    }

    /// Checks the server's own count: no product has more seats in use than
    /// it is licensed for. A breach fails the run (see [`Report::fail`]).
    ///
    /// # Errors
    /// When the status cannot be read.
    pub async fn check_counts(&self, after: &str, report: &mut Report) -> Result<()> {
        let mut admin = Conn::open_admin(self.addr(), &self.token).await?;
        let (status, body) = admin.get("/admin/v1/status").await?;
        if !status.is_success() {
            bail!("reading the status after {after}: {status}");
        }
        let status: serde_json::Value =
            serde_json::from_slice(&body).context("the status is not JSON")?;
        let products = status["products"].as_array().cloned().unwrap_or_default();
        if products.is_empty() {
            report.fail(format!("after {after}: the status lists no products"));
        }
        for p in products {
            let (seats, in_use) = (p["seats"].as_u64(), p["inUse"].as_u64());
            match (seats, in_use) {
                (Some(seats), Some(in_use)) if in_use <= seats => {}
                _ => report.fail(format!(
                    "after {after}: {} has {in_use:?} seats in use of {seats:?} licensed",
                    p["product"]
                )),
            }
        }
        Ok(())
    }

    /// `GET path` on the admin API, answered with its body.
    ///
    /// # Errors
    /// When the call fails or is refused.
    pub async fn admin_get(&self, path: &str) -> Result<Bytes> {
        let mut admin = Conn::open_admin(self.addr(), &self.token).await?;
        let (status, body) = admin.get(path).await?;
        if !status.is_success() {
            bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body));
        }
        Ok(body)
    }

    /// Adds license codes through the admin API.
    ///
    /// # Errors
    /// When one is refused.
    pub async fn add_codes(&self, codes: &[String]) -> Result<()> {
        let mut admin = Conn::open_admin(self.addr(), &self.token).await?;
        for code in codes {
            let body = serde_json::json!({ "code": code }).to_string();
            let (status, answer) = admin.post("/admin/v1/licenses", Bytes::from(body)).await?;
            if !status.is_success() {
                bail!(
                    "adding a license: {status} {}",
                    String::from_utf8_lossy(&answer)
                );
            }
        }
        Ok(())
    }
}

/// Polls `GET /healthz` every 2 ms until it answers.
///
/// # Errors
/// When it has not answered within `limit`.
pub async fn wait_healthy(addr: SocketAddr, limit: Duration) -> Result<Duration> {
    let t0 = Instant::now();
    loop {
        if get_once(addr, "/healthz").await.is_ok() {
            return Ok(t0.elapsed());
        }
        if t0.elapsed() > limit {
            bail!("{addr} did not answer /healthz within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
