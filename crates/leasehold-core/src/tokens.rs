//! Consumption tokens (`vendor issue --tokens N [--tokens-period month|year|
//! none] [--tokens-overdraft N]`): a balance of units a product's
//! applications spend, given again each period. A spend names an
//! idempotency key: the same key again (after a timeout, a retry, a restart)
//! is answered with the first spend and spends nothing more, so a client
//! that cannot tell whether its spend landed simply sends it again.
//!
//! The store holds every spend and is the judge of a key seen before: a
//! spend is written under a unique key, and a write refused as a duplicate
//! is answered with the stored spend. The ledger in memory holds the sums
//! per product and period (the balance) and the spends being written, so a
//! key sent again while its first spend is still on its way waits for that
//! write rather than spending twice or answering before it is durable.

use crate::ids::{ClientId, Product};
use crate::license::TokenPeriod;
use crate::pool::Pools;
use crate::time::Timestamp;
use chrono::{DateTime, Datelike, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest idempotency key, in characters.
pub const MAX_KEY_CHARS: usize = 128;
/// The longest note a spend carries, in characters.
pub const MAX_NOTE_CHARS: usize = 256;

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
    /// Units of the period's balance left right after this spend (the
    /// overdraft not counted).
    pub left: u64,
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
    #[error(
        "no licence code of {0} counting now gives consumption tokens; add one that does (`vendor inspect` shows a code's tokens)"
    )]
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

impl SpendError {
    /// The stable code sent to clients.
    #[must_use]
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            Self::NoTokens(_) => crate::ErrorCode::TokensNotLicensed,
            Self::Exhausted { .. } => crate::ErrorCode::TokensExhausted,
            Self::KeyReused { .. } => crate::ErrorCode::IdempotencyKeyReused,
        }
    }
}

/// A spend's outcome in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Counted now: write it, then call [`Ledger::written`] (or
    /// [`Ledger::undo`] when the write fails or finds the key stored).
    New(Spent),
    /// A spend under this key is being written: wait for that write to end,
    /// then ask again.
    Pending,
    /// Spent before under this key (written lately, so still in memory):
    /// the first spend is the answer, nothing more is spent.
    Replay(Spent),
}

/// How many spends written lately the ledger keeps to answer a key sent
/// again without reading the store (a retry comes within seconds; older
/// keys are answered from the store).
pub const RECENT_SPENDS: usize = 16_384;

/// The tokens given now for a product: units and overdraft per period, and
/// the period (see [`Pools::tokens`]).
pub type Given = (u64, u64, TokenPeriod);

/// The spends in memory: sums per product and period (the balance) and the
/// spends still being written.
#[derive(Debug, Default)]
pub struct Ledger {
    pending: HashMap<(Product, String), Spent>,
    spent: HashMap<(Product, Timestamp), u64>,
    /// Spends written lately, at most [`RECENT_SPENDS`], oldest first in
    /// `recent_order`.
    recent: HashMap<(Product, String), Spent>,
    recent_order: std::collections::VecDeque<(Product, String)>,
}

impl Ledger {
    /// Counts `s.amount` of `s.product` at `now`, from the tokens `given`
    /// (`None`: no counting code gives tokens).
    ///
    /// # Errors
    /// [`SpendError`]: no tokens, not enough left, or the key is being
    /// written for another amount.
    pub fn spend(
        &mut self,
        given: Option<Given>,
        s: &Spend,
        now: Timestamp,
    ) -> Result<Outcome, SpendError> {
        let key = (s.product.clone(), s.key.clone());
        if let Some(before) = self.pending.get(&key) {
            return check_same(s, before.clone()).map(|_| Outcome::Pending);
        }
        if let Some(before) = self.recent.get(&key) {
            return check_same(s, before.clone()).map(Outcome::Replay);
        }
        let given = given.ok_or_else(|| SpendError::NoTokens(s.product.clone()))?;
        let balance = self.balance_of(&s.product, given, now);
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
            left: balance.units.saturating_sub(after),
        };
        self.add(&spent.product, spent.period_start, spent.amount);
        self.pending
            .insert((spent.product.clone(), spent.key.clone()), spent.clone());
        Ok(Outcome::New(spent))
    }

    /// The spend's write committed: it stays counted, and a key sent again
    /// soon is answered from memory.
    pub fn written(&mut self, spent: &Spent) {
        let key = (spent.product.clone(), spent.key.clone());
        if let Some(spent) = self.pending.remove(&key) {
            self.remember(key, spent);
        }
    }

    /// Keeps a spend found in the store (a key sent again after a restart)
    /// among the recent ones.
    pub fn remember(&mut self, key: (Product, String), spent: Spent) {
        if self.recent.insert(key.clone(), spent).is_none() {
            self.recent_order.push_back(key);
        }
        while self.recent_order.len() > RECENT_SPENDS {
            if let Some(oldest) = self.recent_order.pop_front() {
                self.recent.remove(&oldest);
            }
        }
    }

    /// Takes back a spend whose write failed, or found its key stored
    /// already (then the stored spend is the answer, and counted already).
    pub fn undo(&mut self, spent: &Spent) {
        if self
            .pending
            .remove(&(spent.product.clone(), spent.key.clone()))
            .is_some()
            && let Some(sum) = self
                .spent
                .get_mut(&(spent.product.clone(), spent.period_start))
        {
            *sum = sum.saturating_sub(spent.amount);
        }
    }

    /// Puts a period's stored sum back (loading after a restart).
    pub fn restore(&mut self, product: Product, period_start: Timestamp, amount: u64) {
        self.add(&product, period_start, amount);
    }

    fn add(&mut self, product: &Product, period_start: Timestamp, amount: u64) {
        let sum = self
            .spent
            .entry((product.clone(), period_start))
            .or_default();
        *sum = sum.saturating_add(amount);
    }

    /// Spends being written now (each waits for its write).
    #[must_use]
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// `product`'s tokens in the period running at `now`; `None` when no
    /// code counting now gives it tokens.
    #[must_use]
    pub fn balance(&self, pools: &Pools, product: &Product, now: Timestamp) -> Option<Balance> {
        Some(self.balance_of(product, pools.tokens(product, now)?, now))
    }

    fn balance_of(&self, product: &Product, given: Given, now: Timestamp) -> Balance {
        let (units, overdraft, period) = given;
        let (period_start, period_end) = period_bounds(period, now);
        Balance {
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
        }
    }

    /// Forgets the sums of periods that ended before `start` (the spends
    /// stay in the store).
    pub fn forget_before(&mut self, start: Timestamp) {
        self.spent
            .retain(|(_, period), _| *period >= start || *period == ONCE);
    }
}

/// The answer to `asked` when `stored` was spent under its key before: the
/// stored spend, or [`SpendError::KeyReused`] for another product or amount.
///
/// # Errors
/// [`SpendError::KeyReused`].
pub fn check_same(asked: &Spend, stored: Spent) -> Result<Spent, SpendError> {
    if stored.amount != asked.amount || stored.product != asked.product {
        return Err(SpendError::KeyReused {
            key: asked.key.clone(),
            product: stored.product,
            amount: stored.amount,
        });
    }
    Ok(stored)
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
