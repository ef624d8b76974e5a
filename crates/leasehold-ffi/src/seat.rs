//! A held seat: its state by polling, by waiting for a change, or by a
//! callback; released (and freed) by `lh_seat_release`.

use crate::callback::Watcher;
use crate::{Failure, block_on, guarded, lh_error, lh_status, runtime, text};
use leasehold_client::{LeaseGuard, SeatState};
use std::ffi::c_char;
use std::sync::Mutex;
use tokio::sync::watch;

/// Where a seat stands.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lh_seat_state {
    /// Held and renewed on time.
    LH_SEAT_HELD = 1,
    /// The server did not answer the last renewal; the lease stays valid
    /// until `expires_at_ms` and the library keeps trying.
    LH_SEAT_RECONNECTING = 2,
    /// The server will not renew (licence over-subscribed): the lease ends
    /// at `expires_at_ms` unless a renewal succeeds before.
    LH_SEAT_EXPIRING = 3,
    /// No seat is held (`reason` says why); the library keeps trying to get
    /// one again.
    LH_SEAT_LOST = 4,
    /// Held again after it was lost (`reason` says why it was).
    LH_SEAT_REGAINED = 5,
    /// Released; nothing more happens.
    LH_SEAT_RELEASED = 6,
}

/// A seat's state, written by the library into the caller's struct.
#[repr(C)]
pub struct lh_seat_info {
    pub state: lh_seat_state,
    /// Whether the application may use the product now (held, reconnecting,
    /// expiring or regained).
    pub usable: bool,
    /// The lease id (empty when none is held, or in standalone mode).
    pub lease_id: [c_char; 40],
    /// Until when the lease (or the standalone licence) is valid, Unix ms;
    /// 0 when none or unlimited.
    pub expires_at_ms: i64,
    /// Lost / regained: why the seat was lost, a stable code
    /// (`lease_expired`, `timed_out`, `untrusted_server`, …); else empty.
    pub reason: [c_char; 64],
    /// Reconnecting: the last error, for people; else empty.
    pub detail: [c_char; 256],
}

/// A held seat. Made by [`crate::lh_checkout`], released and freed by
/// [`lh_seat_release`] (or [`lh_seat_free`]).
pub struct lh_seat {
    guard: Mutex<Option<LeaseGuard>>,
    pub(crate) states: watch::Receiver<SeatState>,
    pub(crate) callback: Mutex<Option<Watcher>>,
}

impl lh_seat {
    pub(crate) fn new(guard: LeaseGuard) -> *mut Self {
        let states = guard.subscribe();
        Box::into_raw(Box::new(Self {
            guard: Mutex::new(Some(guard)),
            states,
            callback: Mutex::new(None),
        }))
    }

