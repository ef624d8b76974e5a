//! A seat's callback, on a thread of its own.

use crate::seat::{fill, lh_seat, lh_seat_info, lh_seat_state, seat_ref};
use crate::{Failure, guarded, lh_error, lh_status, runtime};
use leasehold_client::SeatState;
use std::ffi::c_void;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::{oneshot, watch};

/// Called at every change of a seat's state (see [`lh_seat_on_change`]).
/// NULL stops the callbacks.
pub type lh_seat_callback =
    Option<extern "C" fn(info: *const lh_seat_info, user_data: *mut c_void)>;

/// The caller's `user_data`, handed back on the library's thread.
pub(crate) struct UserData(*mut c_void);
// SAFETY: the library only hands the pointer back; making what it points to
// safe to use from another thread is the caller's promise (see the header).
unsafe impl Send for UserData {}

/// The thread that calls a seat's callback: its own, not one of the
/// runtime's, so a slow callback never holds up a renewal, a blocking
/// Leasehold call in it is allowed, and the thread ends with the seat (a
/// managed runtime that joined it, such as Mono, lets it go then).
pub(crate) struct Watcher {
    stop: oneshot::Sender<()>,
    /// Says the callback has seen the release.
    done: oneshot::Receiver<()>,
    thread: JoinHandle<()>,
}

const CALLBACK_THREAD: &str = "leasehold-callback";

impl Watcher {
    pub(crate) fn start(
        mut states: watch::Receiver<SeatState>,
        callback: extern "C" fn(*const lh_seat_info, *mut c_void),
        user: UserData,
    ) -> Result<Self, Failure> {
        let rt = runtime()?;
        let (stop, mut stopped) = oneshot::channel();
        let (finished, done) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(CALLBACK_THREAD.into())
            .spawn(move || {
                let user = user;
                loop {
                    let changed = rt.block_on(async {
                        tokio::select! {
                            changed = states.changed() => changed.is_ok(),
                            _ = &mut stopped => false,
                        }
                    });
                    if !changed {
                        return;
                    }
                    let mut info = lh_seat_info::default();
                    fill(&mut info, &states.borrow_and_update());
                    callback(&info, user.0);
                    if info.state == lh_seat_state::LH_SEAT_RELEASED {
                        let _ = finished.send(());
                        return;
                    }
                }
            })
            .map_err(|e| Failure {
                status: lh_status::LH_ERROR,
                code: "internal".into(),
                message: format!("cannot start the seat's callback thread: {e}"),
            })?;
        Ok(Self { stop, done, thread })
    }

    /// Ends the callbacks; when this returns none runs (unless it is called
    /// from the callback itself, which then returns into a thread that ends).
    pub(crate) fn stop(self) {
        let _ = self.stop.send(());
        if std::thread::current().id() != self.thread.thread().id() {
            let _ = self.thread.join();
        }
    }

    /// After the release: lets the callback see it (a second at most), then
    /// stops.
    pub(crate) fn finish(mut self) {
        if std::thread::current().id() != self.thread.thread().id()
            && let Ok(rt) = runtime()
        {
            let done = &mut self.done;
            let _ = rt.block_on(async { tokio::time::timeout(Duration::from_secs(1), done).await });
        }
        self.stop();
    }
}

/// Calls `callback(info, user_data)` at every change of the seat's state, the
/// last time with `LH_SEAT_RELEASED`, until another callback (or null) is
/// set. It runs on a thread of the library's made for this seat (named
/// `leasehold-callback`), which ends with the seat: a slow callback holds up
/// nothing but later callbacks, and it may make any Leasehold call. When
/// `lh_seat_release`, `lh_seat_free` or `lh_seat_on_change` returns, the
/// callback set before is not running and will not run again (called from
/// the callback itself, they return without waiting for it). `info` is
/// valid only during the call; `user_data` must be usable from that thread.
///
/// # Safety
/// `seat` a live seat; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_seat_on_change(
    seat: *const lh_seat,
    callback: lh_seat_callback,
    user_data: *mut c_void,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let seat = seat_ref(seat)?;
        seat.stop_callback();
        let Some(callback) = callback else {
            return Ok(());
        };
        let mut states = seat.states.clone();
        states.mark_unchanged();
        let watcher = Watcher::start(states, callback, UserData(user_data))?;
        *seat
            .callback
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(watcher);
        Ok(())
    })
}
