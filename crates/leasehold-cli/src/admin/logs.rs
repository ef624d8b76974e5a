//! `leasehold admin logs`: the event log, filtered by kind and time, and
//! followed live (server-sent events) until Ctrl-C.

use super::{AdminApi, format};
use anyhow::{Context, Result, bail};
use clap::Args;
use leasehold_core::Timestamp;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::wire::admin::EventPage;
use std::collections::VecDeque;
use std::time::Duration;

/// The most events one page of the API returns.
const PAGE: usize = leasehold_core::wire::admin::EVENTS_PAGE_MAX as usize;
/// How long to wait before reconnecting a broken live stream.
const RECONNECT: Duration = Duration::from_secs(2);

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Keep printing new events as they happen, until Ctrl-C.
    #[arg(long, short)]
    pub follow: bool,
    /// Only events of this kind (repeatable): grant, deny, release, expire,
    /// disconnect, license_added, server_start, …
    #[arg(long = "kind", value_name = "K", value_parser = parse_kind)]
    pub kinds: Vec<EventKind>,
    /// Only events at or after this time: RFC 3339 (2026-11-23T14:05:00Z) or local "2026-11-23 14:05".
    #[arg(long, value_name = "TIME", value_parser = format::parse_since, conflicts_with = "last")]
    pub since: Option<Timestamp>,
    /// Only events of the last span of time, e.g. 30m, 1h, 2d.
    #[arg(long, value_name = "SPAN", value_parser = format::parse_span)]
    pub last: Option<Duration>,
    /// Only events whose message contains this text.
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    /// Show at most this many of the most recent matching events (before following).
    #[arg(long, short = 'n', value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub limit: u32,
}

fn parse_kind(text: &str) -> Result<EventKind, String> {
    EventKind::parse(text.trim()).ok_or_else(|| {
        format!(
            "`{text}` is not an event kind; use one of {}",
            EventKind::ALL.map(EventKind::as_str).join(", ")
        )
    })
}

impl LogsArgs {
    fn since(&self) -> Option<Timestamp> {
        self.since.or_else(|| {
            self.last.map(|d| {
                Timestamp(
                    Timestamp::now()
                        .0
                        .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
                )
            })
        })
    }

    fn filtered(&self) -> bool {
        !self.kinds.is_empty() || self.since.is_some() || self.last.is_some() || self.text.is_some()
    }

