//! Borrowed seats (`vendor issue --max-borrow-hours H`): borrow one for
//! hours to work without the server (checkouts then use it), give it back
//! early.

use crate::client::lh_client;
use crate::{Failure, block_on, guarded, lh_error, lh_status, text};
use leasehold_client::LoanReturn;
use std::ffi::c_char;

/// What giving a loan back did.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum lh_loan_return {
    /// The server has the seat back.
    LH_LOAN_RETURNED = 1,
    /// Dead on this computer; the server hears at the next contact.
    LH_LOAN_PENDING = 2,
    /// This computer holds no loan of the product.
    LH_LOAN_NONE = 3,
}

/// Borrows a seat of `product` for `hours` and keeps the loan on this
/// computer: `lh_checkout` of the product uses it, with no server, until
/// it ends (`until_ms`, Unix ms). Codes `borrow_not_allowed`,
/// `borrow_too_long`, `no_borrowable_seat`, `already_borrowed`.
///
/// # Safety
/// `client` a live client; `product` NUL-terminated; `until_ms` null or
/// writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_borrow(
    client: *const lh_client,
    product: *const c_char,
    hours: u32,
    timeout_ms: u32,
    until_ms: *mut i64,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let client = crate::client::client_ref(client)?;
        let product = text::read(product, "product")?.to_owned();
        let token = block_on(timeout_ms, async {
            client.borrow(product, hours).await.map_err(Failure::from)
        })?;
        // SAFETY: the caller passes null or a writable i64.
        if let Some(out) = unsafe { until_ms.as_mut() } {
            *out = token.until.0;
        }
        Ok(())
    })
}

/// Gives the loan of `product` back early: dead on this computer at once;
/// the server frees the seat now, or at the next contact.
///
/// # Safety
/// `client` a live client; `product` NUL-terminated; `out` null or
/// writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_return(
    client: *const lh_client,
    product: *const c_char,
    timeout_ms: u32,
    out: *mut lh_loan_return,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let client = crate::client::client_ref(client)?;
        let product = text::read(product, "product")?.to_owned();
        let returned = block_on(timeout_ms, async {
            client.return_borrowed(product).await.map_err(Failure::from)
        })?;
        // SAFETY: the caller passes null or a writable lh_loan_return.
        if let Some(out) = unsafe { out.as_mut() } {
            *out = match returned {
                LoanReturn::Returned => lh_loan_return::LH_LOAN_RETURNED,
                LoanReturn::Pending => lh_loan_return::LH_LOAN_PENDING,
                LoanReturn::NoLoan => lh_loan_return::LH_LOAN_NONE,
            };
        }
        Ok(())
    })
}
