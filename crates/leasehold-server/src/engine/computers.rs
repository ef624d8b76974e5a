//! The Computers list, a page at a time (`GET /admin/v1/computers`), at any
//! number of leases. The leases are copied out of the table a few thousand
//! at a time (a checkout waits for one piece at most, never for the whole
//! list), sorted and searched on a blocking thread, and the copy is kept:
//! the next pages, and the next refreshes while nothing changed, read it
//! without touching the table. Each row shows its lease as it is now.
//!
//! A list of up to [`REBUILD_INLINE_MAX`] leases is copied again for any
//! request that finds it out of date, so it is exact. A bigger one is
//! answered from the copy at hand while a new one is made in the
//! background, at most once per [`BUILD_SHARE`] times its build time: a
//! million leases take about a second to copy and sort, and an admin
//! watching the list must not cost the server a core.

use super::Engine;
use crate::error::{Error, Result};
use leasehold_core::listing::{Cursor, Listed, Listing, Search};
use leasehold_core::wire::admin::{
    COMPUTERS_PAGE_MAX, ComputerSort, ComputersPage, SeatRow, SortOrder,
};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::time::Instant;

/// Leases copied per hold of the table lock (about a millisecond's work).
const PIECE: usize = 4096;
/// Up to this many leases, an out-of-date copy is made again before answering.
pub const REBUILD_INLINE_MAX: usize = 50_000;
/// A copy counts as current this long while no lease came or went.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// A big list is copied again at most once per this many times its build time.
const BUILD_SHARE: u32 = 10;
/// A copy nobody asked for this long is dropped (it holds every lease's names).
const IDLE_DROP: Duration = Duration::from_secs(60);
/// Searches kept per copy (each is one number per matching lease).
const SEARCHES_KEPT: usize = 4;

/// What the admin asks for: an order, a search and where to start.
#[derive(Clone, Debug, Default)]
pub struct ComputersRequest {
    pub sort: ComputerSort,
    pub order: SortOrder,
    pub text: String,
    pub limit: u32,
    pub cursor: Option<String>,
}

/// The copy in use and who is making the next one.
pub(super) struct ComputersIndex {
    current: Mutex<Option<Arc<Built>>>,
    building: Arc<tokio::sync::Mutex<()>>,
    last_used: Mutex<Option<Instant>>,
    inline_max: AtomicUsize,
    fresh_for_ms: AtomicU64,
}

impl Default for ComputersIndex {
    fn default() -> Self {
        Self {
            current: Mutex::default(),
            building: Arc::default(),
            last_used: Mutex::default(),
            inline_max: AtomicUsize::new(REBUILD_INLINE_MAX),
            fresh_for_ms: AtomicU64::new(FRESH_FOR.as_millis() as u64),
        }
    }
}

/// A search's matches in one sort's order.
type Found = (ComputerSort, Search, Arc<[u32]>);

struct Built {
    listing: Listing,
    /// The table's generation when the copy began.
    generation: u64,
    at: Instant,
    as_of: leasehold_core::Timestamp,
    took: Duration,
    searches: Mutex<VecDeque<Found>>,
}

