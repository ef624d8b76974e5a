//! `leasehold admin settings`: show or change the server's settings.

use super::{AdminApi, print_json};
use anyhow::Result;
use clap::Args;
use leasehold_core::wire::admin::{Settings, SettingsChange};

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Warn this many days before a code's last day (0: never; at most 365).
    #[arg(long, value_name = "DAYS")]
    pub expiry_warning_days: Option<u32>,
}

/// Changes the settings given (none: only shows them) and prints them.
///
/// # Errors
/// The server unreachable or refusing a value.
pub async fn run(api: &AdminApi, args: SettingsArgs, json: bool) -> Result<()> {
    let settings: Settings = if args.expiry_warning_days.is_some() {
        let change = SettingsChange {
            expiry_warning_days: args.expiry_warning_days,
        };
        api.put("/admin/v1/settings", &change).await?
    } else {
        api.get("/admin/v1/settings", &[]).await?
    };
    if json {
        return print_json(&settings);
    }
    let warning = match settings.expiry_warning_days {
        0 => "never".to_owned(),
        1 => "1 day before a code's last day".to_owned(),
        n => format!("{n} days before a code's last day"),
    };
    outln!("expiry warning  {warning}");
    Ok(())
}
