//! `leasehold admin license add | list | remove`.

use super::{AdminApi, LicenseCmd, format, print_json};
use crate::table::Table;
use anyhow::{Context, Result, bail};
use leasehold_core::wire::admin::{AddLicense, LicenseRemoved, LicenseState, LicenseView};
use std::io::Read;

/// Runs a `license` subcommand.
///
/// # Errors
/// The code cannot be read, or the server refuses (its message, and what to do).
pub async fn run(api: &AdminApi, cmd: LicenseCmd, json: bool) -> Result<()> {
    match cmd {
        LicenseCmd::Add { code, dry_run } => add(api, &code, dry_run, json).await,
        LicenseCmd::List => list(api, json).await,
        LicenseCmd::Remove { id } => {
            let removed: LicenseRemoved = api.delete(&format!("/admin/v1/licenses/{id}")).await?;
            if json {
                return print_json(&removed);
            }
            outln!(
                "removed license {} ({})",
                removed.license_id,
                removed.product
            );
            outln!(
                "{} now: {}",
                removed.product,
                format::seats(removed.in_use, removed.seats_now)
            );
            if removed.in_use > removed.seats_now {
                outln!(
                    "{} more in use than licensed: those leases run to their end and are not renewed",
                    removed.in_use - removed.seats_now
                );
            }
            Ok(())
        }
    }
}

/// The code from the arguments (groups may be separate words) or, for `-`, stdin.
fn read_code(words: &[String]) -> Result<String> {
    let text = if words.len() == 1 && words[0] == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the license code from stdin")?;
        text
    } else {
        words.concat()
    };
    if text.trim().is_empty() {
        bail!(
            "no license code given; pass it as an argument, or pipe it in with `leasehold admin license add -`"
        );
    }
    Ok(text)
}

async fn add(api: &AdminApi, words: &[String], dry_run: bool, json: bool) -> Result<()> {
    let code = read_code(words)?;
    let view: LicenseView = api
        .post("/admin/v1/licenses", &AddLicense { code, dry_run })
        .await?;
    if json {
        return print_json(&view);
    }
    if dry_run {
        outln!("the code is valid; adding it would add (nothing was stored):");
    } else {
        outln!("added license {}", view.license_id);
    }
    let rows = [
        ("product", view.product.to_string()),
        (
            "seats",
            format!(
                "{} (all codes of {}: {})",
                view.seats,
                view.product,
                format::seats(view.product_in_use, view.product_seats)
            ),
        ),
        ("state", state_text(&view)),
        ("valid", validity(&view)),
        (
            "customer",
            if view.customer.is_empty() {
                "-".to_owned()
            } else {
                view.customer.clone()
            },
        ),
        (
            "features",
            if view.features.is_empty() {
                "-".to_owned()
            } else {
                view.features.join(", ")
            },
        ),
        ("lease", format!("{} s", view.lease_secs)),
        ("vendor key", view.vendor_key.clone()),
    ];
    for (name, value) in rows {
        outln!("  {name:<11} {value}");
    }
    Ok(())
}

async fn list(api: &AdminApi, json: bool) -> Result<()> {
    let licenses: Vec<LicenseView> = api.get("/admin/v1/licenses", &[]).await?;
    if json {
        return print_json(&licenses);
    }
    if licenses.is_empty() {
        outln!(
            "no license codes on this server yet; add one with `leasehold admin license add CODE`"
        );
        return Ok(());
    }
    let mut table = Table::new([
        "PRODUCT", "SEATS", "IN USE", "STATE", "VALID", "CUSTOMER", "ID",
    ]);
    for l in &licenses {
        table.row([
            l.product.to_string(),
            l.seats.to_string(),
            format::seats(l.product_in_use, l.product_seats),
            state_text(l),
            validity(l),
            l.customer.clone(),
            l.license_id.to_string(),
        ]);
    }
    out!("{table}");
    for l in licenses.iter().filter(|l| l.state_reason.is_some()) {
        if let Some(reason) = &l.state_reason {
            outln!("note: {} ({}): {reason}", l.license_id, l.product);
        }
    }
    Ok(())
}

fn state_text(l: &LicenseView) -> String {
    if l.expiring_soon
        && let Some(days) = l.days_left
    {
        return format!("active, {}", ends_in(days));
    }
    match l.state {
        LicenseState::Active => "active",
        LicenseState::Expired => "expired",
        LicenseState::NotYetValid => "not yet valid",
        LicenseState::Invalid => "invalid",
        LicenseState::NeedsActivation => "needs activation",
        LicenseState::ActivatedElsewhere => "activated for another computer",
        LicenseState::ClockSetBack => "not counted: clock set back",
    }
    .to_owned()
}

/// "ends today", "ends tomorrow", "ends in 12 days" (counting to the last
/// valid day).
#[must_use]
pub fn ends_in(days_left: u32) -> String {
    match days_left {
        0 => "last day today".to_owned(),
        1 => "last day tomorrow".to_owned(),
        n => format!("last day in {n} days"),
    }
}

/// `until 2027-12-31`, `2026-01-01 to 2026-12-31`, `from 2026-01-01`, `always`.
fn validity(l: &LicenseView) -> String {
    match (&l.first_day, &l.last_day) {
        (None, None) => "always".to_owned(),
        (None, Some(last)) => format!("until {last}"),
        (Some(first), None) => format!("from {first}"),
        (Some(first), Some(last)) => format!("{first} to {last}"),
    }
}
