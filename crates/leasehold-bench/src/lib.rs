//! Benchmarks of the Leasehold lease server: a load generator with many
//! distinct simulated clients over keep-alive connections, a bare axum
//! baseline loaded the same way in the same run, and the scale figures
//! (1M leases, restart, expiry lateness, idle). See `BENCHMARKS.md`.

pub mod bare;
pub mod chain;
pub mod clients;
pub mod computers;
pub mod history;
pub mod http;
pub mod load;
pub mod policy;
pub mod proc;
pub mod queue;
pub mod report;
pub mod scale;
pub mod scenarios;
pub mod sdk;
pub mod setup;
pub mod sign_in;
pub mod usage;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "leasehold-bench",
    about = "Load and scale benchmarks of the Leasehold lease server (loopback only)."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the bare axum baseline on 127.0.0.1:0 (used by the bench itself).
    BareServer,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Smoke mode: every scenario for a moment, small scale run (~10 s in all).
    #[arg(long)]
    quick: bool,
    /// The `leasehold` binary (default: next to this one, or $LEASEHOLD_BIN).
    #[arg(long, value_name = "PATH")]
    leasehold: Option<PathBuf>,
    /// Keep-alive connections the load is spread over.
    #[arg(long, default_value_t = 64)]
    conns: usize,
    /// Seconds each throughput scenario runs at most.
    #[arg(long, value_name = "SECS")]
    secs: Option<f64>,
    /// Requests each throughput scenario sends at most.
    #[arg(long, default_value_t = 5_000_000)]
    max_requests: u64,
    /// Leases held in the scale run.
    #[arg(long)]
    scale_leases: Option<u64>,
    /// Worker threads of the load generator's runtime.
    #[arg(long, default_value_t = 1)]
    load_threads: usize,
    /// Worker threads of both servers (TOKIO_WORKER_THREADS); default: tokio's (one per core).
    #[arg(long)]
    server_threads: Option<usize>,
    /// Skip the scale run (1M leases, restart, expiry).
    #[arg(long)]
    no_scale: bool,
    /// Run only these scenarios (comma-separated): chain, sdk, policy, queue, usage, history, signin, idle, storm, renew, half,
    /// steady, churn, deny, cycles, normal, scale. The baseline always runs;
    /// renew, half and steady renew the storm's leases, so they bring it along.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also write the results table (Markdown) to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// What every scenario needs to know about the run.
#[derive(Clone, Debug)]
pub struct Opts {
    pub quick: bool,
    pub conns: usize,
    pub duration: Duration,
    pub max_requests: u64,
    /// How long idle CPU and RSS are sampled.
    pub idle: Duration,
    pub storm_clients: u64,
    pub deny_clients: u64,
    /// Total renewals/s of the steady-state run.
    pub steady_rate: f64,
    pub scale_leases: u64,
    /// The longest the scale fill may take.
    pub fill_cap: Duration,
    pub short_leases: u64,
    /// Scenarios to run; empty = all.
    pub only: Vec<String>,
}

impl Opts {
    /// The usual caps: the scenario duration and request cap.
    #[must_use]
    pub fn limits(&self) -> load::Limits {
        load::Limits {
            duration: self.duration,
            max_requests: self.max_requests,
        }
    }

    /// A run of exactly `n` requests, capped at 10× the scenario duration.
    #[must_use]
    pub fn limits_for(&self, n: u64) -> load::Limits {
        load::Limits {
            duration: self.duration * 10,
            max_requests: n,
        }
    }

    /// Whether scenario `name` is to run.
    #[must_use]
    pub fn wants(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| o == name)
    }

    fn from_args(a: &RunArgs) -> Self {
        let quick = a.quick;
        Self {
            quick,
            conns: a.conns.max(1),
            duration: Duration::from_secs_f64(a.secs.unwrap_or(if quick { 0.5 } else { 8.0 })),
            max_requests: a.max_requests,
            idle: Duration::from_secs(if quick { 1 } else { 5 }),
            storm_clients: if quick { 2_000 } else { 50_000 },
            deny_clients: if quick { 1_000 } else { 20_000 },
            steady_rate: 5_000.0,
            scale_leases: a
                .scale_leases
                .unwrap_or(if quick { 5_000 } else { 1_000_000 }),
            fill_cap: Duration::from_secs(if quick { 10 } else { 300 }),
            short_leases: 20_000,
            only: a.only.clone(),
        }
    }
}

/// The binary's entry point.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::BareServer) => bare::serve(),
        None => run(&cli.run),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leasehold-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &RunArgs) -> Result<()> {
    let opts = Opts::from_args(args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.load_threads.max(1))
        .enable_all()
        .build()?;
    let report = runtime.block_on(run_all(args, &opts))?;
    let md = report.markdown();
    println!("{md}");
    if let Some(out) = &args.out {
        std::fs::write(out, &md).with_context(|| format!("writing {}", out.display()))?;
    }
    if !report.failures.is_empty() {
        anyhow::bail!(
            "{} broken promise(s): {}",
            report.failures.len(),
            report.failures.join("; ")
        );
    }
    Ok(())
}

async fn run_all(args: &RunArgs, opts: &Opts) -> Result<report::Report> {
    let bin = args
        .leasehold
        .clone()
        .unwrap_or_else(proc::default_leasehold_bin);
    let me = std::env::current_exe()?;
    let vendor = setup::Vendor::new()?;
    let codes = vendor.codes()?;
    let serve = setup::ServeOpts {
        bin,
        trust: vendor.public(),
        durability: "full",
        threads: args.server_threads,
    };
    let mut report = report::Report::default();
    report.note(format!(
        "{} connections, load generator on {} thread(s), servers on {} worker thread(s), {:?} per scenario",
        opts.conns,
        args.load_threads,
        args.server_threads.map_or_else(|| "tokio's default".to_owned(), |n| n.to_string()),
        opts.duration
    ));
    let bare = proc::ServerProc::spawn(&me, &["bare-server".to_owned()], args.server_threads)?;
    let base = scenarios::baseline(opts, &bare, &mut report).await?;
    if opts.wants("chain") {
        chain::run(&mut report)?;
    }
    if opts.wants("sdk") {
        sdk::run(&serve, &vendor, opts.quick, &mut report).await?;
    }
    if opts.wants("policy") {
        policy::run(&serve, &vendor, opts.quick, &mut report).await?;
    }
    if opts.wants("queue") {
        queue::run(&serve, &vendor, opts.quick, &mut report).await?;
    }
    if opts.wants("usage") {
        usage::run(opts, &serve, &vendor, &base, &mut report).await?;
    }
    if opts.wants("history") {
        history::run(&serve, opts.quick, &base, &mut report).await?;
    }
    if opts.wants("signin") {
        sign_in::run(&serve, opts.quick, &base, &mut report).await?;
    }
    scenarios::throughput(opts, &serve, &codes, &bare, &base, &mut report).await?;
    drop(bare);
    if !args.no_scale && opts.wants("scale") {
        let fill = setup::ServeOpts {
            durability: "normal",
            ..serve.clone()
        };
        scale::run(opts, &fill, &codes, &base, &mut report).await?;
    }
    Ok(report)
}