    fn take_callback(&self) -> Option<Watcher> {
        self.callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    pub(crate) fn stop_callback(&self) {
        if let Some(watcher) = self.take_callback() {
            watcher.stop();
        }
    }

    /// Lets the callback see the seat released: after `lh_seat_release`
    /// no callback runs.
    fn finish_callback(&self) {
        if let Some(watcher) = self.take_callback() {
            watcher.finish();
        }
    }
}

impl lh_seat {
    /// Runs `f` with the seat's guard (held for the call: a release waits).
    pub(crate) fn with_guard<T>(
        &self,
        f: impl FnOnce(&LeaseGuard) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let guard = self
            .guard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match guard.as_ref() {
            Some(g) => f(g),
            None => Err(Failure::invalid("this seat was released")),
        }
    }
}

pub(crate) fn seat_ref<'a>(seat: *const lh_seat) -> Result<&'a lh_seat, Failure> {
    // SAFETY: the caller passes null or a live seat.
    unsafe { seat.as_ref() }.ok_or_else(|| Failure::invalid("seat is null"))
}

pub(crate) fn fill(info: &mut lh_seat_info, state: &SeatState) {
    let (kind, lease, until, reason, detail) = match state {
        SeatState::Held {
            lease_id,
            expires_at,
        } => (
            lh_seat_state::LH_SEAT_HELD,
            Some(*lease_id),
            expires_at.0,
            "",
            "",
        ),
        SeatState::Reconnecting {
            lease_id,
            until,
            error,
        } => (
            lh_seat_state::LH_SEAT_RECONNECTING,
            Some(*lease_id),
            until.0,
            "",
            error.as_str(),
        ),
        SeatState::Expiring {
            lease_id,
            expires_at,
        } => (
            lh_seat_state::LH_SEAT_EXPIRING,
            Some(*lease_id),
            expires_at.0,
            "",
            "",
        ),
        SeatState::Lost { reason } => (lh_seat_state::LH_SEAT_LOST, None, 0, reason.code(), ""),
        SeatState::Regained {
            lease_id,
            expires_at,
            after,
        } => (
            lh_seat_state::LH_SEAT_REGAINED,
            Some(*lease_id),
            expires_at.0,
            after.code(),
            "",
        ),
        SeatState::Released => (lh_seat_state::LH_SEAT_RELEASED, None, 0, "", ""),
    };
    info.state = kind;
    info.usable = state.is_usable();
    text::write(
        &mut info.lease_id,
        &lease.map(|l| l.to_string()).unwrap_or_default(),
    );
    info.expires_at_ms = until;
    text::write(&mut info.reason, reason);
    text::write(&mut info.detail, detail);
}

fn info_mut<'a>(info: *mut lh_seat_info) -> Result<&'a mut lh_seat_info, Failure> {
    // SAFETY: the caller passes null or a writable lh_seat_info.
    unsafe { info.as_mut() }.ok_or_else(|| Failure::invalid("info is null"))
}

/// The seat's state now (does not block).
///
/// # Safety
/// `seat` a live seat; `info` writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_poll(
    seat: *const lh_seat,
    info: *mut lh_seat_info,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let seat = seat_ref(seat)?;
        fill(info_mut(info)?, &seat.states.borrow());
        Ok(())
    })
}

/// Waits until the seat's state changes (or `timeout_ms` passes:
/// `LH_TIMEOUT`, `info` then holds the state unchanged), and writes it.
///
/// # Safety
/// As [`lh_seat_poll`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_wait(
    seat: *const lh_seat,
    timeout_ms: u32,
    info: *mut lh_seat_info,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let seat = seat_ref(seat)?;
        let info = info_mut(info)?;
        let mut states = seat.states.clone();
        states.mark_unchanged();
        let waited = block_on(timeout_ms, async {
            // A closed channel means released: report that state.
            let _ = states.changed().await;
            Ok(())
        });
        fill(info, &states.borrow());
        waited
    })
}

/// An empty state, for Rust callers and the callback's own buffer.
impl Default for lh_seat_info {
    fn default() -> Self {
        Self {
            state: lh_seat_state::LH_SEAT_RELEASED,
            usable: false,
            lease_id: [0; 40],
            expires_at_ms: 0,
            reason: [0; 64],
            detail: [0; 256],
        }
    }
}

/// Releases the seat (the server frees it at once) and frees the handle,
/// also when the release fails (the lease then runs out by itself).
///
/// # Safety
/// `seat` a live seat, not used after this call; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_release(
    seat: *mut lh_seat,
    timeout_ms: u32,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        if seat.is_null() {
            return Err(Failure::invalid("seat is null"));
        }
        // SAFETY: a live seat, consumed here.
        let seat = unsafe { Box::from_raw(seat) };
        let guard = seat
            .guard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let released = match guard {
            Some(guard) => block_on(timeout_ms, async {
                guard.release().await.map(|_| ()).map_err(Failure::from)
            }),
            None => Ok(()),
        };
        seat.finish_callback();
        released
    })
}

/// Frees the seat without waiting: it is released in the background.
/// Null is ignored.
///
/// # Safety
/// `seat` null or a live seat, not used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_free(seat: *mut lh_seat) {
    if seat.is_null() {
        return;
    }
    // SAFETY: a live seat, consumed here.
    let seat = unsafe { Box::from_raw(seat) };
    seat.stop_callback();
    // Dropping the guard inside the runtime lets it release in the background.
    if let Ok(rt) = runtime() {
        let _entered = rt.enter();
        drop(seat);
    }
}
