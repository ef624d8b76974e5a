//! `leasehold vendor …`: what a software vendor runs on its own machine to
//! make its signing key and issue license codes, plus `inspect` for support.
//! Everything here is a thin layer over `leasehold_core::license`.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use leasehold_core::license::{
    self, DEFAULT_LEASE_SECS, LicenseTerms, Validity, VendorKeyPair, VendorPublicKey, day_text,
    last_day_text,
};
use leasehold_core::{LicenseId, Product, Timestamp};
use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

mod activate;
mod report;
mod rules;
pub use activate::{ActivateArgs, DeactivateArgs};

/// The `vendor` subcommands.
#[derive(Debug, Subcommand)]
pub enum VendorCmd {
    /// Make a new vendor key pair: writes the secret key file (owner-only) and
    /// prints the public key on stdout.
    Keygen {
        /// Where to write the secret key file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists. The old key is lost: codes it signed stay
        /// valid, but no more can be issued under its public key.
        #[arg(long)]
        force: bool,
    },
    /// Print the public key of a key file (the `LHPK-…` text servers trust).
    Pubkey {
        /// The secret key file made by `keygen`.
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
    },
    /// Issue a license code, printed on stdout as one line.
    Issue(IssueArgs),
    /// Decode a license code and show its terms; with `--trust`, also check
    /// its signature.
    Inspect(InspectArgs),
    /// Answer a server's activation request: prints the signed activation
    /// response for the admin to import.
    Activate(ActivateArgs),
    /// Check a server's deactivation proof: the licence may then be activated
    /// elsewhere.
    Deactivate(DeactivateArgs),
    /// Check a usage report a customer's server made (`admin report`): its
    /// signature, the server's key against your licences' activations, and
    /// the event chain; print what it says, or exactly what fails.
    VerifyReport(report::VerifyReportArgs),
}

/// `vendor issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The secret key file made by `keygen`.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The product the code licenses, as your application names it.
    #[arg(long, value_name = "NAME")]
    pub product: String,
    /// How many computers may use the product at the same time.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..),
        required_unless_present = "units", conflicts_with = "units")]
    pub seats: Option<u32>,
    /// A pool of N units instead of seats (cores, modules): a checkout asks
    /// for k of them and holds k while it runs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub units: Option<u32>,
    /// Last day the code is valid (inclusive, UTC). Default: never expires.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_expires)]
    pub expires: Option<Timestamp>,
    /// First day the code is valid (UTC). Default: at once.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_starts)]
    pub starts: Option<Timestamp>,
    /// Who the code is for, as free text.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub customer: String,
    /// How long a granted lease lasts before the client must renew it.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_LEASE_SECS)]
    pub lease_secs: u32,
    /// Bind the code to one computer (standalone use); needs `--machine`.
    #[arg(long, requires = "machine")]
    pub node_locked: bool,
    /// The machine id the code is bound to (as `leasehold client` shows it).
    #[arg(long, value_name = "MACHINE_ID", requires = "node_locked")]
    pub machine: Option<String>,
    /// Whether a server counts the code only once you have activated it for
    /// that server (`vendor activate`, or your Authority): `required` binds a
    /// network licence to one server; `none` lets any server count it.
    #[arg(long, value_enum, default_value_t = ActivationRule::Required)]
    pub activation: ActivationRule,
    /// On how many servers at once the code may be activated.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(license::MAX_ACTIVATIONS)))]
    pub max_activations: u32,
    #[command(flatten)]
    pub rules: rules::SeatRuleArgs,
}

/// `vendor issue --activation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ActivationRule {
    Required,
    None,
}

/// `vendor inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The license code. Quote it, or pass its parts as separate words;
    /// `-` reads it from stdin.
    #[arg(value_name = "CODE", required = true, num_args = 1..)]
    pub code: Vec<String>,
    /// A vendor public key (`LHPK-…`) to check the signature with; repeatable.
    #[arg(long, value_name = "PUBKEY")]
    pub trust: Vec<VendorPublicKey>,
}

