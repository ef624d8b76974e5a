//! Usage reports sent to the vendor's authority (`leasehold admin report
//! --upload URL`): kept only when they check against the vendor's key (a
//! server the vendor activated, signed, its event chain intact), one file
//! per server key and period in `DATA_DIR/reports/SERVER_KEY/`, at most
//! [`MAX_PER_SERVER`] per server.

use super::Authority;
use crate::error::{Error, Result};
use leasehold_core::report;
use leasehold_core::wire::authority::ReportReceived;
use std::path::Path;

/// The largest report the authority takes (a month of a busy server's
/// events).
pub const MAX_REPORT_BYTES: usize = 64 << 20;
/// Reports kept per server (a report a day for more than two years).
pub const MAX_PER_SERVER: usize = 1_000;

/// Checks a report's text and keeps it.
///
/// # Errors
/// `report_refused` saying what fails (also when the server has
/// [`MAX_PER_SERVER`] reports already, or another report of the period);
/// an I/O error.
pub fn receive(authority: &Authority, text: &str) -> Result<ReportReceived> {
    let checked = report::verify(text, &[authority.key.public()])
        .map_err(|e| Error::ReportRefused(format!("the report does not check: {e}")))?;
    let b = &checked.body;
    // Kept by the key that signed it (the one the vendor's activation
    // names: checked above, 64 hex digits), not by the id it claims.
    let dir = authority
        .ledger
        .dir()
        .join("reports")
        .join(&b.server_public_key);
    let io = |doing: &str, path: &Path, e: std::io::Error| {
        Error::Internal(format!("{doing} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(&dir).map_err(|e| io("creating", &dir, e))?;
    let file = dir.join(format!("{}-{}.lhr", b.from.0, b.to.0));
    let replaced = file.exists();
    if replaced && std::fs::read_to_string(&file).ok().as_deref() != Some(text) {
        // Never overwritten: a second, different report of one period is
        // for the vendor to see, not to lose the first by.
        return Err(Error::ReportRefused(format!(
            "a different report of this server for the same period is kept already ({}); ask the vendor",
            file.display()
        )));
    }
    if !replaced {
        let kept = std::fs::read_dir(&dir)
            .map_err(|e| io("reading", &dir, e))?
            .count();
        if kept >= MAX_PER_SERVER {
            return Err(Error::ReportRefused(format!(
                "this authority keeps {MAX_PER_SERVER} reports of server {} already; move older ones out of {}",
                b.server_id,
                dir.display()
            )));
        }
    }
    // Written whole, then renamed over: a reader never sees half a file.
    let part = file.with_extension("part");
    std::fs::write(&part, text).map_err(|e| io("writing", &part, e))?;
    std::fs::rename(&part, &file).map_err(|e| io("keeping", &file, e))?;
    tracing::info!(server = %b.server_id, from = b.from.0, to = b.to.0, "usage report received");
    Ok(ReportReceived {
        server_id: b.server_id.clone(),
        from: b.from,
        to: b.to,
        events: b.events.items.len() as u64,
        replaced,
    })
}
