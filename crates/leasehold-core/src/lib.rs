//! Leasehold's domain, with no I/O: license codes and their signatures, seat
//! pools, the lease table and its rules, and the types that cross the wire.

pub mod computer;
pub mod error_code;
pub mod event;
pub mod ids;
pub mod lease;
pub mod license;
pub mod listing;
pub mod named;
pub mod policy;
pub mod pool;
pub mod queue;
pub mod report;
mod slab;
pub mod table;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text;
pub mod time;
pub mod tokens;
pub mod wire;

pub use error_code::ErrorCode;
pub use ids::{ClientId, CorrelationId, LeaseId, LicenseId, Product, ServerId, TicketId};
pub use time::Timestamp;
