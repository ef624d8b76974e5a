//! What a vendor's application does to get its license, whichever way the end
//! user set the machine up (`leasehold client mode …`): start, get a seat,
//! work while watching the seat, give it back on Ctrl-C.
//!
//! - network mode: a seat from the lease server (found over mDNS, or the
//!   addresses configured), renewed in the background;
//! - standalone mode: the node-locked license file, verified offline against
//!   the vendor key compiled into the application.
//!
//! ```sh
//! leasehold client mode network --auto            # or --server HOST:PORT
//! cargo run -p leasehold-client --example checkout -- Designer
//! leasehold client mode standalone --license-file designer.lic
//! LEASEHOLD_VENDOR_KEY=LHPK-… cargo run -p leasehold-client --example checkout -- Designer
//! LEASEHOLD_SERVER=127.0.0.1:7878 cargo run …     # one run against that server
//! ```

use std::time::Duration;

use leasehold_client::{Client, ClientError, SeatState};

/// Your public key (`leasehold vendor pubkey --key vendor.key`), compiled in.
/// The example reads it from the environment so it runs with any key.
const VENDOR_KEY: Option<&str> = option_env!("LEASEHOLD_VENDOR_KEY");

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let product = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Designer".to_owned());
    let vendor_key = std::env::var("LEASEHOLD_VENDOR_KEY")
        .ok()
        .or(VENDOR_KEY.map(str::to_owned))
        .ok_or("set LEASEHOLD_VENDOR_KEY to the vendor's LHPK-… public key")?;

    // One line: the end user's settings decide standalone or network.
    let client = Client::from_settings("Designer", "4.2", &vendor_key)?;

    // 1. Get a seat. Each refusal is an answer the user should see.
    let guard = match client.checkout(product.as_str()).await {
        Ok(guard) => guard,
        Err(ClientError::NoSeatFree {
            seats,
            in_use,
            retry_after,
            ..
        }) => {
            eprintln!(
                "All {seats} seats are in use ({in_use}). Please try again in {} s.",
                retry_after.as_secs()
            );
            return Ok(());
        }
        Err(ClientError::Standalone(e)) => {
            eprintln!("Your license file cannot be used: {e}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    match (guard.grant(), guard.standalone_license()) {
        (Some(grant), _) => println!(
            "Got a seat: lease {} until {}",
            grant.lease_id, grant.expires_at
        ),
        (None, Some(license)) => println!(
            "Licensed to {} on this computer ({})",
            license.terms.customer,
            license.path.display()
        ),
        (None, None) => println!("Got a seat: {}", guard.state()),
    }

    // 2. Work. The guard renews in the background; the app only listens.
    let mut seat = guard.subscribe();
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            changed = seat.changed() => {
                if changed.is_err() {
                    break;
                }
                match &*seat.borrow_and_update() {
                    SeatState::Lost { reason } => println!("Seat lost ({reason}): saving work, features locked"),
                    SeatState::Regained { .. } => println!("Seat regained: features unlocked"),
                    other => println!("Seat: {other}"),
                }
            }
            _ = tick.tick() => {
                let usable = guard.state().is_usable();
                println!("working… (seat {})", if usable { "held" } else { "not held" });
            }
        }
    }

    // 3. Give the seat back before exiting (dropping the guard would too,
    //    but only while the runtime is still running). Standalone: a no-op.
    guard.release().await?;
    println!("Seat released");
    Ok(())
}
