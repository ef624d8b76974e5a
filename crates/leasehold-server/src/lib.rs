//! The Leasehold lease server as a library: `Server::start(config)` returns a
//! handle with its bound address and a shutdown. Inside: the SQLite store,
//! the engine (lease table + store + events), the HTTP API, the expiry
//! sweeper, the mDNS advertiser and the metrics.

pub mod access;
pub mod accounts;
pub mod actor;
pub mod alerts;
pub mod authority;
pub mod clock;
pub mod config;
pub mod connections;
pub mod engine;
pub mod error;
pub mod events;
pub mod http;
pub mod logtail;
pub mod mdns;
pub mod metrics;
pub mod server;
pub mod store;
pub mod tls;
pub mod trust;

pub use config::{Config, DEFAULT_PORT};
pub use error::Error;
pub use server::{Server, ServerHandle};
