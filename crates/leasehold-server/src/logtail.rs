//! The server's own log lines, kept in memory for the Logs tab: a `tracing`
//! layer that copies each line into a bounded ring the admin API reads.

use serde::Serialize;
use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;

const KEEP: usize = 2_000;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogLine {
    pub seq: u64,
    pub at: leasehold_core::Timestamp,
    /// Trace lines are reported as `debug`.
    pub level: leasehold_core::event::Level,
    pub target: String,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    pub lines: Vec<LogLine>,
    pub last_seq: u64,
}

#[derive(Default)]
struct Ring {
    last_seq: u64,
    lines: VecDeque<LogLine>,
}

fn ring() -> &'static Mutex<Ring> {
    static RING: OnceLock<Mutex<Ring>> = OnceLock::new();
    RING.get_or_init(Mutex::default)
}

/// Lines after `after_seq`, oldest first, at most `limit`.
#[must_use]
pub fn lines_after(after_seq: u64, limit: usize) -> LogPage {
    let ring = ring()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    LogPage {
        lines: ring
            .lines
            .iter()
            .filter(|l| l.seq > after_seq)
            .take(limit)
            .cloned()
            .collect(),
        last_seq: ring.last_seq,
    }
}

/// Sets up the process's logging the way every Leasehold program does: to
/// stderr (`RUST_LOG` filters, default `info`) and into the in-memory tail
/// the Logs tab reads. A second call does nothing.
pub fn init_logging() {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(LogTailLayer)
        .try_init();
}

/// Add this layer to the process's subscriber to feed the Logs tab.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogTailLayer;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogTailLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut text = Text::default();
        event.record(&mut text);
        let mut ring = ring()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ring.last_seq += 1;
        let line = LogLine {
            seq: ring.last_seq,
            at: leasehold_core::Timestamp::now(),
            level: level_of(*meta.level()),
            target: meta.target().to_owned(),
            message: text.0,
        };
        if ring.lines.len() == KEEP {
            ring.lines.pop_front();
        }
        ring.lines.push_back(line);
    }
}

fn level_of(level: tracing::Level) -> leasehold_core::event::Level {
    use leasehold_core::event::Level;
    match level {
        tracing::Level::ERROR => Level::Error,
        tracing::Level::WARN => Level::Warn,
        tracing::Level::INFO => Level::Info,
        _ => Level::Debug,
    }
}

#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(
                self.0,
                "{}{value:?}",
                if self.0.is_empty() { "" } else { " " }
            );
        } else {
            let _ = write!(
                self.0,
                "{}{}={value:?}",
                if self.0.is_empty() { "" } else { " " },
                field.name()
            );
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(
                self.0,
                "{}{value}",
                if self.0.is_empty() { "" } else { " " }
            );
        } else {
            let _ = write!(
                self.0,
                "{}{}={value}",
                if self.0.is_empty() { "" } else { " " },
                field.name()
            );
        }
    }
}
