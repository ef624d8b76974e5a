//! Consumption tokens (`vendor issue --tokens N [--tokens-period month|year|
//! none] [--tokens-overdraft N]`): a balance of units a product's
//! applications spend, given again each period. A spend names an
//! idempotency key: the same key again (after a timeout, a retry, a restart)
//! is answered with the first spend and spends nothing more, so a client
//! that cannot tell whether its spend landed simply sends it again.
//!
//! The ledger keeps the spends of the periods it is asked about; the caller
//! stores each spend before answering, and restores them on start.

use crate::ids::{ClientId, Product};
use crate::license::TokenPeriod;
use crate::pool::Pools;
use crate::time::Timestamp;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest idempotency key, in bytes.
pub const MAX_KEY_LEN: usize = 128;
/// The longest note a spend carries, in bytes.
pub const MAX_NOTE_LEN: usize = 256;

/// What a client asks to spend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spend {
    pub product: Product,
    pub amount: u64,
    pub key: String,
    pub client_id: ClientId,
    pub user: String,
    pub note: String,
}

/// A spend recorded in the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Spent {
    pub product: Product,
    pub key: String,
    pub amount: u64,
    pub client_id: ClientId,
    pub user: String,
    pub note: String,
    pub at: Timestamp,
    /// The start of the period it was spent in.
    pub period_start: Timestamp,
    /// Of `amount`: units beyond the balance, from the token overdraft
    /// (the vendor bills these).
    pub over: u64,
}

/// A product's tokens in the period running at a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub product: Product,
    pub period: TokenPeriod,
    pub period_start: Timestamp,
    /// When the tokens are given again (`None`: once, never again).
    pub period_end: Option<Timestamp>,
    /// Units given for the period (the counting codes' sum).
    pub units: u64,
    /// Units that may be spent beyond them.
    pub overdraft: u64,
    pub spent: u64,
}

impl Balance {
    /// Units left of the balance (not counting the overdraft).
    #[must_use]
    pub fn left(&self) -> u64 {
        self.units.saturating_sub(self.spent)
    }

    /// Units spent beyond the balance, from the overdraft.
    #[must_use]
    pub fn over(&self) -> u64 {
        self.spent.saturating_sub(self.units)
    }
}

/// Why a spend is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpendError {
    #[error("no licence of {0} counting now gives tokens")]
    NoTokens(Product),
    #[error(
        "{product} has {left} tokens left this period{}, not the {asked} asked; they are given again {}",
        if *overdraft_left > 0 { format!(" (and {overdraft_left} of overdraft)") } else { String::new() },
        period_end.map_or_else(|| "never (the licence's tokens are given once)".to_owned(), |t| format!("at {}", t.to_rfc3339()))
    )]
    Exhausted {
        product: Product,
        asked: u64,
        left: u64,
        overdraft_left: u64,
        period_end: Option<Timestamp>,
    },
    #[error(
        "the idempotency key {key} was used for another spend ({amount} of {product}); a key names one spend: send a new key for a new spend"
    )]
    KeyReused {
        key: String,
        product: Product,
        amount: u64,
    },
}

/// A spend's outcome: recorded now, or the one recorded before under the
/// same key (nothing more spent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    New(Spent),
    Replay(Spent),
}

/// The spends kept in memory: by key (the replay check) and summed per
/// product and period (the balance).
#[derive(Debug, Default)]
pub struct Ledger {
    by_key: HashMap<(Product, String), Spent>,
    spent: HashMap<(Product, Timestamp), u64>,
}

