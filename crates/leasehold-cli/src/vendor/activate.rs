//! `leasehold vendor activate` and `vendor deactivate`: the vendor's side of
//! activating a licence on one server without a network between them. The
//! admin sends the request their server printed; the vendor signs it and
//! sends the response back; a deactivation proof from a server says that
//! server no longer counts the licence. With `--ledger DIR` (the directory
//! of the vendor's `authority serve`) both keep the activation count, so a
//! licence's `max-activations` holds offline too.

use super::load_key;
use crate::blocks::read_block;
use anyhow::{Result, anyhow, bail};
use clap::Args;
use leasehold_core::Timestamp;
use leasehold_core::license::activation::{Activation, ActivationRequest, Deactivation, key_hex};
use leasehold_server::authority::Ledger;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// `vendor activate`.
#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// The secret key file the licence code was issued with.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The activation request from `leasehold admin activation request`: the
    /// text (its groups may be separate words), a file holding it, or `-` for
    /// stdin.
    #[arg(value_name = "REQUEST_OR_FILE", required = true, num_args = 1..)]
    pub request: Vec<String>,
    /// Record the activation in this ledger (the directory of `authority
    /// serve`, which must not be running) and refuse one beyond the code's
    /// `--max-activations`.
    #[arg(long, value_name = "DIR", required_unless_present = "no_ledger")]
    pub ledger: Option<PathBuf>,
    /// Sign without a ledger: nothing counts this activation, so the code's
    /// limit holds only if you keep track yourself.
    #[arg(long, conflicts_with = "ledger")]
    pub no_ledger: bool,
}

/// `vendor deactivate`.
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// The deactivation proof from `leasehold admin activation deactivate`:
    /// the text, a file holding it, or `-` for stdin.
    #[arg(value_name = "PROOF_OR_FILE", required = true, num_args = 1..)]
    pub proof: Vec<String>,
    /// Free the activation in this ledger (see `vendor activate --ledger`).
    #[arg(long, value_name = "DIR")]
    pub ledger: Option<PathBuf>,
}

fn open_ledger(dir: &Path) -> Result<Ledger> {
    Ledger::open(dir).map_err(|e| anyhow!("the ledger in {}: {e}", dir.display()))
}

/// Signs the activation a request asks for and prints the response.
pub(super) fn activate(
    args: &ActivateArgs,
    now: Timestamp,
    input: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let key = load_key(&args.key, err)?;
    let text = read_block(&args.request, input, "activation request")?;
    if let Some(dir) = &args.ledger {
        let answer = open_ledger(dir)?.activate(&key, &text, now)?;
        writeln!(out, "{}", answer.response)?;
        writeln!(
            err,
            "{} licence {} ({}): active on {} of its {} server(s), recorded in {}. Send the block above to the admin, who runs `leasehold admin activation import`.",
            if answer.again {
                "Already activated for this server and computer; the same response again for"
            } else {
                "Activated"
            },
            answer.license_id,
            answer.product,
            answer.active,
            answer.max_activations,
            dir.display(),
        )?;
        return Ok(());
    }
    let request = ActivationRequest::parse(&text)?;
    let verified = request.code.verify(&[key.public()]).map_err(|e| {
        anyhow!("the licence code in this request was not issued with this key file: {e}")
    })?;
    let terms = verified.terms();
    if !terms.activation_required {
        bail!(
            "licence {} needs no activation (it was issued with `--activation none`): every server counts it as it is, so there is nothing to sign",
            terms.license_id
        );
    }
    let activation = Activation::issue(&key, &request, now);
    writeln!(out, "{}", activation.to_text())?;
    writeln!(
        err,
        "Activated licence {} ({} seat(s) of {}, customer {:?}) on server {:?} (server key {}).\n\
         The code may be active on at most {} server(s) at once, and without `--ledger DIR` this command keeps no record: \
         note this activation before you sign more for the same licence. Send the block above to \
         the admin, who runs `leasehold admin activation import`.",
        terms.license_id,
        terms.seats,
        terms.product,
        terms.customer,
        request.server_name,
        key_hex(&request.server_key),
        terms.max_activations,
    )?;
    Ok(())
}

/// Checks a deactivation proof and says what it proves.
pub(super) fn deactivate(
    args: &DeactivateArgs,
    now: Timestamp,
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<()> {
    let text = read_block(&args.proof, input, "deactivation proof")?;
    let proof = Deactivation::parse(&text)?;
    if let Some(dir) = &args.ledger {
        let answer = open_ledger(dir)?.deactivate(&text, now)?;
        writeln!(
            out,
            "{} licence {} on server {}: it is active on {} of its {} server(s) now, recorded in {}.",
            if answer.freed {
                "Freed"
            } else {
                "Already freed:"
            },
            answer.license_id,
            key_hex(&proof.server_key),
            answer.active,
            answer.max_activations,
            dir.display(),
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Valid: server {} says it stopped counting licence {} at {} (signed with its own key: the customer's word). That activation is free: the code may be activated on another server.",
        key_hex(&proof.server_key),
        proof.license_id,
        proof.deactivated_at.to_rfc3339(),
    )?;
    Ok(())
}
