//! Usage reports sent to the vendor's authority (`leasehold admin report
//! --upload URL`): kept only when they check against the vendor's key (a
//! server the vendor activated, signed, its event chain intact), one file
//! per server and period in `DATA_DIR/reports/SERVER_ID/`, at most
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
/// `report_refused` saying what fails; `storage_full` when the server has
/// [`MAX_PER_SERVER`] reports already; an I/O error.
pub fn receive(authority: &Authority, text: &str) -> Result<ReportReceived> {
    let checked = report::verify(text, &[authority.key.public()])
        .map_err(|e| Error::ReportRefused(format!("the report does not check: {e}")))?;
    let b = &checked.body;
    // The id names a folder: only a UUID's characters.
    if b.server_id.is_empty()
        || !b
            .server_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-')
    {
        return Err(Error::ReportRefused(format!(
            "the report names server {:?}, not a server id",
            b.server_id
        )));
    }
    let dir = authority.ledger.dir().join("reports").join(&b.server_id);
    let io = |doing: &str, path: &Path, e: std::io::Error| {
        Error::Internal(format!("{doing} {}: {e}", path.display()))
    };
    std::fs::create_dir_all(&dir).map_err(|e| io("creating", &dir, e))?;
    let file = dir.join(format!("{}-{}.lhr", b.from.0, b.to.0));
    let replaced = file.exists();
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
