//! Child server processes (the real `leasehold serve` and the bare
//! baseline) and what `/proc` says about them: resident memory and CPU time.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A server running as a child process; killed (SIGKILL) on drop if still running.
pub struct ServerProc {
    child: Child,
    pub addr: SocketAddr,
    /// How long from spawn until the first stdout line (the bound address).
    pub started_in: Duration,
}

impl ServerProc {
    /// Spawns `program args…`, waits for its first stdout line (the bound
    /// address) and keeps the rest of stdout drained. Stderr is discarded.
    /// `threads`, when given, is passed as `TOKIO_WORKER_THREADS`.
    ///
    /// # Errors
    /// When it cannot be spawned or exits before printing an address.
    pub fn spawn(program: &Path, args: &[String], threads: Option<usize>) -> Result<Self> {
        let t0 = Instant::now();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        cmd.env("RUST_LOG", "warn");
        if let Some(n) = threads {
            cmd.env("TOKIO_WORKER_THREADS", n.to_string());
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot run {}", program.display()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout);
        let mut first = String::new();
        lines.read_line(&mut first)?;
        if first.trim().is_empty() {
            let _ = child.kill();
            bail!(
                "{} printed no address (exited: {:?})",
                program.display(),
                child.try_wait()?
            );
        }
        let addr: SocketAddr = first
            .trim()
            .parse()
            .with_context(|| format!("first line `{}` is not an address", first.trim()))?;
        let started_in = t0.elapsed();
        std::thread::spawn(move || {
            let mut sink = String::new();
            while lines.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        Ok(Self {
            child,
            addr,
            started_in,
        })
    }

    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits (at most `limit`) for a clean exit; then SIGKILL.
    ///
    /// # Errors
    /// When waiting fails.
    pub fn terminate(mut self, limit: Duration) -> Result<Duration> {
        let t0 = Instant::now();
        let pid = libc::pid_t::try_from(self.child.id())?;
        // SAFETY: kill(2) on our own child's pid; no memory is shared.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        while t0.elapsed() < limit {
            if self.child.try_wait()?.is_some() {
                return Ok(t0.elapsed());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        bail!("server did not stop within {limit:?} of SIGTERM; killed")
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A process's figures at one moment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcStat {
    /// Resident set size now, bytes.
    pub rss: u64,
    /// Peak resident set size (VmHWM), bytes.
    pub hwm: u64,
    /// User + system CPU time, seconds.
    pub cpu: f64,
}

/// Reads `/proc/PID/status` and `/proc/PID/stat`.
///
/// # Errors
/// When the process is gone or the files cannot be parsed.
pub fn stat(pid: u32) -> Result<ProcStat> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    Ok(ProcStat {
        rss: status_kib(&status, "VmRSS:")? * 1024,
        hwm: status_kib(&status, "VmHWM:")? * 1024,
        cpu: stat_cpu_secs(&stat)?,
    })
}

/// The value of a `Key:   123 kB` line of `/proc/PID/status`, in KiB.
///
/// # Errors
/// When the line is missing.
pub fn status_kib(status: &str, key: &str) -> Result<u64> {
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .with_context(|| format!("no {key} in status"))?;
    let value = line[key.len()..]
        .split_whitespace()
        .next()
        .context("empty value")?;
    Ok(value.parse()?)
}

/// utime + stime (fields 14 and 15) of `/proc/PID/stat`, in seconds.
///
/// # Errors
/// When the line is not in the expected form.
pub fn stat_cpu_secs(stat: &str) -> Result<f64> {
    // The command name (field 2) may hold spaces; fields after it start after the last ')'.
    let rest = &stat[stat.rfind(')').context("no ')' in stat")? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state), so field N is fields[N - 3].
    let utime: u64 = fields.get(11).context("no utime")?.parse()?;
    let stime: u64 = fields.get(12).context("no stime")?.parse()?;
    #[allow(clippy::cast_precision_loss)]
    Ok((utime + stime) as f64 / clock_ticks())
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    #[allow(clippy::cast_precision_loss)]
    if t > 0 { t as f64 } else { 100.0 }
}

/// Samples a process's RSS every 50 ms while a scenario runs, for its peak
/// during that scenario (VmHWM covers the whole life of the process).
pub struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
    pid: u32,
    start: ProcStat,
    t0: Instant,
}

/// What a [`Sampler`] saw.
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    /// Peak RSS during the window, bytes.
    pub peak_rss: u64,
    /// Average CPU during the window, in cores (1.0 = one core busy).
    pub cpu_cores: f64,
}

impl Sampler {
    /// # Errors
    /// When the process cannot be read.
    pub fn start(pid: u32) -> Result<Self> {
        let start = stat(pid)?;
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(start.rss));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if let Ok(st) = stat(pid) {
                    p.fetch_max(st.rss, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Ok(Self {
            stop,
            peak,
            thread: Some(thread),
            pid,
            start,
            t0: Instant::now(),
        })
    }

    /// Stops sampling.
    ///
    /// # Errors
    /// When the process cannot be read.
    pub fn finish(mut self) -> Result<Usage> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let end = stat(self.pid)?;
        let wall = self.t0.elapsed().as_secs_f64();
        Ok(Usage {
            peak_rss: self.peak.load(Ordering::Relaxed).max(end.rss),
            cpu_cores: (end.cpu - self.start.cpu) / wall.max(1e-9),
        })
    }
}

/// The `leasehold` binary next to this one (same target directory), or `$LEASEHOLD_BIN`.
#[must_use]
pub fn default_leasehold_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("LEASEHOLD_BIN") {
        return PathBuf::from(p);
    }
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("leasehold")))
        .unwrap_or_else(|| PathBuf::from("leasehold"))
}
