//! Codes that end soon: how many days each has left, and the window within
//! which the admin is warned (setting `expiry_warning_days`, 30 unless
//! changed with `PUT /admin/v1/settings`).

use super::Engine;
use crate::error::{Error, Result};
use crate::store::Op;
use leasehold_core::Timestamp;
use leasehold_core::license::{day_text, days_left, last_day_text};
use leasehold_core::wire::admin::{
    DEFAULT_EXPIRY_WARNING_DAYS, ExpiringLicense, LicenseState, LicenseView,
    MAX_EXPIRY_WARNING_DAYS, Settings, SettingsChange,
};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// The setting holding the warning window in days.
pub const EXPIRY_WARNING_SETTING: &str = "expiry_warning_days";

/// The warning window stored in `settings`, or the default.
#[must_use]
pub fn stored_window(settings: &BTreeMap<String, String>) -> u32 {
    settings
        .get(EXPIRY_WARNING_SETTING)
        .and_then(|v| v.parse().ok())
        .filter(|d| *d <= MAX_EXPIRY_WARNING_DAYS)
        .unwrap_or(DEFAULT_EXPIRY_WARNING_DAYS)
}

/// Fills a view's first and last day, days left and warning.
pub(super) fn mark(view: &mut LicenseView, now: Timestamp, window: u32) {
    view.first_day = view.valid_from.map(day_text);
    view.last_day = view.valid_until.map(last_day_text);
    view.days_left = view.valid_until.and_then(|until| days_left(until, now));
    view.expiring_soon =
        view.state == LicenseState::Active && view.days_left.is_some_and(|d| d < window);
}

impl Engine {
    /// Days before a code's last day it is warned of (0: never).
    #[must_use]
    pub fn expiry_warning_days(&self) -> u32 {
        self.inner.expiry_window.load(Ordering::Relaxed)
    }

    /// The settings an admin may change.
    #[must_use]
    pub fn settings(&self) -> Settings {
        Settings {
            expiry_warning_days: self.expiry_warning_days(),
        }
    }

    /// Changes the settings named, each checked before any is kept.
    ///
    /// # Errors
    /// `invalid_field` for a value out of range, or a store error.
    pub async fn change_settings(&self, change: SettingsChange) -> Result<Settings> {
        if let Some(days) = change.expiry_warning_days {
            if days > MAX_EXPIRY_WARNING_DAYS {
                return Err(Error::InvalidField {
                    field: "expiryWarningDays",
                    reason: format!(
                        "{days} days is too long; give 0 (no warnings) to {MAX_EXPIRY_WARNING_DAYS}"
                    ),
                });
            }
            self.persist(vec![Op::PutSetting {
                key: EXPIRY_WARNING_SETTING.to_owned(),
                value: days.to_string(),
            }])
            .await?;
            self.inner.expiry_window.store(days, Ordering::Relaxed);
            self.record(
                leasehold_core::event::EventKind::SettingsChanged,
                match days {
                    0 => "expiry warnings switched off".to_owned(),
                    d => format!("codes are warned of {d} days before their last day"),
                },
            );
        }
        Ok(self.settings())
    }

    /// Codes that count now and end within the warning window, soonest first.
    #[must_use]
    pub fn expiring_licenses(&self) -> Vec<ExpiringLicense> {
        let mut soon: Vec<ExpiringLicense> = self
            .license_views()
            .into_iter()
            .filter(|v| v.expiring_soon)
            .filter_map(|v| {
                Some(ExpiringLicense {
                    last_day: v.last_day?,
                    days_left: v.days_left?,
                    license_id: v.license_id,
                    product: v.product,
                    customer: v.customer,
                    seats: v.seats,
                })
            })
            .collect();
        soon.sort_by(|a, b| {
            a.days_left
                .cmp(&b.days_left)
                .then(a.product.cmp(&b.product))
        });
        soon
    }
}
