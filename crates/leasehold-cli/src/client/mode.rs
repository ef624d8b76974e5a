//! `leasehold client mode|discover|machine-id`: how this machine gets its
//! license (the settings file), which servers are on the LAN, and the id a
//! node-locked license is issued for.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{ArgGroup, Args, Subcommand};
use leasehold_client::settings::{self, Remembered, Settings, SettingsError};
use leasehold_client::{discovery, identity};
use leasehold_core::license;
use serde_json::json;

/// Which settings file to use.
#[derive(Debug, Args)]
pub struct ConfigArg {
    /// The client settings file (default: `client.toml` in this user's config
    /// directory, e.g. ~/.config/leasehold/client.toml).
    #[arg(long = "config", value_name = "FILE", env = settings::CONFIG_ENV)]
    pub path: Option<PathBuf>,
}

impl ConfigArg {
    /// The settings file path.
    ///
    /// # Errors
    ///
    /// When there is no config directory and no path was given.
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        match &self.path {
            Some(path) if !path.as_os_str().is_empty() => Ok(path.clone()),
            _ => Ok(settings::default_path()?),
        }
    }
}

#[derive(Debug, Args)]
pub struct ModeArgs {
    #[command(subcommand)]
    pub set: Option<ModeSet>,
    #[command(flatten)]
    pub config: ConfigArg,
    /// Show the settings as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ModeSet {
    /// Use a node-locked license file on this machine; no server is asked.
    Standalone {
        /// The license file the vendor sent for this machine.
        #[arg(long, value_name = "FILE")]
        license_file: PathBuf,
        /// Replace a settings file that cannot be read.
        #[arg(long)]
        force: bool,
    },
    /// Borrow seats from a lease server: found automatically, or at the
    /// addresses given (tried in order; after discovery with --auto).
    #[command(group(ArgGroup::new("how").required(true).multiple(true).args(["auto", "servers"])))]
    Network {
        /// Find the server on the LAN (mDNS).
        #[arg(long)]
        auto: bool,
        /// A server address; repeat for a fallback list tried in order.
        /// `https://HOST:PORT` reaches it over TLS.
        #[arg(long = "server", value_name = "HOST:PORT")]
        servers: Vec<String>,
        /// Trust the `https://` server whose certificate has this SHA-256
        /// fingerprint (`leasehold admin status` on the server shows it);
        /// repeat for several servers.
        #[arg(long = "tls-fingerprint", value_name = "SHA256")]
        tls_fingerprints: Vec<String>,
        /// Replace a settings file that cannot be read.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// How long to listen for servers.
    #[arg(long, value_name = "SECS", default_value_t = 3.0)]
    pub timeout: f64,
    /// Print the servers as a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// `client mode …`.
///
/// # Errors
///
/// A settings file that cannot be read (named, with the line), or written.
pub fn mode(args: ModeArgs) -> anyhow::Result<ExitCode> {
    let path = args.config.resolve()?;
    match args.set {
        None => show(&path, args.json),
        Some(ModeSet::Standalone {
            license_file,
            force,
        }) => {
            let license_file = absolute(&license_file)?;
            check_license_file(&license_file)?;
            save(
                &path,
                &Settings::Standalone { license_file },
                force,
                args.json,
            )
        }
        Some(ModeSet::Network {
            auto,
            servers,
            tls_fingerprints,
            force,
        }) => {
            // Each address and fingerprint checked as the client will.
            let mut any_tls = false;
            for server in &servers {
                any_tls |=
                    leasehold_client::ServerApi::with_fingerprints(server, &tls_fingerprints)?
                        .uses_tls();
            }
            if !tls_fingerprints.is_empty() && !any_tls {
                bail!(
                    "--tls-fingerprint trusts a certificate for https:// servers; give the server as --server https://HOST:PORT"
                );
            }
            let settings = Settings::Network {
                auto,
                servers,
                tls_fingerprints: tls_fingerprints
                    .iter()
                    .map(|p| p.trim().to_owned())
                    .collect(),
            };
            save(&path, &settings, force, args.json)
        }
    }
}

fn save(path: &Path, new: &Settings, force: bool, json: bool) -> anyhow::Result<ExitCode> {
    match Settings::load_if_exists(path) {
        Ok(_) => {}
        Err(e @ SettingsError::Invalid { .. }) if !force => {
            bail!("{e}; pass --force to replace it")
        }
        Err(e) if !force => return Err(e.into()),
        Err(_) => {}
    }
    new.save(path)?;
    if json {
        println!("{}", settings_json(path, Some(new)));
    } else {
        println!("mode {new}");
        println!("saved to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn show(path: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let loaded = Settings::load_if_exists(path)?;
    if json {
        println!("{}", settings_json(path, loaded.as_ref()));
        return Ok(ExitCode::SUCCESS);
    }
    print_settings(path, loaded.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// The settings as `client mode` and `client status` show them.
pub fn print_settings(path: &Path, loaded: Option<&Settings>) {
    let settings = loaded.cloned().unwrap_or_default();
    match loaded {
        Some(_) => println!("settings  {}", path.display()),
        None => println!("settings  {} (not written yet: defaults)", path.display()),
    }
    match &settings {
        Settings::Standalone { license_file } => {
            println!("mode      standalone");
            println!("license   {}", license_file.display());
        }
        Settings::Network {
            auto,
            servers,
            tls_fingerprints,
        } => {
            println!("mode      network");
            if *auto {
                println!("discover  yes (mDNS)");
            }
            if !servers.is_empty() {
                println!("servers   {}", servers.join(", "));
            }
            for pin in tls_fingerprints {
                println!("trusted   certificate {pin}");
            }
            if *auto && let Some(last) = Remembered::load(&settings::state_path(path)) {
                println!(
                    "last found {} at {} (id {})",
                    last.server_name, last.address, last.server_id
                );
            }
        }
    }
    if let Ok(addr) = std::env::var(leasehold_client::SERVER_ENV)
        && !addr.trim().is_empty()
    {
        println!(
            "override  {}={} (this run uses that server)",
            leasehold_client::SERVER_ENV,
            addr.trim()
        );
    }
}

/// The settings as JSON (camelCase, like the API).
pub fn settings_json(path: &Path, loaded: Option<&Settings>) -> serde_json::Value {
    let settings = loaded.cloned().unwrap_or_default();
    let last = Remembered::load(&settings::state_path(path));
    let mut value = match &settings {
        Settings::Standalone { license_file } => json!({
            "mode": "standalone",
            "licenseFile": license_file,
        }),
        Settings::Network {
            auto,
            servers,
            tls_fingerprints,
        } => json!({
            "mode": "network",
            "auto": auto,
            "servers": servers,
            "tlsFingerprints": tls_fingerprints,
            "lastFound": last.map(|l| json!({
                "address": l.address, "serverId": l.server_id, "serverName": l.server_name,
            })),
        }),
    };
    value["path"] = json!(path);
    value["written"] = json!(loaded.is_some());
    value
}

/// `FILE` made absolute against the current directory.
fn absolute(file: &Path) -> anyhow::Result<PathBuf> {
    if file.is_absolute() {
        return Ok(file.to_owned());
    }
    let here = std::env::current_dir().context("cannot read the current directory")?;
    Ok(here.join(file))
}

/// Refuses a file that is missing or holds no license code; warns about one
/// that will not work here (its signature is checked by the application).
fn check_license_file(file: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the license file {}", file.display()))?;
    let code = license::parse(text.trim())
        .with_context(|| format!("{} does not hold a license code", file.display()))?;
    let terms = code.terms();
    match (&terms.node_lock, identity::machine_id()) {
        (None, _) => eprintln!(
            "warning: {} is a floating license (for a server), not a node-locked one",
            file.display()
        ),
        (Some(locked), Ok(me)) if locked.trim() != me.as_str() => eprintln!(
            "warning: {} is for another computer (machine id {locked}); this one is {me}",
            file.display()
        ),
        _ => {}
    }
    Ok(())
}

/// `client discover`.
///
/// # Errors
///
/// Only when mDNS cannot run at all; finding nothing is not an error.
pub async fn discover(args: DiscoverArgs) -> anyhow::Result<ExitCode> {
    if !args.timeout.is_finite() || args.timeout < 0.0 {
        bail!("--timeout must be a number of seconds, 0 or more");
    }
    let servers = discovery::discover(Duration::from_secs_f64(args.timeout)).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&servers).context("cannot format the servers as JSON")?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if servers.is_empty() {
        eprintln!(
            "no Leasehold server found within {} s (mDNS does not cross routers or VPNs: \
             `leasehold client mode network --server HOST:PORT` always works)",
            args.timeout
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 4]> = servers
        .iter()
        .map(|s| {
            let addresses: Vec<String> = s.addresses.iter().map(ToString::to_string).collect();
            [
                s.name.clone(),
                addresses.join(" "),
                s.server_id.clone(),
                s.protocol_version.to_string(),
            ]
        })
        .collect();
    print!("{}", table(&["NAME", "ADDRESSES", "ID", "PROTOCOL"], &rows));
    Ok(ExitCode::SUCCESS)
}

/// Left-aligned columns separated by two spaces.
fn table(header: &[&str; 4], rows: &[[String; 4]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push('\n');
        out
    };
    let mut out = line(*header);
    for row in rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3]]));
    }
    out
}

/// `client machine-id`.
///
/// # Errors
///
/// When the operating system's machine id cannot be read.
pub fn machine_id() -> anyhow::Result<ExitCode> {
    println!("{}", identity::machine_id()?);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let rows = [[
            "Design office".to_owned(),
            "10.0.0.2:7878".to_owned(),
            "abc".to_owned(),
            "1".to_owned(),
        ]];
        let text = table(&["NAME", "ADDRESSES", "ID", "PROTOCOL"], &rows);
        let lines: Vec<_> = text.lines().collect();
        assert_eq!(lines[0], "NAME           ADDRESSES      ID   PROTOCOL");
        assert_eq!(lines[1], "Design office  10.0.0.2:7878  abc  1");
    }
}
