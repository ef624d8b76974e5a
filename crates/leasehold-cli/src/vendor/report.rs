//! `leasehold vendor verify-report FILE --key VENDOR_PUBLIC_KEY`: checks a
//! usage report a customer's server signed, and prints what it says.

use anyhow::{Context, Result, bail};
use clap::Args;
use leasehold_core::license::VendorPublicKey;
use leasehold_core::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct VerifyReportArgs {
    /// The report file (`leasehold admin report --out FILE` wrote it).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Your vendor public key (`LHPK-…`, as `vendor pubkey` prints it);
    /// repeatable.
    #[arg(long = "key", value_name = "VENDOR_PUBLIC_KEY", required = true)]
    pub keys: Vec<VendorPublicKey>,
}

/// Checks the report; prints its summary, or fails with what does not hold.
///
/// # Errors
/// The file unreadable, or [`report::ReportError`] as a sentence.
pub fn verify(args: &VerifyReportArgs, out: &mut dyn Write) -> Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let checked = match report::verify(&text, &args.keys) {
        Ok(v) => v,
        Err(e) => bail!("{} does not check: {e}", args.file.display()),
    };
    let b = &checked.body;
    writeln!(
        out,
        "report of server {} ({}) from {} to {}, made {}: signature good, server key activated by your licences, event chain intact",
        b.server_name,
        b.server_id,
        b.from.to_rfc3339(),
        b.to.to_rfc3339(),
        b.generated_at.to_rfc3339()
    )?;
    writeln!(
        out,
        "events: {} (chain from {} to {}); the next report should start from the last",
        b.events.items.len(),
        short(&b.events.start_hash),
        short(&b.events.end_hash)
    )?;
    for (first, last) in &checked.unstored {
        writeln!(
            out,
            "note: events {first} to {last} are not in the chain: the server numbered them but never stored them (most likely a write that failed); the chain shows nothing was taken out of it afterwards"
        )?;
    }
    if b.products.is_empty() {
        writeln!(out, "no product was used in the period")?;
    }
    for p in &b.products {
        writeln!(
            out,
            "{}: {} seats licensed, at most {} in use, {} denials, at most {} waiting; overdraft: at most {} seats, in {} hours; tokens: {} spends, {} units, {} beyond the balance",
            p.product,
            p.seats,
            p.peak_in_use,
            p.denials,
            p.peak_waiting,
            p.peak_overdraft,
            p.overdraft_hours,
            p.spends,
            p.tokens_spent,
            p.tokens_over
        )?;
    }
    for c in &b.chains {
        writeln!(
            out,
            "{}: {} licence code(s) in the chain",
            c.product,
            c.links.len()
        )?;
    }
    Ok(())
}

fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}
