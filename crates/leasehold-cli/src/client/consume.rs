//! `leasehold client consume PRODUCT AMOUNT --key KEY`: spends consumption
//! tokens once per key.

use super::{ServerArg, VendorKeyArg};
use crate::EXIT_NO_SEAT;
use clap::Args;
use leasehold_client::ClientError;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ConsumeArgs {
    /// The product whose tokens to spend.
    pub product: String,
    /// How many units.
    #[arg(value_parser = clap::value_parser!(u64).range(1..))]
    pub amount: u64,
    /// Names this spend (a job id, an invoice line): the same key again is
    /// answered with its first spend and spends nothing more, so a command
    /// that failed or timed out is simply run again as it was.
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// What the units are spent on (shown in the ledger).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub vendor: VendorKeyArg,
    /// Print the server's answer as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Spends; exits 3 when the tokens are spent.
///
/// # Errors
/// The server's refusal or absence.
pub async fn consume(args: ConsumeArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.client(&args.vendor)?;
    let answer = match client
        .consume_noted(args.product.as_str(), args.amount, &args.key, &args.note)
        .await
    {
        Ok(answer) => answer,
        Err(ClientError::Server { code, message, .. }) if code == "tokens_exhausted" => {
            eprintln!("{message}");
            return Ok(ExitCode::from(EXIT_NO_SEAT));
        }
        Err(e @ ClientError::Unreachable { .. }) => {
            anyhow::bail!(
                "{e}; the spend may or may not have landed: run the same command again (same --key) when the server is back, it never spends twice"
            )
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    let s = &answer.spend;
    let over = if s.over > 0 {
        format!(", {} of them beyond the balance (token overdraft)", s.over)
    } else {
        String::new()
    };
    if answer.replayed {
        println!(
            "already spent under key {} at {}: {} of {}'s tokens{over}; nothing more was spent",
            s.key,
            s.at.to_rfc3339(),
            s.amount,
            s.product
        );
    } else {
        println!(
            "spent {} of {}'s tokens under key {}{over}; {} left of the period's balance",
            s.amount, s.product, s.key, s.left
        );
    }
    Ok(ExitCode::SUCCESS)
}
