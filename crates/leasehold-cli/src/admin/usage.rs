//! `leasehold admin usage ledger [PRODUCT]`: each product's consumption
//! tokens in the running period, and the spends, newest first;
//! `leasehold admin usage history [PRODUCT]`: use per minute, hour or day
//! (`usage_history.rs`).

use super::{AdminApi, format, print_json};
use crate::table::Table;
use anyhow::Result;
use clap::Subcommand;
use leasehold_core::tokens::Balance;
use leasehold_core::wire::usage::LedgerPage;

#[derive(Debug, Subcommand)]
pub enum UsageCmd {
    /// Show use per minute, hour or day: most and fewest seats in use,
    /// seats licensed, denials, clients waiting, seats in overdraft, tokens
    /// spent (as a table, `--json` or `--csv`).
    History(super::usage_history::HistoryArgs),
    /// Show each product's consumption tokens (given, spent, left this
    /// period) and the ledger of spends: who, when, how much, the note.
    Ledger {
        /// Only this product's spends.
        #[arg(value_name = "PRODUCT")]
        product: Option<String>,
        /// At most this many spends (1 to 1000).
        #[arg(long, value_name = "N", default_value_t = 50,
            value_parser = clap::value_parser!(u32).range(1..=1000))]
        limit: u32,
        /// Older spends: the number the previous page ended with ("more
        /// with --before N").
        #[arg(long, value_name = "N")]
        before: Option<u64>,
    },
}

/// Runs a `usage` subcommand.
///
/// # Errors
/// The server unreachable or refusing.
pub async fn run(api: &AdminApi, cmd: UsageCmd, json: bool) -> Result<()> {
    let (product, limit, before) = match cmd {
        UsageCmd::History(args) => return super::usage_history::run(api, args, json).await,
        UsageCmd::Ledger {
            product,
            limit,
            before,
        } => (product, limit, before),
    };
    let mut query = vec![("limit", limit.to_string())];
    if let Some(p) = &product {
        query.push(("product", p.clone()));
    }
    if let Some(b) = before {
        query.push(("before", b.to_string()));
    }
    let page: LedgerPage = api.get("/admin/v1/usage/ledger", &query).await?;
    if json {
        return print_json(&page);
    }
    let balances: Vec<&Balance> = page
        .balances
        .iter()
        .filter(|b| product.as_deref().is_none_or(|p| b.product.as_str() == p))
        .collect();
    if balances.is_empty() {
        outln!(
            "no licence here gives consumption tokens{}",
            for_product(product.as_deref())
        );
    }
    for b in balances {
        outln!("{}", balance_line(b));
    }
    if page.entries.is_empty() {
        outln!("no spends{}", for_product(product.as_deref()));
        return Ok(());
    }
    let mut table = Table::new([
        "#", "WHEN", "PRODUCT", "AMOUNT", "USER", "COMPUTER", "KEY", "NOTE",
    ]);
    for e in &page.entries {
        let s = &e.spend;
        let amount = if s.over > 0 {
            format!("{} ({} over)", s.amount, s.over)
        } else {
            s.amount.to_string()
        };
        table.row([
            e.seq.to_string(),
            format::local_time(s.at),
            s.product.to_string(),
            amount,
            s.user.clone(),
            s.client_id.to_string(),
            s.key.clone(),
            s.note.clone(),
        ]);
    }
    out!("{table}");
    if let Some(next) = page.next_before {
        outln!("more with --before {next}");
    }
    Ok(())
}

fn for_product(product: Option<&str>) -> String {
    product.map_or_else(String::new, |p| format!(" for {p}"))
}

/// "cad: 700 of 1000 tokens left this month (300 spent; 200 of overdraft
/// allowed), given again at …".
fn balance_line(b: &Balance) -> String {
    use leasehold_core::license::TokenPeriod;
    let period = match b.period {
        TokenPeriod::Month => "this month",
        TokenPeriod::Year => "this year",
        TokenPeriod::None => "(given once)",
    };
    let mut line = format!(
        "{}: {} of {} left {period} ({} spent",
        b.product,
        b.left(),
        format::count(b.units, "token", "tokens"),
        b.spent
    );
    if b.over() > 0 {
        line.push_str(&format!(", {} beyond the balance", b.over()));
    }
    if b.overdraft > 0 {
        line.push_str(&format!("; overdraft of {} allowed", b.overdraft));
    }
    line.push(')');
    if let Some(end) = b.period_end {
        line.push_str(&format!(", given again {}", format::local_time(end)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasehold_core::Timestamp;
    use leasehold_core::license::TokenPeriod;

    #[test]
    fn a_balance_reads_as_a_sentence() {
        let b = Balance {
            product: "cad".into(),
            period: TokenPeriod::None,
            period_start: Timestamp(0),
            period_end: None,
            units: 10,
            overdraft: 5,
            spent: 12,
        };
        assert_eq!(
            balance_line(&b),
            "cad: 0 of 10 tokens left (given once) (12 spent, 2 beyond the balance; overdraft of 5 allowed)"
        );
    }
}
