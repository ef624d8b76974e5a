//! The SDK an application links to borrow a Leasehold seat.

pub mod discovery;