fn parse_expires(text: &str) -> Result<Timestamp, String> {
    license::valid_until_date(text).map_err(|e| e.to_string())
}

fn parse_starts(text: &str) -> Result<Timestamp, String> {
    license::valid_from_date(text).map_err(|e| e.to_string())
}

/// Runs a `vendor` subcommand against the real stdout, stderr, stdin and clock.
///
/// # Errors
/// Whatever the subcommand fails with, as a sentence for the user.
pub fn run(cmd: VendorCmd) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    run_with(
        cmd,
        Timestamp::now(),
        &mut std::io::stdin().lock(),
        &mut out,
        &mut err,
    )
}

/// [`run`] with its clock and streams handed in, for tests. Results (public
/// key, code, terms) go to `out`; hints and summaries to `err`.
///
/// # Errors
/// Whatever the subcommand fails with, as a sentence for the user.
pub fn run_with(
    cmd: VendorCmd,
    now: Timestamp,
    input: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    match cmd {
        VendorCmd::Keygen { out: path, force } => keygen(&path, force, out, err),
        VendorCmd::Pubkey { key } => {
            writeln!(out, "{}", load_key(&key, err)?.public())?;
            Ok(())
        }
        VendorCmd::Issue(args) => issue(args, now, out, err),
        VendorCmd::Inspect(args) => inspect(&args, now, input, out),
        VendorCmd::Activate(args) => activate::activate(&args, now, input, out, err),
        VendorCmd::Deactivate(args) => activate::deactivate(&args, now, input, out),
        VendorCmd::VerifyReport(args) => report::verify(&args, out),
    }
}

fn keygen(path: &Path, force: bool, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let pair = VendorKeyPair::generate()?;
    write_secret_file(path, pair.to_file_text().as_bytes(), force)?;
    let public = pair.public();
    writeln!(out, "{public}")?;
    writeln!(
        err,
        "Wrote the secret vendor key to {}. Keep it private and backed up: whoever has it can issue \
         codes, and without it you cannot issue more for this public key.\n\
         The line above is the public key (fingerprint {}): build it into your application, or give \
         it to admins to trust (`leasehold serve --trust {public}`).",
        path.display(),
        public.fingerprint()
    )?;
    Ok(())
}

/// Writes `bytes` to a file only its owner can read; refuses to replace an
/// existing file unless `force`.
fn write_secret_file(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => bail!(
            "{} already exists; not overwriting it, as it may be the key your codes are signed with. \
             Choose another --out, or pass --force to replace it",
            path.display()
        ),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot create the key file {}", path.display()));
        }
    };
    // `mode` only applies to a new file; a replaced one keeps its old mode otherwise.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} private", path.display()))?;
    }
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write the key file {}", path.display()))
}

pub(crate) fn load_key(path: &Path, err: &mut dyn Write) -> Result<VendorKeyPair> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    let pair =
        VendorKeyPair::from_file_text(&text).with_context(|| format!("{}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o077 != 0) {
            writeln!(
                err,
                "warning: {} is readable by other users; `chmod 600` it",
                path.display()
            )?;
        }
    }
    #[cfg(not(unix))]
    let _ = err;
    Ok(pair)
}

