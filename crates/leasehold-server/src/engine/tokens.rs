//! Consumption tokens (`POST /v1/usage`): a spend is counted in memory,
//! written, and answered once durable; its idempotency key makes it count
//! once however often it is sent (core `tokens.rs`, store `spends.rs`).
//!
//! The key's first spend being written, a second arrival waits for that
//! write (a watch bumped at every write's end) rather than spending twice or
//! answering before the first is durable; spends of other keys go on in
//! the same batches meanwhile. A key written before (another server run, a
//! period forgotten) meets the store's unique row: the write fails as a
//! duplicate, the count is taken back, and the stored spend is the answer.

use super::Engine;
use super::denials::Bucket;
use super::leases::check_field;
use crate::error::{Error, Result};
use crate::store::{Op, StoreError};
use leasehold_core::event::{Event, EventKind};
use leasehold_core::license::{MAX_PRODUCT_LEN, MAX_TOKENS};
use leasehold_core::tokens::{
    Balance, MAX_KEY_CHARS, MAX_NOTE_CHARS, Outcome, Spend, SpendError, Spent, check_same,
};
use leasehold_core::wire::MAX_NAME_CHARS;
use leasehold_core::wire::usage::{UsageAnswer, UsageRequest};
use leasehold_core::{CorrelationId, Product};
use std::sync::PoisonError;

/// A spend's write, queued.
type Write = std::pin::Pin<Box<dyn Future<Output = std::result::Result<(), StoreError>> + Send>>;

/// What a spend's first step decided.
enum Step {
    Written(Spent, Write),
    Wait(tokio::sync::watch::Receiver<u64>),
    Refused(SpendError),
}

impl Engine {
    /// Spends `req.amount` of the product's tokens, once per idempotency
    /// key; answers once the spend is durable.
    ///
    /// # Errors
    /// `invalid_field`; `tokens_not_licensed`, `tokens_exhausted`,
    /// `idempotency_key_reused`; a store error (nothing spent then).
    pub async fn consume(&self, req: UsageRequest, corr: CorrelationId) -> Result<UsageAnswer> {
        let spend = validate(req)?;
        loop {
            let now = self.now();
            let given = self.table().pools().tokens(&spend.product, now);
            let step = {
                let mut ledger = self.ledger();
                match ledger.spend(given, &spend, now) {
                    Ok(Outcome::New(s)) => {
                        let written = self.inner.store.enqueue(vec![Op::PutSpend(s.clone())]);
                        Step::Written(s, Box::pin(written))
                    }
                    Ok(Outcome::Pending) => Step::Wait(self.inner.spends_watch.subscribe()),
                    Ok(Outcome::Replay(stored)) => {
                        return Ok(UsageAnswer {
                            spend: stored,
                            replayed: true,
                        });
                    }
                    Err(e) => Step::Refused(e),
                }
            };
            match step {
                Step::Wait(mut settled) => {
                    // Any write's end wakes it; it asks again.
                    if settled.changed().await.is_err() {
                        return Err(StoreError::Closed.into());
                    }
                }
                Step::Written(s, written) => return self.settle(&spend, s, written, corr).await,
                Step::Refused(e @ SpendError::KeyReused { .. }) => return Err(e.into()),
                Step::Refused(e) => {
                    // A key spent before is answered as such, even with the
                    // balance spent since (a retry of the spend that did it).
                    if let Some(stored) = self.stored_spend(&spend).await? {
                        return replayed(&spend, stored);
                    }
                    self.deny_spend(&spend, &e, self.now(), corr);
                    return Err(e.into());
                }
            }
        }
    }

