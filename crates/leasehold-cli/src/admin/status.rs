//! `leasehold admin status`, `admin token` and `admin trust`.

use super::{AdminApi, Target, api, format, logs, print_json};
use crate::table::Table;
use anyhow::Result;
use leasehold_core::wire::admin::{
    AddTrustedKey, KeySource, ServerStatus, TlsSource, TrustedKeyView,
};

/// How many recent events `status` shows under the figures.
const RECENT_EVENTS: u64 = 8;

/// Prints the server's figures, seats per product, trusted keys and the
/// latest events.
///
/// # Errors
/// The server unreachable or refusing.
pub async fn status(api: &AdminApi, json: bool) -> Result<()> {
    let s: ServerStatus = api.get("/admin/v1/status", &[]).await?;
    if json {
        return print_json(&s);
    }
    let admin = if s.admin_remote {
        "admin calls allowed from the network"
    } else {
        "admin calls from this machine only"
    };
    let mdns = match &s.mdns.detail {
        Some(detail) => format!("{} ({detail})", s.mdns.state),
        None if s.mdns.addresses.is_empty() => s.mdns.state.clone(),
        None => format!("{} on {}", s.mdns.state, s.mdns.addresses.join(", ")),
    };
    let rows = [
        ("server", format!("{} (id {})", s.server_name, s.server_id)),
        ("version", s.version.clone()),
        ("listening", format!("{} ({admin})", s.listen)),
        ("data", s.data_dir.clone()),
        (
            "up since",
            format!(
                "{} ({})",
                format::local_time(s.started_at),
                format::duration(s.uptime_secs)
            ),
        ),
        ("mDNS", mdns),
        (
            "in use",
            format!(
                "{} on {}",
                format::count(s.leases as usize, "seat", "seats"),
                format::count(s.connected_clients as usize, "computer", "computers")
            ),
        ),
    ];
    for (name, value) in rows {
        outln!("{name:<10} {value}");
    }
    match &s.tls {
        Some(tls) => {
            let whose = match tls.source {
                TlsSource::Made => "made by this server",
                TlsSource::Provided => "the admin's",
            };
            outln!(
                "{:<10} on the same port, certificate {} ({whose})",
                "https",
                tls.certificate
            );
            outln!("{:<10} {}", "SHA-256", tls.fingerprint);
        }
        None => outln!("{:<10} off (plain HTTP only)", "https"),
    }
    if let Some(set_back) = &s.clock_set_back {
        outln!();
        outln!("CLOCK SET BACK: {}", set_back.message);
    }

    outln!();
    if s.products.is_empty() {
        outln!("no products licensed yet; add a code with `leasehold admin license add CODE`");
    } else {
        let mut table = Table::new(["PRODUCT", "SEATS", "MOST AT ONCE", "DENIED (LAST HOUR)"]);
        for p in &s.products {
            table.row([
                p.product.to_string(),
                format::seats(p.in_use, p.seats),
                p.high_water.to_string(),
                p.denials_last_hour.to_string(),
            ]);
        }
        out!("{table}");
        for p in s.products.iter().filter(|p| p.ending > 0) {
            outln!(
                "{}: {} ended but cannot be written to the disk yet (is it full?); the seats come back once it can",
                p.product,
                format::count(p.ending as usize, "lease has", "leases have")
            );
        }
    }

    if !s.expiring.is_empty() {
        outln!();
        outln!(
            "ENDING SOON (within {} days; renew these codes):",
            s.expiry_warning_days
        );
        for e in &s.expiring {
            let customer = if e.customer.is_empty() {
                String::new()
            } else {
                format!(", {}", e.customer)
            };
            outln!(
                "  {} ({}{customer}): valid until {}, {} ({})",
                e.product,
                format::count(e.seats as usize, "seat", "seats"),
                e.last_day,
                super::licenses::ends_in(e.days_left),
                e.license_id
            );
        }
    }

    outln!();
    print_keys(&s.trusted_keys)?;

    let recent = logs::recent(api, RECENT_EVENTS).await?;
    if !recent.is_empty() {
        outln!();
        outln!("recent events (all with `leasehold admin logs`):");
        logs::print_events(&recent)?;
    }
    Ok(())
}

fn print_keys(keys: &[TrustedKeyView]) -> Result<()> {
    if keys.is_empty() {
        outln!(
            "no trusted vendor keys: no license code can be added until one is trusted (`leasehold admin trust PUBKEY`)"
        );
        return Ok(());
    }
    let mut table = Table::new(["TRUSTED VENDOR KEY", "FROM", "PUBLIC KEY"]);
    for k in keys {
        let source = match k.source {
            KeySource::BuiltIn => "built in",
            KeySource::CommandLine => "serve --trust",
            KeySource::DataDir => "data directory",
        };
        table.row([
            k.fingerprint.clone(),
            source.to_owned(),
            k.public_key.clone(),
        ]);
    }
    out!("{table}");
    Ok(())
}

/// Prints the admin token kept in the data directory; with `renew`, a new
/// one made first (the server stopped).
///
/// # Errors
/// No token file there (no server ever started) or it cannot be read; with
/// `renew`, a server running on the directory, or no server's database.
pub fn token(target: &Target, renew: bool) -> Result<()> {
    let dir = crate::paths::data_dir(target.data_dir.clone())?;
    let token = if renew {
        let token = leasehold_server::store::renew_admin_token(&dir)?;
        eprintln!(
            "a new admin token is in {}; the old one signs in as no one from the server's next start. Start the server again, and give scripts and browsers that used the old one the new one. A backup taken before now still holds the old one: renew again after restoring it",
            dir.join(leasehold_server::store::TOKEN_FILE).display()
        );
        token
    } else {
        api::read_token(&dir)?
    };
    if target.json {
        print_json(&serde_json::json!({ "token": token }))
    } else {
        outln!("{token}");
        Ok(())
    }
}

/// Adds a trusted vendor key and prints the keys now trusted.
///
/// # Errors
/// Not a public key, a build that trusts only its own keys, or the server unreachable.
pub async fn trust(api: &AdminApi, public_key: &str, json: bool) -> Result<()> {
    let keys: Vec<TrustedKeyView> = api
        .post(
            "/admin/v1/trusted-keys",
            &AddTrustedKey {
                public_key: public_key.trim().to_owned(),
            },
        )
        .await?;
    if json {
        return print_json(&keys);
    }
    outln!("the server now accepts license codes signed by this key");
    print_keys(&keys)?;
    Ok(())
}
