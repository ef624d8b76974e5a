//! Leasehold's C ABI: what the Rust SDK does, behind opaque handles, for
//! applications in C, C++, C# and Python (`include/leasehold.h` is generated
//! from this crate by cbindgen; a test keeps it current).
//!
//! The rules every function keeps:
//! - It returns an [`lh_status`] and, when given an [`lh_error`], fills it:
//!   the stable error code (`no_seat_free`, `untrusted_server`, …) and a
//!   sentence for people, both UTF-8 and NUL-terminated.
//! - Strings in are UTF-8 and NUL-terminated; none is kept after the call.
//! - Handles (`lh_builder`, `lh_client`, `lh_seat`) are made by the library
//!   and freed only by its own `*_free` / `lh_seat_release` functions.
//!   Nothing else the library returns needs freeing: results are written
//!   into structs the caller owns.
//! - Thread-safe: a client and a seat may be used from any thread.
//! - No panic crosses the boundary: one becomes `LH_INTERNAL`.
//! - Blocking calls take a timeout in milliseconds (0: the SDK's own limits);
//!   the async runtime (two threads) is hidden inside and started on first
//!   use.

#![allow(non_camel_case_types)]

mod callback;
mod client;
mod features;
mod loans;
mod seat;
mod text;
mod usage;

pub use callback::*;
pub use client::*;
pub use features::*;
pub use loans::*;
pub use seat::*;
pub use usage::*;

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::runtime::Runtime;

/// What a call did.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lh_status {
    /// Done.
    LH_OK = 0,
    /// Failed: the error's code and message say why.
    LH_ERROR = 1,
    /// A null handle or string, or text that is not UTF-8.
    LH_INVALID_ARGUMENT = 2,
    /// Every seat of the product is taken (code `no_seat_free`).
    LH_NO_SEAT = 3,
    /// The timeout passed first (code `timeout`).
    LH_TIMEOUT = 4,
    /// A bug in the library; the message says where.
    LH_INTERNAL = 5,
}

/// Longest error code written, with its NUL.
pub const LH_CODE_LEN: usize = 64;
/// Longest error message written, with its NUL (a longer one is cut at a
/// character boundary).
pub const LH_MESSAGE_LEN: usize = 1024;

/// An error, filled by the call that failed (and cleared by one that
/// succeeded). Owned by the caller; nothing in it needs freeing.
#[repr(C)]
pub struct lh_error {
    pub status: lh_status,
    /// The stable error code, e.g. `no_seat_free`; empty on success.
    pub code: [c_char; LH_CODE_LEN],
    /// What went wrong and what to do, for people.
    pub message: [c_char; LH_MESSAGE_LEN],
}

/// An empty error, for Rust callers (tests, benchmarks).
impl Default for lh_error {
    fn default() -> Self {
        Self {
            status: lh_status::LH_OK,
            code: [0; LH_CODE_LEN],
            message: [0; LH_MESSAGE_LEN],
        }
    }
}

/// A failure on its way to an [`lh_error`].
#[derive(Debug)]
pub(crate) struct Failure {
    pub status: lh_status,
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: lh_status::LH_INVALID_ARGUMENT,
            code: "invalid_argument".into(),
            message: message.into(),
        }
    }
}

impl From<leasehold_client::ClientError> for Failure {
    fn from(e: leasehold_client::ClientError) -> Self {
        let status = match e {
            leasehold_client::ClientError::NoSeatFree { .. } => lh_status::LH_NO_SEAT,
            _ => lh_status::LH_ERROR,
        };
        Self {
            status,
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

/// Runs `f`, turning its failure or panic into a status and `err`.
pub(crate) fn guarded(err: *mut lh_error, f: impl FnOnce() -> Result<(), Failure>) -> lh_status {
    let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        // Blocking on an async runtime's own worker thread: the caller's
        // mistake, said as such.
        if what.contains("within a runtime") {
            return Err(Failure::invalid(IN_RUNTIME));
        }
        Err(Failure {
            status: lh_status::LH_INTERNAL,
            code: "internal".into(),
            message: format!("the Leasehold library hit a bug ({what}); please report it"),
        })
    });
    let status = match &outcome {
        Ok(()) => lh_status::LH_OK,
        Err(f) => f.status,
    };
    // SAFETY: the caller passes null or a valid, writable lh_error.
    if let Some(err) = unsafe { err.as_mut() } {
        err.status = status;
        match &outcome {
            Ok(()) => {
                text::write(&mut err.code, "");
                text::write(&mut err.message, "");
            }
            Err(f) => {
                text::write(&mut err.code, &f.code);
                text::write(&mut err.message, &f.message);
            }
        }
    }
    status
}

/// Its runtime's threads' name: no caller's code runs on them (callbacks
/// have threads of their own), and a blocking call made on one is refused.
const THREAD_NAME: &str = "leasehold-sdk";

const IN_RUNTIME: &str = "a blocking Leasehold call was made from an async runtime's worker thread; call it from your own thread (or a blocking-pool thread)";

/// The library's runtime, started on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, Failure> {
    static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name(THREAD_NAME)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Failure {
            status: lh_status::LH_ERROR,
            code: "internal".into(),
            message: format!("cannot start the Leasehold library's threads: {e}"),
        })
}

/// Runs `fut` to its end on the library's runtime, within `timeout_ms`
/// (0: no limit beyond the SDK's own).
pub(crate) fn block_on<T>(
    timeout_ms: u32,
    fut: impl Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    if std::thread::current().name() == Some(THREAD_NAME) {
        return Err(Failure::invalid(IN_RUNTIME));
    }
    let rt = runtime()?;
    if timeout_ms == 0 {
        return rt.block_on(fut);
    }
    rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(u64::from(timeout_ms)), fut)
            .await
            .unwrap_or_else(|_| {
                Err(Failure {
                    status: lh_status::LH_TIMEOUT,
                    code: "timeout".into(),
                    message: format!("no answer within {timeout_ms} ms"),
                })
            })
    })
}

/// The library's version, e.g. `0.1.0`. A static string: do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn lh_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
