//! A clock set back: the server keeps the latest wall time it saw (stored,
//! see `note_time`). A clock more than [`SET_BACK_TOLERANCE`] behind it, at
//! start or while running, puts the server in the `clock_set_back` state:
//! codes with dates stop counting (setting the clock back must not stretch
//! a subscription), `admin status` and the Server tab say so, an event
//! records it. It clears when the clock is right again. NTP corrections are
//! far smaller, and suspend/resume only moves the clock ahead.

use super::Engine;
use super::licenses::LicenseRecord;
use crate::clock::SET_BACK_TOLERANCE;
use leasehold_core::Timestamp;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::license::LicenseTerms;
use leasehold_core::wire::admin::ClockSetBack;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

impl Engine {
    /// Compares the clock with the latest time seen, and enters or leaves
    /// the state (recounting the codes with dates).
    pub fn check_clock(&self) {
        let now = self.now();
        let latest = Timestamp(self.inner.time_noted.load(Ordering::Relaxed));
        let behind = latest.0 > 0 && now.until(latest) > SET_BACK_TOLERANCE;
        // Some(message) when the state was entered, Some(None) when left.
        let changed = {
            let mut state = self
                .inner
                .set_back
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match (behind, state.is_some()) {
                (true, false) => {
                    let message = format!(
                        "this computer's clock shows {now}, {} hours behind the latest time this server saw ({latest}); licence codes with dates do not count until the clock is right: set the date and time (and time zone) of this computer",
                        // Rounded: a test's or a person's "48 hours back"
                        // reads 48, not 47 a millisecond later.
                        (now.until(latest).as_secs() + 1800) / 3600
                    );
                    *state = Some(ClockSetBack {
                        latest_seen: latest,
                        clock_showed: now,
                        message: message.clone(),
                    });
                    Some(Some(message))
                }
                (false, true) => {
                    *state = None;
                    Some(None)
                }
                _ => None,
            }
        };
        match changed {
            None => return,
            Some(Some(message)) => {
                tracing::error!("{message}");
                self.inner
                    .events
                    .record(Event::new(EventKind::ClockSetBack, now, message));
            }
            Some(None) => {
                tracing::info!("the clock is right again: codes with dates count again");
            }
        }
        self.recount_all();
    }

    /// The state, while the clock is set back.
    #[must_use]
    pub fn clock_set_back(&self) -> Option<ClockSetBack> {
        self.inner
            .set_back
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn is_set_back(&self) -> bool {
        self.inner
            .set_back
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// The terms a record adds to the seats now: none for a code with dates
    /// while the clock is set back.
    pub(super) fn counted<'a>(&self, record: &'a LicenseRecord) -> Option<&'a LicenseTerms> {
        let terms = record.counting_terms()?;
        (!(has_dates(terms) && self.is_set_back())).then_some(terms)
    }

    /// Whether the record is a code with dates held back by the clock.
    pub(super) fn held_back(&self, record: &LicenseRecord) -> bool {
        record.counting_terms().is_some_and(has_dates) && self.is_set_back()
    }

    /// Puts every code's seats in the table again as [`Engine::counted`] says.
    fn recount_all(&self) {
        let counted: Vec<(leasehold_core::LicenseId, Option<LicenseTerms>)> = self
            .licenses()
            .iter()
            .map(|(id, r)| (*id, self.counted(r).cloned()))
            .collect();
        {
            let mut table = self.table();
            for (id, terms) in counted {
                table.remove_license(id);
                if let Some(terms) = terms {
                    table.add_license(terms);
                }
            }
        }
        self.chains_changed();
    }
}

fn has_dates(t: &LicenseTerms) -> bool {
    t.valid_from.is_some() || t.valid_until.is_some()
}
