//! `leasehold admin computers` and `leasehold admin disconnect`.

use super::{AdminApi, DisconnectArgs, format, print_json};
use crate::table::Table;
use anyhow::Result;
use leasehold_core::ClientId;
use leasehold_core::Timestamp;
use leasehold_core::wire::admin::{ComputerView, DisconnectRequest, Disconnected};

/// Prints every computer holding a seat, one row per lease.
///
/// # Errors
/// The server unreachable or refusing.
pub async fn list(api: &AdminApi, json: bool) -> Result<()> {
    let computers: Vec<ComputerView> = api.get("/admin/v1/computers", &[]).await?;
    if json {
        return print_json(&computers);
    }
    if computers.is_empty() {
        outln!("no computer holds a seat right now");
        return Ok(());
    }
    let now = Timestamp::now();
    let mut table = Table::new([
        "COMPUTER", "HOST", "ADDRESS", "USER", "PRODUCT", "SINCE", "RENEWED", "EXPIRES", "LEASE",
    ]);
    for c in &computers {
        for (i, lease) in c.leases.iter().enumerate() {
            // The computer's columns only on its first lease, so its leases read as a group.
            let (client, host, address) = if i == 0 {
                (c.client_id.to_string(), c.host.clone(), c.address.clone())
            } else {
                Default::default()
            };
            table.row([
                client,
                host,
                address,
                lease.holder.user.clone(),
                lease.product.to_string(),
                format::local_time(lease.granted_at),
                format::relative(lease.renewed_at, now),
                format::relative(lease.expires_at, now),
                lease.id.to_string(),
            ]);
        }
    }
    out!("{table}");
    let leases: usize = computers.iter().map(|c| c.leases.len()).sum();
    outln!(
        "{} holding {}",
        format::count(computers.len(), "computer", "computers"),
        format::count(leases, "seat", "seats")
    );
    Ok(())
}

/// Ends one lease or every lease of a computer.
///
/// # Errors
/// No such lease or computer (the server's message), or the server unreachable.
pub async fn disconnect(api: &AdminApi, args: DisconnectArgs, json: bool) -> Result<()> {
    let request = DisconnectRequest {
        lease_id: args.lease_id,
        client_id: args.client.clone().map(ClientId::from),
    };
    let done: Disconnected = api.post("/admin/v1/disconnect", &request).await?;
    if json {
        return print_json(&done);
    }
    let what = match &args.client {
        Some(client) => format!("computer {client}"),
        None => "the lease".to_owned(),
    };
    outln!(
        "ended {} of {what}; the seats are free now",
        format::count(done.ended.len(), "lease", "leases")
    );
    for id in &done.ended {
        outln!("  {id}");
    }
    outln!("the client learns it on its next renewal and must check out again");
    Ok(())
}
