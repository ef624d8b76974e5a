//! `leasehold vendor activate` and `vendor deactivate`: the vendor's side of
//! activating a licence on one server without a network between them. The
//! admin sends the request their server printed; the vendor signs it and
//! sends the response back; a deactivation proof from a server says that
//! server no longer counts the licence.

use super::load_key;
use crate::blocks::read_block;
use anyhow::{Result, anyhow, bail};
use clap::Args;
use leasehold_core::Timestamp;
use leasehold_core::license::activation::{Activation, ActivationRequest, Deactivation, key_hex};
use std::io::{Read, Write};
use std::path::PathBuf;

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
}

/// `vendor deactivate`.
#[derive(Debug, Args)]
pub struct DeactivateArgs {
    /// The deactivation proof from `leasehold admin activation deactivate`:
    /// the text, a file holding it, or `-` for stdin.
    #[arg(value_name = "PROOF_OR_FILE", required = true, num_args = 1..)]
    pub proof: Vec<String>,
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
    let request =
        ActivationRequest::parse(&read_block(&args.request, input, "activation request")?)?;
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
         The code may be active on at most {} server(s) at once, and this command keeps no record: \
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
    input: &mut dyn Read,
    out: &mut dyn Write,
) -> Result<()> {
    let proof = Deactivation::parse(&read_block(&args.proof, input, "deactivation proof")?)?;
    writeln!(
        out,
        "Valid: server {} says it stopped counting licence {} at {} (signed with its own key: the customer's word). That activation is free: the code may be activated on another server.",
        key_hex(&proof.server_key),
        proof.license_id,
        proof.deactivated_at.to_rfc3339(),
    )?;
    Ok(())
}
