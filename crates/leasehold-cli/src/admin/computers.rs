//! `leasehold admin computers` and `leasehold admin disconnect`.

use super::{AdminApi, DisconnectArgs, format, print_json};
use crate::table::Table;
use anyhow::Result;
use clap::Args;
use leasehold_core::ClientId;
use leasehold_core::Timestamp;
use leasehold_core::wire::admin::{
    COMPUTERS_PAGE_MAX, ComputerSort, ComputersPage, DisconnectRequest, Disconnected, SortOrder,
};

/// `admin computers`: which seats, in what order, how many.
#[derive(Debug, Args)]
pub struct ComputersArgs {
    /// Sort by: host, user, product, address, app, since, renewed, expires.
    #[arg(long, value_name = "KEY", default_value = "host", value_parser = parse_sort)]
    pub sort: ComputerSort,
    /// Largest first.
    #[arg(long)]
    pub desc: bool,
    /// Only seats whose computer, user, product, address, application,
    /// version or client id contain every word (any case).
    #[arg(long, value_name = "WORDS")]
    pub search: Option<String>,
    /// Show at most this many seats (a server may hold a million).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
}

fn parse_sort(text: &str) -> Result<ComputerSort, String> {
    ComputerSort::ALL
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| {
            let all: Vec<&str> = ComputerSort::ALL.iter().map(|s| s.as_str()).collect();
            format!("`{text}` is not a sort key; use one of {}", all.join(", "))
        })
}

/// Prints the seats held, one row per lease, a computer's seats together.
///
/// # Errors
/// The server unreachable or refusing.
pub async fn list(api: &AdminApi, args: ComputersArgs, json: bool) -> Result<()> {
    let order = if args.desc {
        SortOrder::Desc
    } else {
        SortOrder::Asc
    };
    let text = args.search.clone().unwrap_or_default();
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    let last = loop {
        let want = args
            .limit
            .saturating_sub(rows.len() as u64)
            .clamp(1, u64::from(COMPUTERS_PAGE_MAX));
        let mut query = vec![
            ("sort", args.sort.as_str().to_owned()),
            ("order", order.as_str().to_owned()),
            ("text", text.clone()),
            ("limit", want.to_string()),
        ];
        if let Some(c) = cursor.take() {
            query.push(("cursor", c));
        }
        let mut page: ComputersPage = api.get("/admin/v1/computers", &query).await?;
        rows.append(&mut page.rows);
        if page.next_cursor.is_none() || rows.len() as u64 >= args.limit {
            break page;
        }
        cursor.clone_from(&page.next_cursor);
    };
    let shown = ComputersPage { rows, ..last };
    if json {
        return print_json(&shown);
    }
    print_table(&shown, &args)
}

fn print_table(shown: &ComputersPage, args: &ComputersArgs) -> Result<()> {
    if shown.seats == 0 {
        outln!("no computer holds a seat right now");
        return Ok(());
    }
    let now = Timestamp::now();
    let mut table = Table::new([
        "COMPUTER", "HOST", "ADDRESS", "USER", "PRODUCT", "SINCE", "RENEWED", "EXPIRES", "LEASE",
    ]);
    let mut previous: Option<&ClientId> = None;
    let mut shared = false;
    for row in &shown.rows {
        let (lease, h) = (&row.lease, &row.lease.holder);
        // The computer's columns only on the first of its seats in a row, so
        // they read as a group.
        let (client, host, address) = if previous == Some(&h.client_id) {
            Default::default()
        } else if row.shared_machine_id {
            shared = true;
            (
                format!("{} (shared!)", h.client_id),
                h.host.clone(),
                h.address.clone(),
            )
        } else {
            (h.client_id.to_string(), h.host.clone(), h.address.clone())
        };
        previous = Some(&h.client_id);
        table.row([
            client,
            host,
            address,
            h.user.clone(),
            lease.product.to_string(),
            format::local_time(lease.granted_at),
            format::relative(lease.renewed_at, now),
            format::relative(lease.expires_at, now),
            lease.id.to_string(),
        ]);
    }
    if !shown.rows.is_empty() {
        out!("{table}");
    }
    if shared {
        outln!(
            "(shared!) several computers present this machine id (a cloned machine image): each has its own seat; give each clone its own machine id (on Linux: a new /etc/machine-id)"
        );
    }
    let held = format!(
        "{} held by {}",
        format::count(shown.seats, "seat", "seats"),
        format::count(shown.computers, "computer", "computers")
    );
    match &args.search {
        Some(words) => outln!(
            "{} matching \"{words}\" ({held})",
            format::count(shown.matching, "seat", "seats")
        ),
        None => outln!("{held}"),
    }
    if (shown.rows.len() as u64) < shown.matching {
        outln!(
            "showing the first {} of {}; narrow with --search or raise --limit",
            shown.rows.len(),
            shown.matching
        );
    }
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
