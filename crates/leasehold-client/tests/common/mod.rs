//! Helpers shared by the client's integration tests (`mod common;`).
// Each test binary uses a different subset.
#![allow(dead_code)]

pub mod netns;
pub mod server;
