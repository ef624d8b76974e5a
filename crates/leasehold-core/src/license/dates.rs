//! Calendar days as license codes use them: a code starts at 00:00 UTC of its
//! start day and stops at 00:00 UTC of the day after its expiry day, so the
//! expiry day itself is still valid.

use super::error::LicenseError;
use crate::time::Timestamp;
use chrono::{DateTime, NaiveDate, Utc};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Days after 1970-01-01 of 9999-12-31: the last day a code may name.
pub(crate) const MAX_DAY: i64 = 2_932_896;

/// Reads `YYYY-MM-DD` (surrounding whitespace allowed) as a day.
fn parse_day(what: &str, text: &str) -> Result<i64, LicenseError> {
    let t = text.trim();
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        LicenseError::invalid_terms(format!(
            "the {what} `{t}` is not a date; write it as YYYY-MM-DD, e.g. 2027-12-31"
        ))
    })?;
    let epoch = DateTime::<Utc>::UNIX_EPOCH.date_naive();
    let day = date.signed_duration_since(epoch).num_days();
    if !(0..=MAX_DAY).contains(&day) {
        return Err(LicenseError::invalid_terms(format!(
            "the {what} `{t}` is outside 1970-01-01 … 9999-12-31"
        )));
    }
    Ok(day)
}

/// The start of a code's start day: 00:00 UTC of `YYYY-MM-DD`.
///
/// # Errors
/// [`LicenseError::InvalidTerms`] when the text is not a real date in
/// `YYYY-MM-DD` form between 1970 and 9999.
pub fn valid_from_date(text: &str) -> Result<Timestamp, LicenseError> {
    Ok(Timestamp(parse_day("start date", text)? * DAY_MS))
}

/// The end of a code's expiry day: 00:00 UTC of the day *after* `YYYY-MM-DD`,
/// so the expiry day itself is still valid.
///
/// # Errors
/// [`LicenseError::InvalidTerms`] when the text is not a real date in
/// `YYYY-MM-DD` form between 1970 and 9999.
pub fn valid_until_date(text: &str) -> Result<Timestamp, LicenseError> {
    Ok(Timestamp((parse_day("expiry date", text)? + 1) * DAY_MS))
}

/// `YYYY-MM-DD` of the UTC day `t` falls in.
#[must_use]
pub fn day_text(t: Timestamp) -> String {
    DateTime::from_timestamp_millis(t.0)
        .map_or_else(|| t.to_rfc3339(), |d| d.format("%Y-%m-%d").to_string())
}

/// `YYYY-MM-DD` of the last day a code with this `valid_until` is valid: the
/// day before `until` when it is a midnight, else the day of `until` itself.
#[must_use]
pub fn last_day_text(until: Timestamp) -> String {
    if until.0.rem_euclid(DAY_MS) == 0 {
        day_text(Timestamp(until.0.saturating_sub(1)))
    } else {
        day_text(until)
    }
}

/// Whole days from the UTC day of `now` to the last day a code with this
/// `valid_until` is valid: 0 on its last day, 1 the day before; `None` once
/// it has ended.
#[must_use]
pub fn days_left(until: Timestamp, now: Timestamp) -> Option<u32> {
    if now >= until {
        return None;
    }
    let last = until.0.saturating_sub(1).div_euclid(DAY_MS);
    let today = now.0.div_euclid(DAY_MS);
    u32::try_from(last - today).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_day_itself_is_valid() {
        let from = valid_from_date("2026-01-01").unwrap();
        let until = valid_until_date(" 2026-12-31\n").unwrap();
        assert_eq!(from, Timestamp(1_767_225_600_000));
        assert_eq!(until, Timestamp(1_798_761_600_000)); // 2027-01-01T00:00Z
        assert_eq!(day_text(from), "2026-01-01");
        assert_eq!(last_day_text(until), "2026-12-31");
        assert_eq!(last_day_text(Timestamp(until.0 + 5)), "2027-01-01");
    }

    #[test]
    fn days_left_count_to_the_last_valid_day() {
        let until = valid_until_date("2027-12-31").unwrap(); // 2028-01-01T00:00Z
        let at = |s: &str| {
            Timestamp(
                chrono::DateTime::parse_from_rfc3339(s)
                    .unwrap()
                    .timestamp_millis(),
            )
        };
        assert_eq!(days_left(until, at("2027-12-31T23:59:59.999Z")), Some(0));
        assert_eq!(days_left(until, at("2027-12-31T00:00:00Z")), Some(0));
        assert_eq!(days_left(until, at("2027-12-30T23:59:59Z")), Some(1));
        assert_eq!(days_left(until, at("2027-12-01T12:00:00Z")), Some(30));
        assert_eq!(days_left(until, at("2028-01-01T00:00:00Z")), None);
        assert_eq!(days_left(until, at("2029-01-01T00:00:00Z")), None);
        // The same instant seen from other zones is the same UTC day count.
        assert_eq!(days_left(until, at("2027-12-31T15:00:00-08:00")), Some(0));
        assert_eq!(days_left(until, at("2028-01-01T08:59:59+09:00")), Some(0));
        assert_eq!(days_left(until, at("2028-01-01T09:00:00+09:00")), None);
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        for bad in [
            "2026-02-30",
            "31.12.2026",
            "",
            "2026-1-1x",
            "1969-12-31",
            "tomorrow",
        ] {
            let e = valid_until_date(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_license_terms", "{bad}");
            assert!(e.to_string().contains("expiry date"), "{e}");
        }
        assert!(
            valid_from_date("nope")
                .unwrap_err()
                .to_string()
                .contains("start date")
        );
        assert!(valid_until_date("9999-12-31").is_ok());
        assert!(valid_from_date("1970-01-01").is_ok());
    }
}
