//! What the server reads back from the store while it runs (the event log,
//! the token ledger, the usage history, a report's data), each on the read
//! connection on a blocking thread, so a read never waits for the writer.

use super::{
    EventQuery, HistoryQuery, LedgerQuery, ReportData, Store, StoreError, history, query, report,
    spends,
};
use leasehold_core::Timestamp;
use leasehold_core::event::Event;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, PoisonError};

impl Store {
    /// Events by filter (see [`EventQuery`]), oldest first, read on a
    /// separate connection so reading never waits for the writer.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; `Sqlite` when the read fails.
    /// Damaged rows are skipped with a warning.
    pub async fn events(&self, q: EventQuery) -> Result<Vec<Event>, StoreError> {
        self.read(move |conn, dir| query::events(conn, &q, dir))
            .await
    }

    /// The spend stored under `product`'s idempotency `key`, if any, read
    /// on the read connection.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; `Sqlite` or `Corrupt` when the read
    /// fails.
    pub async fn spent(
        &self,
        product: leasehold_core::Product,
        key: String,
    ) -> Result<Option<leasehold_core::tokens::Spent>, StoreError> {
        self.read(move |conn, dir| spends::find(conn, &product, &key, dir))
            .await
    }

    /// The token ledger by filter (see [`LedgerQuery`]), newest first.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; `Sqlite` when the read fails.
    /// Damaged rows are skipped with a warning.
    pub async fn ledger(
        &self,
        q: LedgerQuery,
    ) -> Result<Vec<leasehold_core::wire::usage::LedgerEntry>, StoreError> {
        self.read(move |conn, dir| spends::ledger(conn, &q, dir))
            .await
    }

    /// The usage history `q` selects, by product then time; `None` when it
    /// holds more than [`MAX_POINTS`] points.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; `Sqlite` when the read fails.
    pub async fn history(
        &self,
        q: HistoryQuery,
    ) -> Result<
        Option<
            Vec<(
                leasehold_core::Product,
                leasehold_core::wire::usage::UsagePoint,
            )>,
        >,
        StoreError,
    > {
        self.read(move |conn, dir| history::read(conn, &q, dir))
            .await
    }

    /// What a usage report of `from..to` carries from the store; `None`
    /// when the period holds more than [`MAX_REPORT_EVENTS`] events.
    ///
    /// # Errors
    /// `Closed` after [`Store::close`]; `Sqlite` when a read fails.
    pub(crate) async fn report_data(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Option<ReportData>, StoreError> {
        self.read(move |conn, dir| report::read(conn, from, to, dir))
            .await
    }

    /// Runs `f` on the read connection, on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection, &Path) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let reader = Arc::clone(&self.shared.reader);
        let dir = self.shared.dir.clone();
        tokio::task::spawn_blocking(move || {
            let conn = reader.lock().unwrap_or_else(PoisonError::into_inner);
            match conn.as_ref() {
                Some(conn) => f(conn, &dir),
                None => Err(StoreError::Closed),
            }
        })
        .await
        .unwrap_or(Err(StoreError::Closed))
    }
}
