//! Denials, kept within a fixed bound whatever a stranger sends. A checkout
//! needs no licence to be refused, so one that names a new product each
//! time must not add a counter or an event row each time: products this
//! server has no code for are counted in one bucket, and repeated denials
//! are logged as the first one plus one summary per product per interval.

use leasehold_core::event::{Event, EventKind};
use leasehold_core::{Product, Timestamp};
use std::collections::HashMap;

/// How long a burst of denials of one kind is summed into one event.
pub(super) const INTERVAL_MS: i64 = 60_000;

/// What a denial is counted under: a product with a code on this server
/// (bounded by the codes the admin added), or the one bucket for all others.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Bucket {
    Licensed(Product),
    /// Spends of a licensed product's consumption tokens.
    Tokens(Product),
    Unlicensed,
    /// Renewals that arrive after their lease ended.
    LateRenewals,
}

impl Bucket {
    fn what(&self) -> String {
        match self {
            Self::Licensed(p) => format!("checkouts of {p} denied"),
            Self::Tokens(p) => format!("spends of {p}'s consumption tokens refused"),
            Self::Unlicensed => {
                "checkouts denied for products this server has no license for".into()
            }
            Self::LateRenewals => "renewals refused because their lease had already ended".into(),
        }
    }

    fn kind(&self) -> EventKind {
        match self {
            Self::Licensed(_) | Self::Tokens(_) | Self::Unlicensed => EventKind::Deny,
            Self::LateRenewals => EventKind::RenewAfterExpiry,
        }
    }
}

struct Window {
    started: Timestamp,
    /// Denials after the first one in this window, not logged one by one.
    more: u64,
}

/// Open windows, one per bucket.
#[derive(Default)]
pub(super) struct DenialLog {
    windows: HashMap<Bucket, Window>,
}

impl DenialLog {
    /// Takes a denial in `bucket` at `now`; returns the events to record:
    /// the denial itself when it opens a window (after the summary of the
    /// window before, if that had more), nothing while a window is open.
    pub fn deny(&mut self, bucket: Bucket, now: Timestamp, event: Event) -> Vec<Event> {
        let mut out = Vec::new();
        match self.windows.get_mut(&bucket) {
            Some(w) if now.0 - w.started.0 < INTERVAL_MS => {
                w.more += 1;
                return out;
            }
            Some(w) => {
                if let Some(summary) = summary(&bucket, w, now) {
                    out.push(summary);
                }
                *w = Window {
                    started: now,
                    more: 0,
                };
            }
            None => {
                self.windows.insert(
                    bucket,
                    Window {
                        started: now,
                        more: 0,
                    },
                );
            }
        }
        out.push(event);
        out
    }

    /// Closes the windows that are over: their summaries, to record.
    pub fn flush(&mut self, now: Timestamp) -> Vec<Event> {
        let mut out = Vec::new();
        self.windows.retain(|bucket, w| {
            if now.0 - w.started.0 < INTERVAL_MS {
                return true;
            }
            out.extend(summary(bucket, w, now));
            false
        });
        out
    }
}

fn summary(bucket: &Bucket, w: &Window, now: Timestamp) -> Option<Event> {
    if w.more == 0 {
        return None;
    }
    let message = format!("{}: {} more since {}", bucket.what(), w.more, w.started);
    let mut event = Event::new(bucket.kind(), now, message);
    if let Bucket::Licensed(p) = bucket {
        event.product = Some(p.clone());
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denial(at: i64) -> Event {
        Event::new(EventKind::Deny, Timestamp(at), "denied")
    }

    #[test]
    fn a_burst_is_one_event_and_one_summary() {
        let mut log = DenialLog::default();
        let cad = Bucket::Licensed("cad".into());
        assert_eq!(log.deny(cad.clone(), Timestamp(0), denial(0)).len(), 1);
        for t in 1..1000 {
            assert!(log.deny(cad.clone(), Timestamp(t), denial(t)).is_empty());
            assert!(log.deny(Bucket::Unlicensed, Timestamp(t), denial(t)).len() <= 1);
        }
        assert!(
            log.flush(Timestamp(59_999)).is_empty(),
            "the window is still open"
        );
        let summaries = log.flush(Timestamp(60_001));
        assert_eq!(summaries.len(), 2);
        let cad_summary = summaries.iter().find(|e| e.product.is_some()).unwrap();
        assert!(
            cad_summary
                .message
                .starts_with("checkouts of cad denied: 999 more since"),
            "{}",
            cad_summary.message
        );
        // After the window, the next denial is logged again.
        assert_eq!(log.deny(cad, Timestamp(60_002), denial(60_002)).len(), 1);
        assert_eq!(log.windows.len(), 1);
    }

    #[test]
    fn a_denial_after_the_window_brings_the_summary_with_it() {
        let mut log = DenialLog::default();
        log.deny(Bucket::Unlicensed, Timestamp(0), denial(0));
        log.deny(Bucket::Unlicensed, Timestamp(10), denial(10));
        let out = log.deny(Bucket::Unlicensed, Timestamp(70_000), denial(70_000));
        assert_eq!(out.len(), 2);
        assert!(
            out[0].message.contains(": 1 more since"),
            "{}",
            out[0].message
        );
        assert_eq!(out[1].message, "denied");
    }
}