impl Built {
    /// The rows of `sort`'s order that match `search` (kept for the next page).
    fn matching(&self, sort: ComputerSort, search: &Search) -> Arc<[u32]> {
        let all = self.listing.order(sort);
        if search.is_empty() {
            return all;
        }
        let mut kept = self.searches.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, _, found)) = kept.iter().find(|(s, q, _)| *s == sort && q == search) {
            return Arc::clone(found);
        }
        let found = self.listing.filter(&all, search);
        if kept.len() == SEARCHES_KEPT {
            kept.pop_front();
        }
        kept.push_back((sort, search.clone(), Arc::clone(&found)));
        found
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Engine {
    /// One page of the seats held, sorted and searched.
    ///
    /// # Errors
    /// `invalid_field` for a cursor this server did not give for this sort.
    pub async fn computers(&self, request: ComputersRequest) -> Result<ComputersPage> {
        let ComputersRequest {
            sort,
            order,
            text,
            limit,
            cursor,
        } = request;
        let cursor = cursor
            .filter(|c| !c.is_empty())
            .map(|c| Cursor::decode(&c, sort, order))
            .transpose()
            .map_err(|reason| Error::InvalidField {
                field: "cursor",
                reason,
            })?;
        let limit = limit.clamp(1, COMPUTERS_PAGE_MAX) as usize;
        let built = self.listing().await?;
        let search = Search::new(&text);
        let mut rows: Vec<SeatRow> = Vec::with_capacity(limit);
        let mut after = cursor;
        let mut matching = 0;
        // Leases that ended since the copy are skipped; a page is filled from
        // further on (a few rounds at most, then it is shown shorter).
        for _ in 0..4 {
            let from = Arc::clone(&built);
            let want = limit - rows.len();
            let search = search.clone();
            let (ids, next, found) = blocking(move || {
                let rows = from.matching(sort, &search);
                let (ids, next) = from.listing.page(&rows, sort, order, after.as_ref(), want);
                (ids, next, rows.len())
            })
            .await?;
            matching = found;
            let table = self.table();
            rows.extend(
                ids.into_iter()
                    .filter_map(|id| table.get(id))
                    .map(|lease| SeatRow {
                        computer_seats: table.seats_of(&lease.holder.client_id.0),
                        shared_machine_id: table.is_shared_client(&lease.holder.client_id.0),
                        features: table.features_of(lease.id).to_vec(),
                        borrowed: table.is_borrowed(lease.id),
                        lease,
                    }),
            );
            drop(table);
            after = next;
            if rows.len() >= limit || after.is_none() {
                break;
            }
        }
        let next = after;
        let table = self.table();
        Ok(ComputersPage {
            rows,
            matching: matching as u64,
            seats: table.len() as u64,
            computers: table.computers() as u64,
            next_cursor: next.map(|c| c.encode()),
            as_of: built.as_of,
        })
    }

    /// Sets the size above which the list is refreshed in the background
    /// ([`REBUILD_INLINE_MAX`]) and how long a copy counts as current
    /// ([`FRESH_FOR`]), so tests reach every path with a few leases.
    pub fn tune_listing(&self, inline_max: usize, fresh_for: Duration) {
        let index = &self.inner.computers;
        index.inline_max.store(inline_max, Ordering::Relaxed);
        let ms = u64::try_from(fresh_for.as_millis()).unwrap_or(u64::MAX);
        index.fresh_for_ms.store(ms, Ordering::Relaxed);
    }

    /// Forgets the copy of the list when nobody has looked at it for a while
    /// (the sweeper calls this).
    pub(crate) fn drop_idle_listing(&self) {
        let index = &self.inner.computers;
        let idle = lock(&index.last_used).is_some_and(|at| at.elapsed() >= IDLE_DROP);
        if idle {
            *lock(&index.current) = None;
            *lock(&index.last_used) = None;
        }
    }

    /// A copy of the list that is current enough (see the module's words).
    async fn listing(&self) -> Result<Arc<Built>> {
        let index = &self.inner.computers;
        let asked = Instant::now();
        *lock(&index.last_used) = Some(asked);
        let (generation, len) = {
            let table = self.table();
            (table.generation(), table.len())
        };
        let fresh_for = Duration::from_millis(index.fresh_for_ms.load(Ordering::Relaxed));
        let current = lock(&index.current).clone();
        if let Some(built) = current {
            let age = asked.duration_since(built.at);
            if built.generation == generation && age < fresh_for {
                return Ok(built);
            }
            let inline_max = index.inline_max.load(Ordering::Relaxed);
            if built.listing.len() > inline_max && len > inline_max {
                if age >= fresh_for.max(built.took * BUILD_SHARE)
                    && let Ok(guard) = Arc::clone(&index.building).try_lock_owned()
                {
                    let engine = self.clone();
                    tokio::spawn(async move {
                        let _one_at_a_time = guard;
                        if let Err(e) = engine.rebuild_listing().await {
                            tracing::warn!(error = %e, "could not refresh the Computers list");
                        }
                    });
                }
                return Ok(built);
            }
        }
        let _one_at_a_time = index.building.lock().await;
        // Someone else may have made one while this request waited.
        if let Some(built) = lock(&index.current).clone()
            && built.at >= asked
        {
            return Ok(built);
        }
        self.rebuild_listing().await
    }

    /// Copies the leases in pieces, sorts them by computer, and makes the
    /// copy the current one.
    async fn rebuild_listing(&self) -> Result<Arc<Built>> {
        let engine = self.clone();
        let built = blocking(move || {
            let at = Instant::now();
            let as_of = engine.now();
            let (generation, len) = {
                let table = engine.table();
                (table.generation(), table.len())
            };
            let mut rows: Vec<Listed> = Vec::with_capacity(len);
            let mut next = Some(0);
            while let Some(start) = next {
                next = engine.table().list_from(start, PIECE, &mut rows);
            }
            let listing = Listing::new(rows);
            listing.order(ComputerSort::default());
            Arc::new(Built {
                listing,
                generation,
                at,
                as_of,
                took: at.elapsed(),
                searches: Mutex::default(),
            })
        })
        .await?;
        *lock(&self.inner.computers.current) = Some(Arc::clone(&built));
        Ok(built)
    }
}

/// Runs CPU work on a blocking thread, not on the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("the Computers list could not be made: {e}")))
}
