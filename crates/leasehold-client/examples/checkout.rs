//! What a vendor's application does to borrow a seat: start, get a seat,
//! work while watching the seat, give it back on Ctrl-C.
//!
//! ```sh
//! LEASEHOLD_SERVER=127.0.0.1:7878 cargo run -p leasehold-client --example checkout -- Designer
//! ```

use std::time::Duration;

use leasehold_client::{Client, ClientError, SeatState, ServerSource};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let product = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Designer".to_owned());

    // Where the server is: LEASEHOLD_SERVER, else this default.
    let source = ServerSource::from_env_or(ServerSource::Manual(vec!["127.0.0.1:7878".into()]));
    let client = Client::builder()
        .source(source)
        .app("Designer", "4.2")
        .build()?;

    // 1. Get a seat. "No seat free" is an answer the user should see.
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
        Err(e) => return Err(e.into()),
    };
    println!(
        "Got a seat: lease {} until {}",
        guard.grant().lease_id,
        guard.grant().expires_at
    );

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
    //    but only while the runtime is still running).
    guard.release().await?;
    println!("Seat released");
    Ok(())
}
