//! Consumption tokens (`vendor issue --tokens N`): spend units once per
//! idempotency key.

use crate::client::lh_client;
use crate::{Failure, block_on, guarded, lh_error, lh_status, text};
use std::ffi::c_char;

/// A spend as the server recorded it (the first one, when the key was
/// spent before).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct lh_spend {
    pub amount: u64,
    /// Of `amount`: units beyond the balance (the token overdraft).
    pub over: u64,
    /// Units of the period's balance left right after the spend.
    pub left: u64,
    /// When it was spent (Unix ms, the server's clock).
    pub at_ms: i64,
    /// The key was spent before: this is the first spend, nothing more was
    /// spent now.
    pub replayed: bool,
}

/// Spends `amount` of `product`'s consumption tokens under `key` (one key
/// per spend: a job id); answered once the server has it durably. The same
/// key again, after any failure, is answered with the first spend and
/// spends nothing more: on an error other than a refusal, call again with
/// the same key. Codes `tokens_exhausted`, `tokens_not_licensed`,
/// `idempotency_key_reused`, `unreachable`.
///
/// # Safety
/// `client` a live client; `product` and `key` NUL-terminated; `note` null
/// or NUL-terminated; `out` null or writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_consume(
    client: *const lh_client,
    product: *const c_char,
    amount: u64,
    key: *const c_char,
    note: *const c_char,
    timeout_ms: u32,
    out: *mut lh_spend,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let client = crate::client::client_ref(client)?;
        let product = text::read(product, "product")?.to_owned();
        let key = text::read(key, "key")?.to_owned();
        let note = text::read_opt(note, "note")?.unwrap_or("").to_owned();
        let answer = block_on(timeout_ms, async {
            client
                .consume_noted(product, amount, &key, &note)
                .await
                .map_err(Failure::from)
        })?;
        // SAFETY: the caller passes null or a writable lh_spend.
        if let Some(out) = unsafe { out.as_mut() } {
            let s = &answer.spend;
            *out = lh_spend {
                amount: s.amount,
                over: s.over,
                left: s.left,
                at_ms: s.at.0,
                replayed: answer.replayed,
            };
        }
        Ok(())
    })
}