fn issue(args: IssueArgs, now: Timestamp, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let key = load_key(&args.key, err)?;
    let (features, mut seat_rules) = args.rules.into_terms();
    seat_rules.units_pool = args.units.is_some();
    let terms = LicenseTerms {
        license_id: LicenseId::random(),
        product: Product(args.product),
        seats: args.units.or(args.seats).unwrap_or(1),
        valid_from: args.starts,
        valid_until: args.expires,
        features,
        customer: args.customer,
        lease_secs: args.lease_secs,
        node_lock: if args.node_locked { args.machine } else { None },
        issued_at: now,
        activation_required: args.activation == ActivationRule::Required,
        max_activations: match args.activation {
            ActivationRule::Required => args.max_activations,
            ActivationRule::None => 0,
        },
        seat_rules,
    };
    let code = license::issue(&key, &terms)?;
    writeln!(out, "{code}")?;
    writeln!(
        err,
        "Issued license {} for {} {} of {}, {}, signed by vendor key {}.",
        terms.license_id,
        terms.seats,
        if terms.seat_rules.units_pool {
            "unit(s)"
        } else {
            "seat(s)"
        },
        terms.product,
        terms.valid_until.map_or_else(
            || "never expiring".to_owned(),
            |u| format!("valid through {}", last_day_text(u))
        ),
        key.public().fingerprint()
    )?;
    if terms.activation_required {
        writeln!(
            err,
            "It counts on a server once activated there (at most {} at once): the admin sends you \
             the request from `leasehold admin activation request`, you answer it with `leasehold vendor activate`.",
            terms.max_activations
        )?;
    }
    Ok(())
}

fn inspect(
    args: &InspectArgs,
    now: Timestamp,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<()> {
    let text = if args.code.len() == 1 && args.code[0] == "-" {
        let mut text = String::new();
        input
            .read_to_string(&mut text)
            .context("cannot read the code from stdin")?;
        text
    } else {
        args.code.concat()
    };
    let code = license::parse(&text)?;
    write_terms(out, code.terms(), now)?;
    writeln!(out, "{:<12} {}", "vendor key", code.fingerprint())?;
    if args.trust.is_empty() {
        writeln!(
            out,
            "{:<12} not checked (pass --trust LHPK-… to check it)",
            "signature"
        )?;
        return Ok(());
    }
    match code.verify(&args.trust) {
        Ok(verified) => {
            writeln!(
                out,
                "{:<12} valid, signed by {}",
                "signature",
                verified.vendor()
            )?;
            Ok(())
        }
        Err(e) => {
            writeln!(out, "{:<12} NOT VALID ({})", "signature", e.code())?;
            Err(e.into())
        }
    }
}

fn write_terms(out: &mut dyn Write, t: &LicenseTerms, now: Timestamp) -> std::io::Result<()> {
    let or = |v: Option<String>, none: &str| v.unwrap_or_else(|| none.to_owned());
    let rows = [
        ("license id", t.license_id.to_string()),
        ("product", t.product.to_string()),
        if t.seat_rules.units_pool {
            (
                "units",
                format!(
                    "{} (a pool: a checkout holds the units it asks for)",
                    t.seats
                ),
            )
        } else {
            ("seats", t.seats.to_string())
        },
        (
            "customer",
            if t.customer.is_empty() {
                "(none)".to_owned()
            } else {
                t.customer.clone()
            },
        ),
        ("features", rules::features_text(&t.features, &t.seat_rules)),
        ("lease", format!("{} s", t.lease_secs)),
        ("node lock", or(t.node_lock.clone(), "(none: floating)")),
        (
            "activation",
            if t.activation_required {
                format!("required, on at most {} server(s)", t.max_activations)
            } else {
                "none (any server counts it)".to_owned()
            },
        ),
        ("valid from", or(t.valid_from.map(day_text), "(at once)")),
        (
            "valid until",
            or(
                t.valid_until
                    .map(|u| format!("{} (last day, UTC)", last_day_text(u))),
                "(never expires)",
            ),
        ),
        ("issued at", t.issued_at.to_rfc3339()),
        (
            "status now",
            match t.validity(now) {
                Validity::Active => "active".to_owned(),
                Validity::NotYetValid => "not valid yet".to_owned(),
                Validity::Expired => "expired".to_owned(),
            },
        ),
    ];
    for (label, value) in rows.into_iter().chain(rules::rows(&t.seat_rules)) {
        writeln!(out, "{label:<12} {value}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
