//! The Leasehold lease server as a library.

pub mod mdns;
pub mod store;
