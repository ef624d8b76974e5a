//! How times, durations and seat counts read in `leasehold admin` output.
//! Every function takes "now" where it matters, so tests need no clock.

use chrono::{DateTime, Local, TimeZone};
use leasehold_core::Timestamp;

/// A moment as local wall-clock time to the minute: `2026-11-23 14:05`.
#[must_use]
pub fn local_time(t: Timestamp) -> String {
    local_time_in(t, &Local)
}

/// [`local_time`] in a given time zone (tests use UTC).
#[must_use]
pub fn local_time_in<Tz: TimeZone>(t: Timestamp, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    DateTime::from_timestamp_millis(t.0).map_or_else(
        || t.to_rfc3339(),
        |d| d.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// A moment as local wall-clock time to the second, for log lines.
#[must_use]
pub fn local_time_secs(t: Timestamp) -> String {
    DateTime::from_timestamp_millis(t.0).map_or_else(
        || t.to_rfc3339(),
        |d| {
            d.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        },
    )
}

/// A moment relative to `now`: `in 8 min`, `3 min ago`, `just now`.
#[must_use]
pub fn relative(t: Timestamp, now: Timestamp) -> String {
    let ms = t.0.saturating_sub(now.0);
    let secs = ms.unsigned_abs() / 1000;
    if secs == 0 {
        return "just now".to_owned();
    }
    let span = duration(secs);
    if ms > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// A length of time in the two largest units: `45 s`, `8 min`, `2 h 5 min`, `3 d 4 h`.
#[must_use]
pub fn duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// Seats of a product and how many are taken: `3 of 10 in use`.
#[must_use]
pub fn seats(in_use: u32, seats: u32) -> String {
    format!("{in_use} of {seats} in use")
}

/// `1 seat`, `4 seats`.
#[must_use]
pub fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    if n == N::from(1) {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Parses `--last` values: a number and a unit, e.g. `90s`, `15m`, `1h`, `2d`, `1w`.
///
/// # Errors
/// A sentence saying what is wrong, for clap to show.
pub fn parse_span(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a time span; write e.g. 30m, 1h or 2d"))?;
    let unit_secs = match unit.trim() {
        "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => {
            return Err(format!(
                "`{other}` is not a time unit; use s, m, h, d or w (e.g. 1h)"
            ));
        }
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(unit_secs)))
}

/// Parses `--since` values: RFC 3339 (`2026-11-23T14:05:00Z`), or a local
/// `YYYY-MM-DD HH:MM` / `YYYY-MM-DD`.
///
/// # Errors
/// A sentence showing the accepted forms, for clap to show.
pub fn parse_since(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Timestamp(t.timestamp_millis()));
    }
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        });
    local
        .and_then(|t| Local.from_local_datetime(&t).earliest())
        .map(|t| Timestamp(t.timestamp_millis()))
        .ok_or_else(|| {
            format!("`{text}` is not a time; write RFC 3339 like 2026-11-23T14:05:00Z, or local time like \"2026-11-23 14:05\"")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn relative_times_read_naturally() {
        let now = Timestamp(1_000 * MIN);
        assert_eq!(relative(Timestamp(now.0 + 8 * MIN), now), "in 8 min");
        assert_eq!(relative(Timestamp(now.0 - 3 * MIN), now), "3 min ago");
        assert_eq!(relative(Timestamp(now.0 + 45_000), now), "in 45 s");
        assert_eq!(relative(Timestamp(now.0 + 125 * MIN), now), "in 2 h 5 min");
        assert_eq!(relative(Timestamp(now.0 + 400), now), "just now");
    }

    #[test]
    fn durations_use_the_two_largest_units() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(3_600), "1 h");
        assert_eq!(duration(86_400 * 3 + 3_600 * 4 + 60), "3 d 4 h");
        assert_eq!(duration(86_400), "1 d");
    }

    #[test]
    fn local_time_is_to_the_minute() {
        assert_eq!(
            local_time_in(Timestamp(1_795_442_700_000), &chrono::Utc),
            "2026-11-23 14:05"
        );
    }

    #[test]
    fn seats_and_counts() {
        assert_eq!(seats(3, 10), "3 of 10 in use");
        assert_eq!(count(1, "seat", "seats"), "1 seat");
        assert_eq!(count(2, "seat", "seats"), "2 seats");
    }

    #[test]
    fn spans_and_since() {
        assert_eq!(parse_span("1h"), Ok(std::time::Duration::from_secs(3_600)));
        assert_eq!(parse_span("15m"), Ok(std::time::Duration::from_secs(900)));
        assert!(parse_span("1y").unwrap_err().contains("not a time unit"));
        assert!(parse_span("h").unwrap_err().contains("not a time span"));
        assert_eq!(parse_since("1970-01-01T00:01:00Z"), Ok(Timestamp(60_000)));
        assert!(parse_since("yesterday").unwrap_err().contains("RFC 3339"));
        assert!(parse_since("2026-11-23 14:05").is_ok());
    }
}
