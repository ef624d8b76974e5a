//! `leasehold admin usage history [PRODUCT] [--from TIME] [--to TIME |
//! --last SPAN] [--step minute|hour|day] [--csv]`, and `leasehold admin
//! report --from DATE --to DATE --out FILE`.

use super::{AdminApi, format, print_json};
use crate::table::Table;
use anyhow::Result;
use clap::{Args, ValueEnum};
use leasehold_core::Timestamp;
use leasehold_core::wire::usage::{UsageHistory, UsagePoint};
use std::time::Duration;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Step {
    Minute,
    Hour,
    Day,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this product.
    #[arg(value_name = "PRODUCT")]
    pub product: Option<String>,
    /// From this time: RFC 3339, or local "YYYY-MM-DD HH:MM" / "YYYY-MM-DD".
    #[arg(long, value_name = "TIME", value_parser = format::parse_since, conflicts_with = "last")]
    pub from: Option<Timestamp>,
    /// Up to this time (default: now).
    #[arg(long, value_name = "TIME", value_parser = format::parse_since)]
    pub to: Option<Timestamp>,
    /// The last span of time, e.g. 2h, 7d, 52w (default: 1d).
    #[arg(long, value_name = "SPAN", value_parser = format::parse_span)]
    pub last: Option<Duration>,
    /// Points per minute (kept 7 days), hour (400 days) or day (default:
    /// by the range).
    #[arg(long, value_enum)]
    pub step: Option<Step>,
    /// Print CSV (one row per product and point) instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

/// Prints the history asked for.
///
/// # Errors
/// The server unreachable or refusing (a range too large for the step).
pub async fn run(api: &AdminApi, args: HistoryArgs, json: bool) -> Result<()> {
    let to = args.to.unwrap_or_else(Timestamp::now);
    let from = args.from.unwrap_or_else(|| {
        let span = args.last.unwrap_or(Duration::from_secs(86_400));
        Timestamp(to.0.saturating_sub(i64::try_from(span.as_millis()).unwrap_or(i64::MAX)))
    });
    let mut query = vec![("from", from.0.to_string()), ("to", to.0.to_string())];
    if let Some(p) = &args.product {
        query.push(("product", p.clone()));
    }
    if let Some(step) = args.step {
        let step = match step {
            Step::Minute => "minute",
            Step::Hour => "hour",
            Step::Day => "day",
        };
        query.push(("step", step.to_owned()));
    }
    let history: UsageHistory = api.get("/admin/v1/usage", &query).await?;
    if json {
        return print_json(&history);
    }
    if args.csv {
        out!("{}", csv(&history));
        return Ok(());
    }
    if history.series.iter().all(|s| s.points.is_empty()) {
        outln!(
            "no usage recorded from {} to {} (the server writes a point each minute it runs)",
            format::local_time(from),
            format::local_time(to)
        );
        return Ok(());
    }
    let mut table = Table::new([
        "TIME",
        "PRODUCT",
        "IN USE",
        "SEATS",
        "DENIALS",
        "WAITING",
        "OVERDRAFT",
        "TOKENS",
    ]);
    for s in &history.series {
        for p in &s.points {
            table.row([
                format::local_time(p.at),
                s.product.to_string(),
                in_use(p),
                p.seats.to_string(),
                p.denials.to_string(),
                p.waiting.to_string(),
                p.overdraft.to_string(),
                p.tokens.to_string(),
            ]);
        }
    }
    out!("{table}");
    outln!(
        "one row per {} (most and fewest seats in use in it)",
        history.step.as_str()
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The period's start: a date (local midnight) or a time.
    #[arg(long, value_name = "DATE", value_parser = format::parse_since)]
    pub from: Timestamp,
    /// The period's end (not included): a date or a time.
    #[arg(long, value_name = "DATE", value_parser = format::parse_since)]
    pub to: Timestamp,
    /// The file to write (it must not exist yet).
    #[arg(long, value_name = "FILE")]
    pub out: std::path::PathBuf,
    /// Also send it to the vendor's authority at this address (where it can
    /// be reached; a dark site carries the file out by hand).
    #[arg(long, value_name = "URL")]
    pub upload: Option<String>,
}

/// Sends a report to the vendor's authority; what it answered.
async fn upload(
    url: &str,
    text: String,
) -> Result<leasehold_core::wire::authority::ReportReceived> {
    use anyhow::Context;
    let base = url.trim().trim_end_matches('/');
    let base = if base.contains("://") {
        base.to_owned()
    } else {
        format!("http://{base}")
    };
    let response = leasehold_http::client().build()?
        .post(format!("{base}/authority/v1/reports"))
        .header("content-type", "application/json")
        .body(text)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .with_context(|| format!("cannot reach the authority at {base}; the report file stays to send later or by hand"))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .context("reading the authority's answer")?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).context("the authority's answer cannot be read");
    }
    let message = serde_json::from_slice::<leasehold_core::wire::ErrorBody>(&bytes).map_or_else(
        |_| format!("HTTP {status}"),
        |b| format!("{} ({})", b.message, b.code),
    );
    anyhow::bail!("the authority at {base} refused the report: {message}")
}