    /// Waits for a counted spend's write (in a task of its own, so a client
    /// gone mid-request cannot leave a key pending), then answers.
    async fn settle(
        &self,
        asked: &Spend,
        s: Spent,
        written: Write,
        corr: CorrelationId,
    ) -> Result<UsageAnswer> {
        let engine = self.clone();
        let counted = s.clone();
        // Everything that follows a durable spend happens in this task, so
        // a client that goes away cannot keep it out of the history or the
        // event log (an overdraft hidden by hanging up).
        let outcome = tokio::spawn(async move {
            let outcome = written.await;
            {
                let mut ledger = engine.ledger();
                if outcome.is_ok() {
                    ledger.written(&counted);
                } else {
                    ledger.undo(&counted);
                }
            }
            engine
                .inner
                .spends_watch
                .send_modify(|n| *n = n.wrapping_add(1));
            if outcome.is_ok() {
                engine.spent_now(&counted, corr);
            }
            outcome
        })
        .await
        .unwrap_or(Err(StoreError::Closed));
        match outcome {
            Ok(()) => Ok(UsageAnswer {
                spend: s,
                replayed: false,
            }),
            Err(StoreError::DuplicateSpend { .. }) => {
                let stored = self.stored_spend(asked).await?.ok_or_else(|| {
                    Error::Internal(format!(
                        "the spend under key {} of {} was stored, then not found",
                        asked.key, asked.product
                    ))
                })?;
                replayed(asked, stored)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A spend is durable: counted in the minute's history, and logged when
    /// it went into the token overdraft.
    fn spent_now(&self, s: &Spent, corr: CorrelationId) {
        self.note_tokens(&s.product, s.amount);
        if s.over == 0 {
            return;
        }
        let message = format!(
            "{} of {}'s tokens spent beyond the balance (token overdraft) by {} on {} under key {}",
            s.over,
            s.product,
            display_user(&s.user),
            s.client_id,
            s.key
        );
        let mut event = Event::new(EventKind::TokenOverdraft, self.now(), message).correlated(corr);
        event.product = Some(s.product.clone());
        event.client_id = Some(s.client_id.clone());
        event.user = Some(s.user.clone()).filter(|u| !u.is_empty());
        self.inner.events.record(event);
    }

    /// The spend stored under `asked`'s key, kept in memory for the next
    /// time the key comes.
    async fn stored_spend(&self, asked: &Spend) -> Result<Option<Spent>> {
        let stored = self
            .inner
            .store
            .spent(asked.product.clone(), asked.key.clone())
            .await?;
        if let Some(s) = &stored {
            self.ledger()
                .remember((s.product.clone(), s.key.clone()), s.clone());
        }
        Ok(stored)
    }

    fn deny_spend(
        &self,
        s: &Spend,
        e: &SpendError,
        now: leasehold_core::Timestamp,
        corr: CorrelationId,
    ) {
        let licensed = self.table().pools().knows(&s.product);
        self.inner
            .metrics
            .deny(licensed.then_some(&s.product), now.0.div_euclid(60_000));
        let mut event = Event::new(EventKind::Deny, now, e.to_string()).correlated(corr);
        event.product = Some(s.product.clone());
        event.client_id = Some(s.client_id.clone());
        event.user = Some(s.user.clone()).filter(|u| !u.is_empty());
        let bucket = if licensed {
            Bucket::Tokens(s.product.clone())
        } else {
            Bucket::Unlicensed
        };
        self.record_denial(bucket, event);
    }

    /// Each product's tokens in the running period (products whose counting
    /// codes give tokens).
    #[must_use]
    pub fn token_balances(&self) -> Vec<Balance> {
        let now = self.now();
        let table = self.table();
        let ledger = self.ledger();
        table
            .pools()
            .products()
            .iter()
            .filter_map(|p| ledger.balance(table.pools(), p, now))
            .collect()
    }

    /// `product`'s tokens in the running period, if its codes give any.
    #[must_use]
    pub fn token_balance(&self, product: &Product) -> Option<Balance> {
        let now = self.now();
        let table = self.table();
        self.ledger().balance(table.pools(), product, now)
    }

    pub(super) fn ledger(&self) -> std::sync::MutexGuard<'_, leasehold_core::tokens::Ledger> {
        self.inner
            .ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn replayed(asked: &Spend, stored: Spent) -> Result<UsageAnswer> {
    Ok(UsageAnswer {
        spend: check_same(asked, stored)?,
        replayed: true,
    })
}

fn display_user(user: &str) -> &str {
    if user.is_empty() {
        "an application"
    } else {
        user
    }
}

fn validate(req: UsageRequest) -> Result<Spend> {
    let fields: [(&'static str, &str, bool, usize); 5] = [
        ("product", req.product.as_str(), true, MAX_PRODUCT_LEN),
        ("idempotencyKey", &req.idempotency_key, true, MAX_KEY_CHARS),
        ("clientId", req.client_id.as_str(), true, MAX_NAME_CHARS),
        ("user", &req.user, false, MAX_NAME_CHARS),
        ("note", &req.note, false, MAX_NOTE_CHARS),
    ];
    for (field, value, required, max) in fields {
        check_field(field, value, required, max)?;
    }
    if req.amount == 0 || req.amount > MAX_TOKENS {
        return Err(Error::InvalidField {
            field: "amount",
            reason: format!("is {}; spend 1 to {MAX_TOKENS} units", req.amount),
        });
    }
    Ok(Spend {
        product: req.product,
        amount: req.amount,
        key: req.idempotency_key,
        client_id: req.client_id,
        user: req.user,
        note: req.note,
    })
}