    /// Does a live event pass the filters (the API applies them to history)?
    fn wants(&self, e: &Event) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&e.kind))
            && self
                .text
                .as_ref()
                .is_none_or(|t| e.message.contains(t.as_str()))
    }

    fn query(&self, after_seq: u64, limit: usize) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("afterSeq", after_seq.to_string()),
            ("limit", limit.to_string()),
        ];
        if !self.kinds.is_empty() {
            q.push((
                "kind",
                self.kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if let Some(since) = self.since() {
            q.push(("since", since.0.to_string()));
        }
        if let Some(text) = &self.text {
            q.push(("text", text.clone()));
        }
        q
    }
}

/// Prints the matching history, then (with `--follow`) new events until Ctrl-C.
///
/// # Errors
/// The server unreachable or refusing (a broken live stream is retried).
pub async fn run(api: &AdminApi, args: LogsArgs, json: bool) -> Result<()> {
    let limit = args.limit as usize;
    let (events, mut after) = if args.filtered() {
        let mut kept = VecDeque::with_capacity(limit.min(PAGE));
        let after = catch_up(api, &args, 0, |e| {
            if kept.len() == limit {
                kept.pop_front();
            }
            if limit > 0 {
                kept.push_back(e);
            }
        })
        .await?;
        (Vec::from(kept), after)
    } else {
        let last = last_seq(api).await?;
        let page: EventPage = api
            .get(
                "/admin/v1/events",
                &args.query(
                    last.saturating_sub(limit as u64),
                    // The server takes 1 to PAGE a page.
                    limit.clamp(1, PAGE),
                ),
            )
            .await?;
        let events: Vec<Event> = page.events.into_iter().take(limit).collect();
        let after = events.last().map_or(0, |e| e.seq).max(last);
        (events, after)
    };
    for e in &events {
        print_event(e, json)?;
    }
    if !args.follow {
        if events.is_empty() && !json {
            outln!("no events match");
        }
        return Ok(());
    }
    tokio::select! {
        result = follow(api, &args, &mut after, json) => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

/// The newest event's sequence number.
async fn last_seq(api: &AdminApi) -> Result<u64> {
    let page: EventPage = api
        .get("/admin/v1/events", &[("limit", "1".to_owned())])
        .await?;
    Ok(page.last_seq)
}

/// The `n` most recent events, oldest first (for `status`).
///
/// # Errors
/// The server unreachable or refusing.
pub async fn recent(api: &AdminApi, n: u64) -> Result<Vec<Event>> {
    let last = last_seq(api).await?;
    let page: EventPage = api
        .get(
            "/admin/v1/events",
            &[
                ("afterSeq", last.saturating_sub(n).to_string()),
                ("limit", n.to_string()),
            ],
        )
        .await?;
    Ok(page.events)
}

/// Hands every matching event after `after_seq` to `each`, page by page;
/// returns the sequence number everything up to which has been seen.
async fn catch_up(
    api: &AdminApi,
    args: &LogsArgs,
    mut after_seq: u64,
    mut each: impl FnMut(Event),
) -> Result<u64> {
    loop {
        let page: EventPage = api
            .get("/admin/v1/events", &args.query(after_seq, PAGE))
            .await?;
        let full = page.events.len() >= PAGE;
        for e in page.events {
            after_seq = after_seq.max(e.seq);
            each(e);
        }
        if !full {
            return Ok(after_seq.max(page.last_seq));
        }
    }
}

/// Follows the live stream, reconnecting when it breaks. Subscribes first and
/// then catches up through the query API, so no event falls between the two.
async fn follow(api: &AdminApi, args: &LogsArgs, after: &mut u64, json: bool) -> Result<()> {
    let mut connected_once = false;
    loop {
        let stream = match api.stream("/admin/v1/events/stream", &[]).await {
            Ok(stream) => stream,
            Err(e) if !connected_once => return Err(e),
            Err(e) => {
                eprintln!("{e:#}\nretrying in {} s", RECONNECT.as_secs());
                tokio::time::sleep(RECONNECT).await;
                continue;
            }
        };
        if connected_once {
            eprintln!("reconnected to {}", api.address());
        }
        connected_once = true;
        let mut failed = None;
        *after = catch_up(api, args, *after, |e| {
            if failed.is_none() {
                failed = print_event(&e, json).err();
            }
        })
        .await?;
        if let Some(e) = failed {
            return Err(e);
        }
        match read_stream(stream, args, after, json).await {
            Ok(()) => eprintln!(
                "the server closed the event stream; reconnecting in {} s",
                RECONNECT.as_secs()
            ),
            Err(e) => eprintln!(
                "the event stream broke ({e:#}); reconnecting in {} s",
                RECONNECT.as_secs()
            ),
        }
        tokio::time::sleep(RECONNECT).await;
    }
}

/// Prints the stream's events (each `data:` line is one Event) until it ends.
async fn read_stream(
    mut stream: reqwest::Response,
    args: &LogsArgs,
    after: &mut u64,
    json: bool,
) -> Result<()> {
    let mut buffer = Vec::new();
    while let Some(chunk) = stream.chunk().await.context("reading the event stream")? {
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let Some(data) = line.trim_end_matches(['\r', '\n']).strip_prefix("data:") else {
                continue;
            };
            let event: Event = match serde_json::from_str(data.trim_start()) {
                Ok(event) => event,
                Err(e) => {
                    bail!("the server sent an event this `leasehold` does not understand: {e}")
                }
            };
            if event.seq <= *after {
                continue;
            }
            *after = event.seq;
            if args.wants(&event) {
                print_event(&event, json)?;
            }
        }
    }
    Ok(())
}

/// One event: a line of JSON with `--json`, else `TIME  KIND  MESSAGE`.
fn print_event(e: &Event, json: bool) -> Result<()> {
    if json {
        outln!(
            "{}",
            serde_json::to_string(e).context("cannot format the event as JSON")?
        );
    } else {
        outln!(
            "{}  {:<18}  {}",
            format::local_time_secs(e.at),
            e.kind.as_str(),
            e.message
        );
    }
    Ok(())
}

/// Prints events as log lines (for `status`).
///
/// # Errors
/// When stdout cannot be written.
pub fn print_events(events: &[Event]) -> Result<()> {
    events.iter().try_for_each(|e| print_event(e, false))
}
