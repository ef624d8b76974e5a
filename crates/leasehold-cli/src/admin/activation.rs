//! `leasehold admin activation request | import | online | deactivate |
//! authority`: activating a licence on this server with the vendor, by copy
//! and paste or a file, or online through the vendor's activation authority.

use super::{AdminApi, format, print_json};
use crate::blocks::read_block;
use anyhow::{Context, Result};
use clap::Subcommand;
use leasehold_core::LicenseId;
use leasehold_core::wire::admin::{
    ActivationRequestView, Deactivated, DeactivationProofView, ImportActivation, LicenseView,
    ServerStatus, SetAuthority,
};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ActivationCmd {
    /// Print the activation request for a licence on this server, to send to
    /// the vendor (who answers it with `leasehold vendor activate`).
    Request {
        /// The licence id, as `admin license list` shows it.
        #[arg(value_name = "LICENSE_ID")]
        id: LicenseId,
        /// Write the request to FILE instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import the vendor's activation response: the licence counts from now.
    Import {
        /// The response: the text (its groups may be separate words), a file
        /// holding it, or `-` for stdin.
        #[arg(value_name = "RESPONSE_OR_FILE", required = true, num_args = 1..)]
        response: Vec<String>,
    },
    /// Activate a licence through the vendor's activation authority (the
    /// server sends the request and imports the answer).
    Online {
        #[arg(value_name = "LICENSE_ID")]
        id: LicenseId,
        /// The authority's address as the vendor gave it (`http://host:port`).
        /// Default: the one set with `admin activation authority`.
        #[arg(long, value_name = "URL")]
        authority: Option<String>,
    },
    /// Stop counting a licence here (leases out run to their end) and print
    /// the signed proof the vendor needs to activate it on another server.
    /// With an activation authority, the proof is sent to it as well.
    Deactivate {
        #[arg(value_name = "LICENSE_ID")]
        id: LicenseId,
        /// Write the proof to FILE instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Send the proof to this activation authority (default: the one set
        /// with `admin activation authority`, if any).
        #[arg(long, value_name = "URL")]
        authority: Option<String>,
    },
    /// Print the proof of this server's last deactivation of a licence again
    /// (kept until it is activated here again), for the vendor.
    Proof {
        #[arg(value_name = "LICENSE_ID")]
        id: LicenseId,
        /// Write the proof to FILE instead of printing it.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Show, set or forget the vendor's activation authority this server
    /// uses for `online` (and the UI's *Activate online*).
    Authority {
        /// The authority's address (`http://host:port`).
        #[arg(value_name = "URL", conflicts_with = "forget")]
        url: Option<String>,
        /// Forget the address.
        #[arg(long)]
        forget: bool,
    },
}

/// Runs an `activation` subcommand.
///
/// # Errors
/// The server refuses (its message says what to do), or a file cannot be
/// read or written.
pub async fn run(api: &AdminApi, cmd: ActivationCmd, json: bool) -> Result<()> {
    match cmd {
        ActivationCmd::Request { id, out } => {
            let view: ActivationRequestView = api
                .get(&format!("/admin/v1/licenses/{id}/activation-request"), &[])
                .await?;
            if json {
                return print_json(&view);
            }
            emit(&view.request, out.as_deref(), "activation request")?;
            eprintln!(
                "Send this activation request for licence {id} to the vendor; import their response with `leasehold admin activation import RESPONSE_OR_FILE`."
            );
            Ok(())
        }
        ActivationCmd::Import { response } => {
            let response = read_block(&response, &mut std::io::stdin(), "activation response")?;
            let view: LicenseView = api
                .post("/admin/v1/activations", &ImportActivation { response })
                .await?;
            if json {
                return print_json(&view);
            }
            outln!(
                "licence {} ({}) is activated on this server: it adds {} seat(s)",
                view.license_id,
                view.product,
                view.seats
            );
            outln!(
                "{} now: {}",
                view.product,
                format::seats(view.product_in_use, view.product_seats)
            );
            Ok(())
        }
        ActivationCmd::Online { id, authority } => {
            let view: LicenseView = api
                .post_with(
                    &format!("/admin/v1/licenses/{id}/activate-online"),
                    &authority_query(authority),
                    &(),
                )
                .await?;
            if json {
                return print_json(&view);
            }
            outln!(
                "licence {} ({}) is activated on this server by the vendor's authority: it adds {} seat(s)",
                view.license_id,
                view.product,
                view.seats
            );
            Ok(())
        }
        ActivationCmd::Deactivate { id, out, authority } => {
            let done: Deactivated = api
                .post_with(
                    &format!("/admin/v1/licenses/{id}/deactivate"),
                    &authority_query(authority),
                    &(),
                )
                .await?;
            if json {
                return print_json(&done);
            }
            emit(&done.proof, out.as_deref(), "deactivation proof")?;
            eprintln!(
                "Licence {id} no longer counts here ({} now: {}; leases out run to their end).",
                done.product,
                format::seats(done.in_use, done.seats_now)
            );
            match &done.authority {
                Some(sent) if sent.freed => eprintln!(
                    "The activation authority at {} freed the activation: the licence may be activated on another server now.",
                    sent.url
                ),
                Some(sent) => eprintln!(
                    "The proof could not be given to the activation authority at {}: {}. Keep the proof and send it to the vendor (`leasehold vendor deactivate`).",
                    sent.url,
                    sent.error.as_deref().unwrap_or("no reason given")
                ),
                None => eprintln!(
                    "Send the proof to the vendor, who frees the activation with `leasehold vendor deactivate`."
                ),
            }
            Ok(())
        }
        ActivationCmd::Proof { id, out } => {
            let view: DeactivationProofView = api
                .get(&format!("/admin/v1/licenses/{id}/deactivation-proof"), &[])
                .await?;
            if json {
                return print_json(&view);
            }
            emit(&view.proof, out.as_deref(), "deactivation proof")?;
            Ok(())
        }
        ActivationCmd::Authority { url, forget } => {
            let status: ServerStatus = if url.is_some() || forget {
                api.put("/admin/v1/authority", &SetAuthority { url })
                    .await?
            } else {
                api.get("/admin/v1/status", &[]).await?
            };
            if json {
                return print_json(&status.authority_url);
            }
            match status.authority_url {
                Some(url) => outln!("activation authority: {url}"),
                None => outln!(
                    "no activation authority is set; activate with the offline exchange (`admin activation request`), or set the address your vendor gave you"
                ),
            }
            Ok(())
        }
    }
}

fn authority_query(authority: Option<String>) -> Vec<(&'static str, String)> {
    authority
        .map(|url| ("authority", url))
        .into_iter()
        .collect()
}

/// Prints a block, or writes it to `file` (saying so).
fn emit(text: &str, file: Option<&Path>, what: &str) -> Result<()> {
    match file {
        Some(path) => {
            std::fs::write(path, format!("{text}\n"))
                .with_context(|| format!("cannot write the {what} to {}", path.display()))?;
            eprintln!("Wrote the {what} to {}.", path.display());
        }
        None => outln!("{text}"),
    }
    Ok(())
}
