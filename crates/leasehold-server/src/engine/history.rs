//! The usage history: per product per minute, the most and fewest seats in
//! use (the lease table's window), seats licensed, denials (the metrics'
//! minute ring), clients waiting (sampled at every sweep, so every few
//! seconds), seats in overdraft and tokens spent. Kept in memory for the
//! minute running and written once it is over, one write for all products:
//! nothing more is written per request (`store/history.rs` sums the hours
//! and days).

use super::Engine;
use crate::error::{Error, Result};
use crate::store::{HistoryQuery, MAX_POINTS, Op};
use leasehold_core::wire::usage::{HistoryStep, UsageHistory, UsagePoint, UsageSeries};
use leasehold_core::{Product, Timestamp};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::PoisonError;

const MINUTE_MS: i64 = 60_000;

/// The minute running: what is summed over it beyond the table's window.
#[derive(Debug, Default)]
pub(super) struct MinuteRunning {
    /// Minutes since the epoch; 0 before the first sweep.
    minute: i64,
    tokens: HashMap<Product, u64>,
    waiting: HashMap<Product, u32>,
}

impl Engine {
    /// Tokens of `product` spent now (counted in the minute running).
    pub(super) fn note_tokens(&self, product: &Product, amount: u64) {
        let mut running = self.running_minute();
        let sum = running.tokens.entry(product.clone()).or_default();
        *sum = sum.saturating_add(amount);
    }

    /// At every sweep: samples the clients waiting, and once a minute is
    /// over writes its row for every product.
    pub(super) fn roll_usage(&self, now: Timestamp) {
        let minute = now.0.div_euclid(MINUTE_MS);
        let (products, waiting) = {
            let table = self.table();
            let mut products: BTreeSet<Product> = table.pools().products().into_iter().collect();
            products.extend(table.leased_products().cloned());
            let waiting: Vec<(Product, u32)> = products
                .iter()
                .map(|p| {
                    let n = table.queue().len_of(p);
                    (p.clone(), u32::try_from(n).unwrap_or(u32::MAX))
                })
                .collect();
            (products, waiting)
        };
        let ended = {
            let mut running = self.running_minute();
            for (p, n) in waiting {
                let most = running.waiting.entry(p).or_default();
                *most = (*most).max(n);
            }
            if running.minute == 0 {
                running.minute = minute;
            }
            if running.minute >= minute {
                return;
            }
            let ended = std::mem::take(&mut *running);
            running.minute = minute;
            ended
        };
        let mut table = self.table();
        let rows: Vec<(Product, UsagePoint)> = products
            .into_iter()
            .chain(ended.tokens.keys().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|product| {
                let (high, low) = table.take_window(&product);
                let seats = table.pools().seats(&product, now);
                let point = UsagePoint {
                    at: Timestamp(ended.minute * MINUTE_MS),
                    high,
                    low,
                    seats,
                    denials: self.inner.metrics.denials_in(&product, ended.minute),
                    waiting: ended.waiting.get(&product).copied().unwrap_or(0),
                    overdraft: high.saturating_sub(seats),
                    tokens: ended.tokens.get(&product).copied().unwrap_or(0),
                };
                (product, point)
            })
            .collect();
        drop(table);
        if !rows.is_empty() {
            self.inner.store.submit(vec![Op::PutUsage {
                at: Timestamp(ended.minute * MINUTE_MS),
                rows,
            }]);
        }
    }

    /// The usage history of `product` (or every product) from `from` to
    /// `to` by `step`.
    ///
    /// # Errors
    /// `invalid_field` for a range the step cannot answer (more than
    /// [`MAX_POINTS`] points); a store error.
    pub async fn usage_history(
        &self,
        product: Option<Product>,
        from: Timestamp,
        to: Timestamp,
        step: HistoryStep,
    ) -> Result<UsageHistory> {
        if to.0 <= from.0 {
            // An empty range holds no points.
            return Ok(UsageHistory {
                step,
                from,
                to,
                series: Vec::new(),
            });
        }
        let q = HistoryQuery {
            product,
            from,
            to,
            step,
        };
        let points = self.inner.store.history(q).await?.ok_or_else(|| Error::InvalidField {
            field: "step",
            reason: format!(
                "the range holds more than {MAX_POINTS} points by {}; ask for a larger step or a shorter range",
                step.as_str()
            ),
        })?;
        let mut series: BTreeMap<Product, Vec<UsagePoint>> = BTreeMap::new();
        for (product, point) in points {
            series.entry(product).or_default().push(point);
        }
        Ok(UsageHistory {
            step,
            from,
            to,
            series: series
                .into_iter()
                .map(|(product, points)| UsageSeries { product, points })
                .collect(),
        })
    }

    fn running_minute(&self) -> std::sync::MutexGuard<'_, MinuteRunning> {
        self.inner
            .usage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
