//! The event log: numbers each event, keeps the last few thousand in memory
//! for the live Logs tab, fans them out to followers, and hands them to the
//! store to be written with the next batch.

use crate::store::{Op, Store};
use leasehold_core::event::Event;
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::broadcast;

/// How many recent events stay in memory.
pub const TAIL_LEN: usize = 5_000;

pub struct EventLog {
    inner: Mutex<Tail>,
    live: broadcast::Sender<Event>,
    store: Store,
}

struct Tail {
    last_seq: u64,
    recent: VecDeque<Event>,
}

impl EventLog {
    #[must_use]
    pub fn new(store: Store, last_seq: u64) -> Self {
        let (live, _) = broadcast::channel(1024);
        Self {
            inner: Mutex::new(Tail {
                last_seq,
                recent: VecDeque::with_capacity(TAIL_LEN),
            }),
            live,
            store,
        }
    }

    /// Numbers the event, keeps it, sends it to followers and to the store.
    pub fn record(&self, event: Event) {
        self.record_all(vec![event]);
    }

    pub fn record_all(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut ops = Vec::with_capacity(events.len());
        let by = crate::actor::current();
        {
            let mut tail = self
                .inner
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for mut event in events {
                if event.by.is_none() && event.kind.is_admin_action() {
                    event.by.clone_from(&by);
                }
                tail.last_seq += 1;
                event.seq = tail.last_seq;
                if tail.recent.len() == TAIL_LEN {
                    tail.recent.pop_front();
                }
                tail.recent.push_back(event.clone());
                // No followers is fine; a lagging follower re-reads from the tail.
                let _ = self.live.send(event.clone());
                ops.push(Op::AppendEvent(event));
            }
            // Queued under the lock: the store links the event chain in the
            // order events are numbered.
            self.store.submit(ops);
        }
    }

    #[must_use]
    pub fn last_seq(&self) -> u64 {
        self.lock().last_seq
    }

    /// Recent events after `after_seq`, oldest first, at most `limit`. `None`
    /// when `after_seq` is older than the tail (ask the store instead).
    #[must_use]
    pub fn recent_after(&self, after_seq: u64, limit: usize) -> Option<Vec<Event>> {
        let tail = self.lock();
        let oldest = tail.recent.front().map_or(tail.last_seq + 1, |e| e.seq);
        if after_seq.saturating_add(1) < oldest && after_seq < tail.last_seq {
            return None;
        }
        Some(
            tail.recent
                .iter()
                .filter(|e| e.seq > after_seq)
                .take(limit)
                .cloned()
                .collect(),
        )
    }

    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.live.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tail> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