/// Writes the signed report.
///
/// # Errors
/// The server refusing, or the file existing or not writable.
pub async fn report(api: &AdminApi, args: ReportArgs, json: bool) -> Result<()> {
    use anyhow::Context;
    use std::io::Write;
    let query = [
        ("from", args.from.0.to_string()),
        ("to", args.to.0.to_string()),
    ];
    let signed: leasehold_core::wire::report::SignedReport =
        api.get("/admin/v1/report", &query).await?;
    let body: leasehold_core::wire::report::ReportBody =
        serde_json::from_str(&signed.report).context("the server's report cannot be read")?;
    let text = serde_json::to_string_pretty(&signed)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.out)
        .with_context(|| {
            format!(
                "cannot create {} (it must not exist yet)",
                args.out.display()
            )
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let uploaded = match &args.upload {
        Some(url) => Some(upload(url, text).await?),
        None => None,
    };
    if json {
        return print_json(&serde_json::json!({
            "file": args.out, "events": body.events.items.len(), "products": body.products.len(),
            "uploaded": uploaded,
        }));
    }
    if let Some(got) = &uploaded {
        outln!(
            "sent to the vendor's authority: checked and kept{}",
            if got.replaced {
                " (it replaces the report of the same period sent before)"
            } else {
                ""
            }
        );
    }
    outln!(
        "report of {} to {} written to {}: {} product(s), {} events, signed by this server; the vendor checks it with `leasehold vendor verify-report {} --key THEIR_PUBLIC_KEY`",
        format::local_time(args.from),
        format::local_time(args.to),
        args.out.display(),
        body.products.len(),
        body.events.items.len(),
        args.out.display()
    );
    Ok(())
}

fn in_use(p: &UsagePoint) -> String {
    if p.high == p.low {
        p.high.to_string()
    } else {
        format!("{}–{}", p.low, p.high)
    }
}

/// The history as CSV, times in UTC (RFC 3339); product names quoted.
fn csv(h: &UsageHistory) -> String {
    let mut out = String::from("product,at,high,low,seats,denials,waiting,overdraft,tokens\n");
    for s in &h.series {
        let product = format!("\"{}\"", s.product.as_str().replace('"', "\"\""));
        for p in &s.points {
            out.push_str(&format!(
                "{product},{},{},{},{},{},{},{},{}\n",
                p.at.to_rfc3339(),
                p.high,
                p.low,
                p.seats,
                p.denials,
                p.waiting,
                p.overdraft,
                p.tokens
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasehold_core::wire::usage::{HistoryStep, UsageSeries};

    #[test]
    fn csv_quotes_names_and_writes_utc_times() {
        let h = UsageHistory {
            step: HistoryStep::Hour,
            from: Timestamp(0),
            to: Timestamp(3_600_000),
            series: vec![UsageSeries {
                product: "cad \"pro\"".into(),
                points: vec![UsagePoint {
                    at: Timestamp(0),
                    high: 3,
                    low: 1,
                    seats: 2,
                    denials: 4,
                    waiting: 1,
                    overdraft: 1,
                    tokens: 9,
                }],
            }],
        };
        let text = csv(&h);
        let line = text.lines().nth(1).unwrap();
        assert!(
            line.starts_with("\"cad \"\"pro\"\"\",1970-01-01T00:00:00"),
            "{line}"
        );
        assert!(line.ends_with(",3,1,2,4,1,1,9"), "{line}");
    }
}
