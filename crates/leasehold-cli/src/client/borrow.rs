//! `leasehold client borrow PRODUCT --hours N` and `leasehold client return
//! PRODUCT`: a seat taken for hours to work without the server, and given
//! back early.

use super::{ServerArg, VendorKeyArg};
use crate::EXIT_NO_SEAT;
use clap::Args;
use leasehold_client::{ClientError, LoanReturn};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct BorrowArgs {
    /// The product to borrow a seat of.
    pub product: String,
    /// For how many hours (at most what the product's licence allows).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub hours: u32,
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub vendor: VendorKeyArg,
    /// Print the loan as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReturnArgs {
    /// The product whose borrowed seat to give back.
    pub product: String,
    #[command(flatten)]
    pub server: ServerArg,
    #[command(flatten)]
    pub vendor: VendorKeyArg,
}

/// Borrows; exits 3 when no seat may be lent now.
///
/// # Errors
/// The server's refusal or absence, or the loan not kept.
pub async fn borrow(args: BorrowArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.client(&args.vendor)?;
    let token = match client.borrow(args.product.as_str(), args.hours).await {
        Ok(token) => token,
        Err(e @ ClientError::NoSeatFree { .. }) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(EXIT_NO_SEAT));
        }
        Err(ClientError::Server { code, message, .. }) if code == "no_borrowable_seat" => {
            eprintln!("{message}");
            return Ok(ExitCode::from(EXIT_NO_SEAT));
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string(&token)?);
    } else {
        println!(
            "borrowed a seat of {} until {} (lease {}); it works without the server until then. Give it back early with `leasehold client return {}`.",
            token.product,
            token.until.to_rfc3339(),
            token.lease_id,
            token.product
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Returns a loan early.
///
/// # Errors
/// The loan file cannot be changed.
pub async fn give_back(args: ReturnArgs) -> anyhow::Result<ExitCode> {
    let client = args.server.client(&args.vendor)?;
    match client.return_borrowed(args.product.as_str()).await? {
        LoanReturn::Returned => println!(
            "returned: the seat of {} is free on the server",
            args.product
        ),
        LoanReturn::Pending => println!(
            "returned here: this computer no longer uses the seat of {}; the server could not be reached and frees it at the next contact",
            args.product
        ),
        LoanReturn::NoLoan => {
            eprintln!("this computer holds no borrowed seat of {}", args.product);
            return Ok(ExitCode::FAILURE);
        }
    }
    Ok(ExitCode::SUCCESS)
}
