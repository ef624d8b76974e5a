//! Feature seats under a held seat (`vendor issue --feature render:4`):
//! checked out under the seat's lease, given back on their own or with it.

use crate::seat::{lh_seat, seat_ref};
use crate::{Failure, block_on, guarded, lh_error, lh_status, text};
use leasehold_client::FeatureSeat;
use std::ffi::c_char;

/// A feature seat, written by the library into the caller's struct.
#[repr(C)]
pub struct lh_feature_info {
    /// The feature's seats now; -1 for a plain entitlement (not counted:
    /// every seat of the product has it), or on a standalone or borrowed
    /// seat.
    pub seats: i64,
    /// Leases holding the feature now, this one included (0 when plain).
    pub in_use: u32,
}

/// Checks a seat of `feature` out under `seat`'s lease. Code
/// `no_feature_seat_free` when all are held, `feature_not_licensed` when no
/// licence gives it.
///
/// # Safety
/// `seat` a live seat; `feature` NUL-terminated; `out` null or writable;
/// `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_checkout_feature(
    seat: *const lh_seat,
    feature: *const c_char,
    timeout_ms: u32,
    out: *mut lh_feature_info,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let seat = seat_ref(seat)?;
        let feature = text::read(feature, "feature")?;
        let held = seat.with_guard(|guard| {
            block_on(timeout_ms, async {
                guard.checkout_feature(feature).await.map_err(Failure::from)
            })
        })?;
        // SAFETY: the caller passes null or a writable lh_feature_info.
        if let Some(out) = unsafe { out.as_mut() } {
            (out.seats, out.in_use) = match held {
                FeatureSeat::Network(grant) => (grant.seats.map_or(-1, i64::from), grant.in_use),
                FeatureSeat::Standalone { .. } => (-1, 0),
            };
        }
        Ok(())
    })
}

/// Gives `seat`'s seat of `feature` back before the lease ends (nothing to
/// do when it holds none).
///
/// # Safety
/// `seat` a live seat; `feature` NUL-terminated; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_release_feature(
    seat: *const lh_seat,
    feature: *const c_char,
    timeout_ms: u32,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let seat = seat_ref(seat)?;
        let feature = text::read(feature, "feature")?;
        seat.with_guard(|guard| {
            block_on(timeout_ms, async {
                guard
                    .release_feature(feature)
                    .await
                    .map(|_| ())
                    .map_err(Failure::from)
            })
        })
    })
}