impl Ledger {
    /// Spends `s.amount` of `s.product` at `now`, or answers the spend
    /// recorded before under `s.key`.
    ///
    /// # Errors
    /// [`SpendError`]: no tokens, not enough left, or the key used for
    /// another spend.
    pub fn spend(
        &mut self,
        pools: &Pools,
        s: &Spend,
        now: Timestamp,
    ) -> Result<Outcome, SpendError> {
        if let Some(before) = self.by_key.get(&(s.product.clone(), s.key.clone())) {
            if before.amount != s.amount {
                return Err(SpendError::KeyReused {
                    key: s.key.clone(),
                    product: s.product.clone(),
                    amount: before.amount,
                });
            }
            return Ok(Outcome::Replay(before.clone()));
        }
        let balance = self
            .balance(pools, &s.product, now)
            .ok_or_else(|| SpendError::NoTokens(s.product.clone()))?;
        let after = balance.spent.saturating_add(s.amount);
        let most = balance.units.saturating_add(balance.overdraft);
        if after > most {
            return Err(SpendError::Exhausted {
                product: s.product.clone(),
                asked: s.amount,
                left: balance.left(),
                overdraft_left: most
                    .saturating_sub(balance.spent)
                    .saturating_sub(balance.left()),
                period_end: balance.period_end,
            });
        }
        let spent = Spent {
            product: s.product.clone(),
            key: s.key.clone(),
            amount: s.amount,
            client_id: s.client_id.clone(),
            user: s.user.clone(),
            note: s.note.clone(),
            at: now,
            period_start: balance.period_start,
            over: after.saturating_sub(balance.units).min(s.amount),
        };
        self.restore(spent.clone());
        Ok(Outcome::New(spent))
    }

    /// Takes back a spend whose write failed.
    pub fn undo(&mut self, spent: &Spent) {
        if self
            .by_key
            .remove(&(spent.product.clone(), spent.key.clone()))
            .is_some()
            && let Some(sum) = self
                .spent
                .get_mut(&(spent.product.clone(), spent.period_start))
        {
            *sum = sum.saturating_sub(spent.amount);
        }
    }

    /// Puts a stored spend back (loading after a restart).
    pub fn restore(&mut self, spent: Spent) {
        let key = (spent.product.clone(), spent.key.clone());
        if self.by_key.contains_key(&key) {
            return;
        }
        let sum = self
            .spent
            .entry((spent.product.clone(), spent.period_start))
            .or_default();
        *sum = sum.saturating_add(spent.amount);
        self.by_key.insert(key, spent);
    }

    /// `product`'s tokens in the period running at `now`; `None` when no
    /// code counting now gives it tokens.
    #[must_use]
    pub fn balance(&self, pools: &Pools, product: &Product, now: Timestamp) -> Option<Balance> {
        let (units, overdraft, period) = pools.tokens(product, now)?;
        let (period_start, period_end) = period_bounds(period, now);
        Some(Balance {
            product: product.clone(),
            period,
            period_start,
            period_end,
            units,
            overdraft,
            spent: self
                .spent
                .get(&(product.clone(), period_start))
                .copied()
                .unwrap_or(0),
        })
    }

    /// Forgets the spends of periods that ended before `start` (kept in the
    /// store; a key from then sent again is looked up there), so memory
    /// holds the running periods' spends only: at most their units and
    /// overdraft, one unit a spend at the least.
    pub fn forget_before(&mut self, start: Timestamp) {
        self.by_key
            .retain(|_, s| s.period_start >= start || s.period_start == ONCE);
        self.spent
            .retain(|(_, period), _| *period >= start || *period == ONCE);
    }
}

/// The period key of tokens given once.
const ONCE: Timestamp = Timestamp(0);

/// The period running at `now`: its start and (for a month or a year) end,
/// in UTC.
#[must_use]
pub fn period_bounds(period: TokenPeriod, now: Timestamp) -> (Timestamp, Option<Timestamp>) {
    let at = DateTime::<Utc>::from_timestamp_millis(now.0).unwrap_or_default();
    let day_one = |year: i32, month: u32| {
        Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
            .single()
            .map_or(ONCE, |d| Timestamp(d.timestamp_millis()))
    };
    match period {
        TokenPeriod::None => (ONCE, None),
        TokenPeriod::Month => {
            let (y, m) = (at.year(), at.month());
            let next = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            (day_one(y, m), Some(day_one(next.0, next.1)))
        }
        TokenPeriod::Year => (day_one(at.year(), 1), Some(day_one(at.year() + 1, 1))),
    }
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
